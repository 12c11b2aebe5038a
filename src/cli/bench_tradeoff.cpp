#include "cli/bench_tradeoff.h"

#include <algorithm>
#include <cstdio>

#include "eval/evaluation.h"
#include "eval/sr_dataset.h"
#include "profile/builtin_catalog.h"
#include "upscaler/model_upscaler.h"

namespace litesr::cli {
namespace {

constexpr int kChartScale = 4;  // one x4 chart: models of other scales are left out

}  // namespace

Result<TradeoffResult> evaluate_tradeoff(const std::filesystem::path& dataset_dir, int threads,
                                         const CancelToken* cancel, Progress* progress) {
  TradeoffResult result;
  LITESR_ASSIGN_OR_RETURN(const std::vector<BuiltinModelSummary> catalog, builtin_model_catalog());
  for (const BuiltinModelSummary& m : catalog) {
    if (m.frames != 1) continue;  // video models are scored on frame sequences, not image sets
    if (m.scale != kChartScale) continue;
    const std::string& name = m.name;
    const bool bicubic = name == "bicubic";
    TradeoffPoint p;
    p.model = name;
    p.scale = m.scale;
    p.params = m.params;
    p.macs_720p = m.macs_720p;
    p.macs_per_output_pixel =
        static_cast<double>(m.macs_720p) / (static_cast<double>(kCatalogOutputWidth) * kCatalogOutputHeight);

    SrDatasetOptions dopt;
    dopt.scale = p.scale;
    LITESR_ASSIGN_OR_RETURN(SrDataset dataset, open_sr_dataset(dataset_dir, dopt));
    ImageUpscaler upscaler;
    if (bicubic) {
      upscaler = make_bicubic_upscaler(p.scale);  // `litesr eval --method bicubic`
    } else {
      LITESR_ASSIGN_OR_RETURN(upscaler, make_model_image_upscaler({name, p.scale, threads, 0, {}}));
    }
    EvaluationOptions eopt;
    eopt.threads = 1;  // images one at a time; the session uses `threads`
    eopt.cancel = cancel;
    Result<EvaluationResult> r = evaluate_dataset(dataset, dopt, upscaler, name, eopt);
    if (!r.ok()) return r.status().with_context(name);
    p.mean = r->mean;
    p.images = static_cast<int>(r->images.size());
    result.dataset = dataset.name;
    result.points.push_back(p);
    if (progress != nullptr) progress->advance(1, name);
  }
  return result;
}

nlohmann::json tradeoff_json(const TradeoffResult& result) {
  nlohmann::json models = nlohmann::json::array();
  for (const TradeoffPoint& p : result.points) {
    models.push_back({{"name", p.model},
                      {"scale", p.scale},
                      {"params", p.params},
                      {"macs_720p", p.macs_720p},
                      {"macs_per_output_pixel", p.macs_per_output_pixel},
                      {"psnr_y", p.mean.psnr_y},
                      {"ssim_y", p.mean.ssim_y},
                      {"psnr_rgb", p.mean.psnr_rgb},
                      {"ssim_rgb", p.mean.ssim_rgb},
                      {"images", p.images}});
  }
  return {{"dataset", result.dataset}, {"convention", "macs"}, {"models", models}};
}

Svg tradeoff_chart(const TradeoffResult& result) {
  XyChart chart;
  XySeries series;
  double lo = 0, hi = 0;
  bool all_positive = !result.points.empty();
  for (const TradeoffPoint& p : result.points) {
    const double gmacs = static_cast<double>(p.macs_720p) * 1e-9;
    series.points.push_back({gmacs, p.mean.psnr_y, p.model});
    all_positive = all_positive && gmacs > 0;
    lo = series.points.size() == 1 ? gmacs : std::min(lo, gmacs);
    hi = std::max(hi, gmacs);
  }
  int scale = result.points.empty() ? kChartScale : result.points.front().scale;
  bool one_scale = true;
  for (const TradeoffPoint& p : result.points) one_scale = one_scale && p.scale == scale;
  chart.title =
      "PSNR-Y on " + result.dataset + (one_scale ? " x" + std::to_string(scale) : "") + " vs MACs (built-in models)";
  chart.x.label = "GMACs per 1280x720 output frame";
  chart.x.log = all_positive && hi > 20 * lo;
  chart.y.label = "PSNR-Y (dB), " + std::to_string(scale) + " px border shaved";
  if (!one_scale) chart.y.label = "PSNR-Y (dB), scale px border shaved";
  chart.series.push_back(std::move(series));
  return xy_chart_svg(chart);
}

}  // namespace litesr::cli
