#include "report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/html_encoding.h"

namespace litesr {
namespace {

constexpr std::size_t kMaxBarImages = 40;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Mean PSNR-Y of each method against a per-method cost; points without a finite cost are left out.
ReportChart quality_vs_cost(const ComparedSet& set, const std::vector<double>& cost, const ChartAxis& x_axis,
                            const std::string& cost_unit, const char* cost_format, std::string id,
                            std::string caption) {
  ReportChart c;
  c.id = std::move(id);
  c.caption = std::move(caption);
  XyChart chart;
  chart.title = set.name + " \u00d7" + std::to_string(set.scale) + ": " + c.caption;
  chart.x = x_axis;
  chart.y = {"mean PSNR-Y (dB)", false};
  chart.height = 420;
  chart.width = 640;
  c.alt = chart.title + ".";
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t m = 0; m < set.results.size(); ++m) {
    if (!std::isfinite(cost[m])) continue;
    lo = std::min(lo, cost[m]);
    hi = std::max(hi, cost[m]);
  }
  chart.x.log = x_axis.log && lo > 0 && hi / lo > 20;
  for (std::size_t m = 0; m < set.results.size(); ++m) {
    if (!std::isfinite(cost[m])) continue;
    const double psnr = set.results[m].mean.psnr_y;
    XySeries s;
    s.color = report_color(m);
    s.points.push_back({cost[m], psnr, set.results[m].method});
    chart.series.push_back(std::move(s));
    c.alt += " " + set.results[m].method + ": " + fmt(cost_format, cost[m]) + " " + cost_unit + ", " +
             fmt("%.2f", psnr) + " dB.";
  }
  c.svg = xy_chart_svg(chart);
  return c;
}

}  // namespace

std::string report_color(std::size_t index) {
  static constexpr const char* kColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                            "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kColors[index % (sizeof kColors / sizeof kColors[0])];
}

std::vector<ReportChart> comparison_charts(const ComparedSet& set, const std::vector<const ModelCard*>& cards,
                                           int reference, const std::string& id_prefix) {
  std::vector<ReportChart> charts;
  if (!set.has_hr || set.results.empty()) return charts;
  const std::size_t n = set.results.size();

  std::vector<double> macs(n, NAN), ms(n, NAN);
  int timed_threads = 0, timed_runs = 0;
  for (std::size_t m = 0; m < n && m < cards.size(); ++m) {
    if (cards[m] == nullptr) continue;
    macs[m] = static_cast<double>(cards[m]->macs_720p) / 1e9;
    if (cards[m]->timed) {
      ms[m] = cards[m]->timing.median_ms;
      timed_threads = cards[m]->timing.threads;
      timed_runs = cards[m]->timing.timed_runs;
    }
  }
  if (std::any_of(macs.begin(), macs.end(), [](double v) { return std::isfinite(v); })) {
    charts.push_back(quality_vs_cost(set, macs, {"GMACs per 1280\u00d7720 output frame", false}, "GMACs", "%.3f",
                                     id_prefix + "-macs", "PSNR-Y against MACs"));
  }
  if (std::any_of(ms.begin(), ms.end(), [](double v) { return std::isfinite(v); })) {
    const std::string unit = "ms per 720p frame (median of " + std::to_string(timed_runs) + " runs, " +
                             std::to_string(timed_threads) + (timed_threads == 1 ? " thread)" : " threads)");
    charts.push_back(quality_vs_cost(set, ms, {unit, true}, "ms", "%.2f", id_prefix + "-ms",
                                     "PSNR-Y against measured time per 720p frame"));
  }

  if (reference >= 0 && static_cast<std::size_t>(reference) < n && n >= 2) {
    const EvaluationResult& base = set.results[reference];
    ReportChart c;
    c.id = id_prefix + "-gain";
    c.caption = "PSNR-Y gain over bicubic, per image";
    const std::string title = set.name + " \u00d7" + std::to_string(set.scale) + ": " + c.caption;
    c.alt = title + ".";
    const std::size_t images = base.images.size();
    auto gain = [&](std::size_t m, std::size_t i) {
      return set.results[m].images[i].scores.psnr_y - base.images[i].scores.psnr_y;
    };
    for (std::size_t m = 0; m < n; ++m) {
      if (static_cast<int>(m) == reference) continue;
      double sum = 0, best = -INFINITY, worst = INFINITY;
      std::size_t count = 0;
      for (std::size_t i = 0; i < images; ++i) {
        const double g = gain(m, i);
        if (!std::isfinite(g)) continue;
        sum += g;
        best = std::max(best, g);
        worst = std::min(worst, g);
        ++count;
      }
      if (count > 0) {
        c.alt += " " + set.results[m].method + ": mean " + fmt("%+.2f", sum / count) + " dB, from " +
                 fmt("%+.2f", worst) + " to " + fmt("%+.2f", best) + " dB over " + std::to_string(count) + " images.";
      }
    }
    if (images <= kMaxBarImages) {
      BarChart chart;
      chart.title = title;
      chart.value_axis = {"PSNR-Y gain over bicubic (dB)", false};
      chart.value_axis.min = 0;
      chart.value_format = "%+.2f";
      chart.width = 760;
      for (const ImageEvaluation& im : base.images) chart.groups.push_back(im.name);
      double lowest = 0;
      for (std::size_t m = 0; m < n; ++m) {
        if (static_cast<int>(m) == reference) continue;
        BarSeries s;
        s.name = set.results[m].method;
        s.color = report_color(m);
        for (std::size_t i = 0; i < images; ++i) {
          s.values.push_back(gain(m, i));
          if (std::isfinite(gain(m, i))) lowest = std::min(lowest, gain(m, i));
        }
        chart.series.push_back(std::move(s));
      }
      if (lowest < 0) chart.value_axis.min = lowest;
      c.svg = bar_chart_svg(chart);
    } else {
      XyChart chart;
      chart.title = title;
      chart.x = {"image (dataset order)", false, 0.0, static_cast<double>(images + 1)};
      chart.y = {"PSNR-Y gain over bicubic (dB)", false};
      chart.height = 420;
      XySeries zero;
      zero.markers = false;
      zero.lines = true;
      zero.color = "#888888";
      zero.points = {{0.0, 0.0, ""}, {static_cast<double>(images + 1), 0.0, ""}};
      chart.series.push_back(std::move(zero));
      for (std::size_t m = 0; m < n; ++m) {
        if (static_cast<int>(m) == reference) continue;
        XySeries s;
        s.name = set.results[m].method;
        s.color = report_color(m);
        for (std::size_t i = 0; i < images; ++i) s.points.push_back({static_cast<double>(i + 1), gain(m, i), ""});
        chart.series.push_back(std::move(s));
      }
      c.svg = xy_chart_svg(chart);
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

std::string chart_html(const ReportChart& chart) {
  return "<figure class=\"chart\" id=\"" + html_escape(chart.id) + "\" aria-labelledby=\"" + html_escape(chart.id) +
         "-cap\"><div role=\"img\" aria-label=\"" + html_escape(chart.alt) + "\">" + chart.svg.text +
         "</div><figcaption id=\"" + html_escape(chart.id) + "-cap\">" + html_escape(chart.caption) +
         "</figcaption></figure>\n";
}

}  // namespace litesr
