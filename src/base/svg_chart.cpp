#include "base/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace litesr {
namespace {

// tab10: distinguishable, colour-blind tolerable.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr int kTitleFont = 15;
constexpr int kFont = 12;
constexpr int kSmallFont = 11;

const char* color(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

template <typename Series>
const char* series_color(const Series& s, std::size_t i) {
  return s.color.empty() ? color(i) : s.color.c_str();
}

// Coordinates with two decimals ("12.50").
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string format_value(const std::string& format, double v) {
  char buf[64];
  if (format == "auto") {
    const double a = std::abs(v);
    std::snprintf(buf, sizeof buf, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3g", v);
  } else {
    std::snprintf(buf, sizeof buf, format.c_str(), v);
  }
  return buf;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
  return buf;
}

// Rough rendered width of `text` at `font` px in a sans-serif face.
double text_width(std::string_view text, int font) { return 0.6 * font * static_cast<double>(text.size()); }

void text(std::string& out, double x, double y, std::string_view s, int font, const char* anchor = "start",
          const char* fill = "#222", const char* extra = "") {
  out += "<text x='" + num(x) + "' y='" + num(y) + "' font-size='" + std::to_string(font) + "' text-anchor='" + anchor +
         "' fill='" + fill + "'" + extra + ">" + xml_escape(s) + "</text>\n";
}

void line(std::string& out, double x1, double y1, double x2, double y2, const char* stroke, double width = 1.0) {
  out += "<line x1='" + num(x1) + "' y1='" + num(y1) + "' x2='" + num(x2) + "' y2='" + num(y2) + "' stroke='" + stroke +
         "' stroke-width='" + num(width) + "'/>\n";
}

std::string open_svg(int width, int height) {
  return "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(width) + "' height='" +
         std::to_string(height) + "' viewBox='0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "' font-family='sans-serif'>\n<rect width='" + std::to_string(width) + "' height='" + std::to_string(height) +
         "' fill='white'/>\n";
}

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// A resolved axis: its range and ticks, and the map from a value to [0, 1].
struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  std::vector<double> ticks;

  double f(double v) const { return log ? std::log10(v) : v; }
  double unit(double v) const { return (f(v) - f(lo)) / (f(hi) - f(lo)); }
  bool contains(double v) const {
    const double eps = 1e-9 * (std::abs(f(hi)) + std::abs(f(lo)) + 1.0);
    return drawable(v, log) && f(v) >= f(lo) - eps && f(v) <= f(hi) + eps;
  }
};

// The axis range from the user's min/max or the data, widened to whole ticks; `zero_based` includes 0 on a
// linear axis (bar lengths).
Scale resolve(const ChartAxis& axis, const std::vector<double>& values, bool zero_based) {
  Scale s;
  s.log = axis.log;
  double dlo = INFINITY, dhi = -INFINITY;
  for (double v : values) {
    if (!drawable(v, axis.log)) continue;
    dlo = std::min(dlo, v);
    dhi = std::max(dhi, v);
  }
  if (!std::isfinite(dlo)) {
    dlo = axis.log ? 1.0 : 0.0;
    dhi = axis.log ? 10.0 : 1.0;
  }
  if (zero_based && !axis.log) {
    dlo = std::min(dlo, 0.0);
    dhi = std::max(dhi, 0.0);
  }
  if (drawable(axis.min, axis.log)) dlo = axis.min;
  if (drawable(axis.max, axis.log)) dhi = axis.max;
  if (!(dhi > dlo)) {
    if (axis.log) {
      dlo /= 2;
      dhi *= 2;
    } else {
      const double pad = std::max(std::abs(dlo) * 0.1, 0.5);
      dlo -= pad;
      dhi += pad;
    }
  }
  std::vector<double> ticks = axis_ticks(dlo, dhi, axis.log);
  s.lo = drawable(axis.min, axis.log) ? axis.min : std::min(ticks.front(), dlo);
  s.hi = drawable(axis.max, axis.log) ? axis.max : std::max(ticks.back(), dhi);
  for (double t : ticks) {
    if (s.contains(t)) s.ticks.push_back(t);
  }
  return s;
}

struct LegendEntry {
  std::string name;
  const char* color;
  bool marker;  // a dot (XY) instead of a square (bars)
};

// One row of legend entries starting at (x, y) (the row's vertical centre).
void legend(std::string& out, const std::vector<LegendEntry>& entries, double x, double y) {
  for (const LegendEntry& e : entries) {
    if (e.marker) {
      out += "<circle cx='" + num(x + 5) + "' cy='" + num(y) + "' r='4' fill='" + e.color + "'/>\n";
    } else {
      out += "<rect x='" + num(x) + "' y='" + num(y - 5) + "' width='10' height='10' fill='" + e.color + "'/>\n";
    }
    text(out, x + 14, y + 4, e.name, kFont);
    x += 14 + text_width(e.name, kFont) + 18;
  }
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";  // not &apos;: the same escaping serves HTML (report/html_encoding.h), where HTML 4 lacks it
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> axis_ticks(double lo, double hi, bool log, int target) {
  std::vector<double> ticks;
  if (!(std::isfinite(lo) && std::isfinite(hi)) || hi < lo || (log && lo <= 0)) return ticks;
  if (log) {
    const int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    if (e1 <= e0) e1 = e0 + 1;
    for (int e = e0; e <= e1; ++e) {
      const double p = std::pow(10.0, e);
      ticks.push_back(p);
      if (e1 - e0 < 3 && e < e1) {
        ticks.push_back(2 * p);
        ticks.push_back(5 * p);
      }
    }
    std::sort(ticks.begin(), ticks.end());
    // Trim to the ticks that bracket [lo, hi]: drop those wholly below lo or above hi.
    std::vector<double> kept;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
      const bool below = i + 1 < ticks.size() && ticks[i + 1] <= lo * (1 + 1e-9);
      const bool above = i > 0 && ticks[i - 1] >= hi * (1 - 1e-9);
      if (!below && !above) kept.push_back(ticks[i]);
    }
    return kept;
  }
  if (hi == lo) hi = lo + 1;
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  for (double k = first; k <= last + 0.5; k += 1) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

Svg bar_chart_svg(const BarChart& chart) {
  const std::size_t n_series = std::max<std::size_t>(1, chart.series.size());
  std::vector<double> values;
  for (const BarSeries& s : chart.series) values.insert(values.end(), s.values.begin(), s.values.end());
  const Scale scale = resolve(chart.value_axis, values, /*zero_based=*/true);

  constexpr double kBar = 14, kBarGap = 2, kGroupGap = 14;
  double label_w = 60;
  for (const std::string& g : chart.groups) label_w = std::max(label_w, text_width(g, kFont));
  const double left = label_w + 20, right = 80;
  const double top = (chart.title.empty() ? 12 : 38) + (chart.series.empty() ? 0 : 24);
  const double group_h = static_cast<double>(n_series) * (kBar + kBarGap) + kGroupGap;
  const double plot_h = std::max(1.0, static_cast<double>(chart.groups.size())) * group_h;
  const double bottom = 52;
  Svg svg;
  svg.width = std::max(chart.width, static_cast<int>(left + right + 200));
  svg.height = static_cast<int>(std::ceil(top + plot_h + bottom));
  const double plot_w = svg.width - left - right;
  auto px = [&](double v) { return left + plot_w * scale.unit(v); };

  std::string& out = svg.text;
  out = open_svg(svg.width, svg.height);
  if (!chart.title.empty()) text(out, svg.width / 2.0, 24, chart.title, kTitleFont, "middle");
  std::vector<LegendEntry> entries;
  for (std::size_t s = 0; s < chart.series.size(); ++s)
    entries.push_back({chart.series[s].name, series_color(chart.series[s], s), false});
  legend(out, entries, left, top - 14);

  // Grid and ticks.
  for (double t : scale.ticks) {
    line(out, px(t), top, px(t), top + plot_h, "#e0e0e0");
    text(out, px(t), top + plot_h + 16, tick_label(t), kSmallFont, "middle");
  }
  line(out, left, top + plot_h, left + plot_w, top + plot_h, "#444");
  line(out, left, top, left, top + plot_h, "#444");
  std::string axis_label = chart.value_axis.label;
  if (chart.value_axis.log) axis_label += axis_label.empty() ? "log scale" : " (log scale)";
  text(out, left + plot_w / 2, top + plot_h + 38, axis_label, kFont, "middle");

  // Bars from the axis origin (0, or the low end of a log axis).
  const double base = scale.log ? scale.lo : std::clamp(0.0, scale.lo, scale.hi);
  for (std::size_t g = 0; g < chart.groups.size(); ++g) {
    const double y0 = top + kGroupGap / 2 + static_cast<double>(g) * group_h;
    text(out, left - 8, y0 + (group_h - kGroupGap) / 2 + 4, chart.groups[g], kFont, "end");
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double y = y0 + static_cast<double>(s) * (kBar + kBarGap);
      const std::vector<double>& vs = chart.series[s].values;
      const double v = g < vs.size() ? vs[g] : NAN;
      if (!scale.contains(v)) {
        text(out, left + 4, y + kBar - 3, std::isfinite(v) ? "off scale" : "n/a", kSmallFont, "start", "#888");
        continue;
      }
      const double x0 = std::min(px(base), px(v)), x1 = std::max(px(base), px(v));
      out += "<rect x='" + num(x0) + "' y='" + num(y) + "' width='" + num(std::max(0.5, x1 - x0)) + "' height='" +
             num(kBar) + "' fill='" + series_color(chart.series[s], s) + "'><title>" +
             xml_escape(chart.series[s].name) + ": " + xml_escape(format_value("%g", v)) + "</title></rect>\n";
      if (!chart.value_format.empty()) {
        text(out, x1 + 4, y + kBar - 3, format_value(chart.value_format, v), kSmallFont);
      }
    }
  }
  out += "</svg>\n";
  return svg;
}

Svg xy_chart_svg(const XyChart& chart) {
  std::vector<double> xs, ys;
  bool any_name = false;
  for (const XySeries& s : chart.series) {
    any_name = any_name || !s.name.empty();
    for (const XyPoint& p : s.points) {
      if (!drawable(p.x, chart.x.log) || !drawable(p.y, chart.y.log)) continue;
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
  }
  const Scale sx = resolve(chart.x, xs, false), sy = resolve(chart.y, ys, false);
  double y_label_w = 0;
  for (double t : sy.ticks) y_label_w = std::max(y_label_w, text_width(tick_label(t), kSmallFont));
  const double left = y_label_w + 40, right = 24;
  const double top = (chart.title.empty() ? 14 : 38) + (any_name ? 24 : 0), bottom = 52;
  Svg svg;
  svg.width = std::max(chart.width, 200);
  svg.height = std::max(chart.height, static_cast<int>(top + bottom + 60));
  const double plot_w = svg.width - left - right, plot_h = svg.height - top - bottom;
  auto px = [&](double v) { return left + plot_w * sx.unit(v); };
  auto py = [&](double v) { return top + plot_h * (1.0 - sy.unit(v)); };

  std::string& out = svg.text;
  out = open_svg(svg.width, svg.height);
  if (!chart.title.empty()) text(out, svg.width / 2.0, 24, chart.title, kTitleFont, "middle");
  if (any_name) {
    std::vector<LegendEntry> entries;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      if (!chart.series[s].name.empty())
        entries.push_back({chart.series[s].name, series_color(chart.series[s], s), true});
    }
    legend(out, entries, left, top - 14);
  }
  for (double t : sx.ticks) {
    line(out, px(t), top, px(t), top + plot_h, "#e8e8e8");
    text(out, px(t), top + plot_h + 16, tick_label(t), kSmallFont, "middle");
  }
  for (double t : sy.ticks) {
    line(out, left, py(t), left + plot_w, py(t), "#e8e8e8");
    text(out, left - 6, py(t) + 4, tick_label(t), kSmallFont, "end");
  }
  out += "<rect x='" + num(left) + "' y='" + num(top) + "' width='" + num(plot_w) + "' height='" + num(plot_h) +
         "' fill='none' stroke='#444'/>\n";
  auto axis_text = [](const ChartAxis& a) {
    return a.log ? a.label + (a.label.empty() ? "log scale" : " (log scale)") : a.label;
  };
  text(out, left + plot_w / 2, top + plot_h + 38, axis_text(chart.x), kFont, "middle");
  const double yc = top + plot_h / 2;
  text(out, 14, yc, axis_text(chart.y), kFont, "middle", "#222",
       (" transform='rotate(-90 14 " + num(yc) + ")'").c_str());

  // Labels already written (boxes in pixels), so a label goes where it covers none of them: right of its marker,
  // then below-right, left, below-left, then further above and below; the first place that fits inside the plot.
  struct Box {
    double x0, y0, x1, y1;
  };
  std::vector<Box> placed_labels;
  auto place_label = [&](double x, double y, const std::string& label) {
    const double w = text_width(label, kSmallFont), h = kSmallFont;
    struct Place {
      double dx, dy;
      bool left;
    };
    const Place places[] = {{7, -6, false},  {7, 14, false}, {-7, -6, true},  {-7, 14, true},
                            {7, -18, false}, {7, 26, false}, {-7, -18, true}, {-7, 26, true}};
    auto box_of = [&](const Place& p) {
      const double tx = x + p.dx, ty = y + p.dy;
      return p.left ? Box{tx - w, ty - h, tx, ty + 2} : Box{tx, ty - h, tx + w, ty + 2};
    };
    auto fits = [&](const Box& b) {
      if (b.x0 < left || b.x1 > left + plot_w || b.y0 < top - 4 || b.y1 > top + plot_h) return false;
      for (const Box& o : placed_labels) {
        if (b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1) return false;
      }
      return true;
    };
    // Default when nothing fits: right of the marker, or left of it near the right edge.
    Place chosen = x + 8 + w > left + plot_w ? places[2] : places[0];
    for (const Place& p : places) {
      if (fits(box_of(p))) {
        chosen = p;
        break;
      }
    }
    placed_labels.push_back(box_of(chosen));
    text(out, x + chosen.dx, y + chosen.dy, label, kSmallFont, chosen.left ? "end" : "start");
  };

  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const XySeries& series = chart.series[s];
    if (series.lines) {
      std::string pts;
      for (const XyPoint& p : series.points) {
        if (sx.contains(p.x) && sy.contains(p.y)) pts += num(px(p.x)) + "," + num(py(p.y)) + " ";
      }
      if (!pts.empty()) {
        out += "<polyline fill='none' stroke='" + std::string(series_color(series, s)) +
               "' stroke-width='1.5' points='" + pts + "'/>\n";
      }
    }
    for (const XyPoint& p : series.points) {
      if (!sx.contains(p.x) || !sy.contains(p.y)) continue;
      const double x = px(p.x), y = py(p.y);
      if (series.markers) {
        out += "<circle cx='" + num(x) + "' cy='" + num(y) + "' r='4' fill='" + series_color(series, s) + "'><title>" +
               xml_escape(p.label.empty() ? series.name : p.label) + ": (" + tick_label(p.x) + ", " + tick_label(p.y) +
               ")</title></circle>\n";
      }
      if (!p.label.empty()) place_label(x, y, p.label);
    }
  }
  out += "</svg>\n";
  return svg;
}

Svg stack_svg(const std::vector<Svg>& parts, std::string_view title) {
  Svg svg;
  const int title_h = title.empty() ? 0 : 30;
  svg.height = title_h;
  for (const Svg& p : parts) {
    svg.width = std::max(svg.width, p.width);
    svg.height += p.height;
  }
  svg.width = std::max(svg.width, 1);
  std::string& out = svg.text;
  out = open_svg(svg.width, std::max(svg.height, 1));
  if (!title.empty()) text(out, svg.width / 2.0, 22, title, kTitleFont, "middle");
  int y = title_h;
  for (const Svg& p : parts) {
    out += "<g transform='translate(0," + std::to_string(y) + ")'>\n" + p.text + "</g>\n";
    y += p.height;
  }
  out += "</svg>\n";
  return svg;
}

}  // namespace litesr
