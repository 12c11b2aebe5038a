// The trade-off charts of a comparison report (SVG from base/svg_chart.h), each with a text alternative:
//   quality vs cost   mean PSNR-Y of each method against its GMACs per 1280x720 frame, and against its measured
//                     ms per 720p frame (report/model_card.h); one labelled point per method
//   gain over bicubic PSNR-Y(method) − PSNR-Y(bicubic) per image: grouped bars (up to 40 images), else one marker
//                     per image and method against the image's index
// Methods keep one colour across every chart (report_color).
#pragma once

#include <string>
#include <vector>

#include "base/svg_chart.h"
#include "report/comparison.h"
#include "report/model_card.h"

namespace litesr {

// A chart and its text alternative (what a screen reader announces instead of the drawing).
struct ReportChart {
  std::string id;
  std::string caption;  // plain text, shown under the chart
  std::string alt;      // plain text: the data in words
  Svg svg;
};

// The colour of method `index` (a fixed 10-colour palette, repeating).
std::string report_color(std::size_t index);

// `cards[m]` describes `set.results[m]`'s method (nullptr entries: no card). Charts that cannot be drawn (no
// scores, no timing, no bicubic) are left out.
std::vector<ReportChart> comparison_charts(const ComparedSet& set, const std::vector<const ModelCard*>& cards,
                                           int reference, const std::string& id_prefix);

// <figure> markup of a chart: the SVG as role="img" with the alt text, and the caption.
std::string chart_html(const ReportChart& chart);

}  // namespace litesr
