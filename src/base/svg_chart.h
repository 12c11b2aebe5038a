// Small dependency-free SVG charts for reports: grouped horizontal bar charts and XY plots (labelled scatter
// points and/or lines), with axis ticks, grid lines and a legend. Used by `litesr bench --chart/--tradeoff`
// and by the training curves (train/training_log.h).
//
// Output: one complete, self-contained SVG 1.1 document per chart (`<svg xmlns=... width=W height=H>`),
// sizes in pixels, text in sans-serif, every user string XML-escaped. Values that are not finite (NaN marks a
// missing bar or point) and values <= 0 on a log axis are not drawn; a missing bar is labelled "n/a".
// Ticks: linear axes use "nice" steps (1, 2 or 5 x 10^k); log axes (log10) put ticks at powers of ten, adding
// 2 and 5 multiples when the range spans fewer than three decades.
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace litesr {

// A complete <svg> document and its size in pixels.
struct Svg {
  int width = 0;
  int height = 0;
  std::string text;
};

struct ChartAxis {
  std::string label;  // shown under (x) or beside (y) the axis; include the unit, e.g. "ms per frame"
  bool log = false;   // log10 scale; values <= 0 are not drawn
  double min = std::numeric_limits<double>::quiet_NaN();  // NaN = from the data (widened to whole ticks)
  double max = std::numeric_limits<double>::quiet_NaN();
};

// Grouped horizontal bars: groups are listed top to bottom, each with one bar per series (legend order).
struct BarSeries {
  std::string name;
  std::vector<double> values;  // values[g] for groups[g]; NaN (or a missing entry) = no bar ("n/a")
  std::string color;           // CSS colour; "" = the palette's colour for the series' index
};

struct BarChart {
  std::string title;
  std::vector<std::string> groups;
  std::vector<BarSeries> series;
  ChartAxis value_axis;               // horizontal; a linear axis starts at 0 unless min is set
  std::string value_format = "auto";  // printf format of the value written after each bar; "" = none; "auto" =
                                      // 3 significant digits without exponent (1234, 123, 12.3, 1.23, 0.123)
  int width = 820;                    // the height follows from the number of bars
};

struct XyPoint {
  double x = 0;
  double y = 0;
  std::string label;  // written next to the marker ("" = none)
};

struct XySeries {
  std::string name;  // legend entry ("" = not in the legend)
  std::vector<XyPoint> points;
  bool markers = true;  // a dot per point
  bool lines = false;   // a polyline through the points, in order
  std::string color;    // CSS colour; "" = the palette's colour for the series' index
};

struct XyChart {
  std::string title;
  ChartAxis x;
  ChartAxis y;
  std::vector<XySeries> series;
  int width = 760;
  int height = 480;
};

Svg bar_chart_svg(const BarChart& chart);
Svg xy_chart_svg(const XyChart& chart);

// The parts one above the other (left-aligned) under an optional title, as one document.
Svg stack_svg(const std::vector<Svg>& parts, std::string_view title = "");

// Tick values covering [lo, hi] (lo <= hi, finite; lo > 0 for log): for a linear axis about `target` ticks at
// multiples of a 1/2/5 x 10^k step, the first <= lo and the last >= hi; for a log axis as described above.
std::vector<double> axis_ticks(double lo, double hi, bool log, int target = 6);

// &, <, >, ' and " replaced by entities valid in XML and HTML (' as &#39;).
std::string xml_escape(std::string_view text);

}  // namespace litesr
