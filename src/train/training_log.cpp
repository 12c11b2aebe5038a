#include "train/training_log.h"

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/svg_chart.h"
#include "io/atomic_file.h"

namespace litesr::train {
namespace {

// A line (and optionally a dot per point) through the curve, unnamed (no legend).
XySeries curve(const std::vector<CurvePoint>& pts, bool markers) {
  XySeries s;
  s.lines = true;
  s.markers = markers;
  for (const CurvePoint& p : pts) s.points.push_back({static_cast<double>(p.global_iteration), p.value, ""});
  return s;
}

// Adds the loss or PSNR point of one log event (other events and malformed values are ignored).
void add_event(const nlohmann::json& j, std::vector<CurvePoint>& loss, std::vector<CurvePoint>& psnr) {
  const int64_t g = j.value("global_iteration", int64_t{0});
  const std::string ev = j.value("event", "");
  if (ev == "train" && j.contains("loss") && j["loss"].is_number()) loss.push_back({g, j["loss"].get<double>()});
  if (ev == "val" && j.contains("psnr_y") && j["psnr_y"].is_number()) psnr.push_back({g, j["psnr_y"].get<double>()});
}

// A JSON object per line; `nullopt`-like discarded value for anything else.
nlohmann::json parse_line(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json();
}

}  // namespace

std::string curves_svg(const std::vector<CurvePoint>& loss, const std::vector<CurvePoint>& psnr,
                       const std::string& title) {
  int64_t x_max = 1;
  for (const auto& p : loss) x_max = std::max(x_max, p.global_iteration);
  for (const auto& p : psnr) x_max = std::max(x_max, p.global_iteration);
  XyChart top;
  top.x = {"iteration", false, 0.0, static_cast<double>(x_max)};
  top.y = {"training loss", /*log=*/true};
  top.series = {curve(loss, /*markers=*/false)};
  top.height = 260;
  XyChart bottom = top;
  bottom.y = {"validation PSNR-Y (dB)", false};
  bottom.series = {curve(psnr, /*markers=*/psnr.size() <= 60)};
  bottom.series[0].color = "#d62728";
  return stack_svg({xy_chart_svg(top), xy_chart_svg(bottom)}, title).text;
}

Result<TrainingLog> TrainingLog::open(const std::filesystem::path& jsonl, const std::filesystem::path& svg,
                                      int64_t keep_until) {
  TrainingLog log;
  log.jsonl_ = jsonl;
  log.svg_ = svg;
  std::string kept;
  if (keep_until >= 0) {
    std::ifstream in(jsonl);
    std::vector<std::pair<std::string, nlohmann::json>> lines;
    for (std::string line; std::getline(in, line);) {
      nlohmann::json j = parse_line(line);
      if (j.is_null()) continue;  // a torn last line after a crash
      lines.emplace_back(std::move(line), std::move(j));
    }
    // Events written after the checkpoint at keep_until (at a stage boundary: the next stage's "stage" event,
    // the "nas" event of a finished search) are written again by the resumed run: cut after that checkpoint.
    size_t end = lines.size();
    for (size_t i = lines.size(); i-- > 0;) {
      const nlohmann::json& j = lines[i].second;
      if (j.value("event", "") == "checkpoint" && j.value("global_iteration", int64_t{-1}) == keep_until) {
        end = i + 1;
        break;
      }
    }
    for (size_t i = 0; i < end; ++i) {
      const nlohmann::json& j = lines[i].second;
      if (j.value("global_iteration", int64_t{0}) > keep_until) continue;
      add_event(j, log.loss_, log.psnr_);
      kept += lines[i].first + "\n";
    }
  }
  LITESR_RETURN_IF_ERROR(write_file_atomically(jsonl, kept));
  return log;
}

Status TrainingLog::append(const std::string& json_line) {
  std::ofstream out(jsonl_, std::ios::app);
  out << json_line << '\n';
  out.flush();
  if (!out) return io_error(jsonl_.string() + ": cannot append to the training log");
  return {};
}

Status TrainingLog::write_svg(const std::string& title) const {
  return write_file_atomically(svg_, curves_svg(loss_, psnr_, title));
}

}  // namespace litesr::train

namespace litesr::train {

Result<RunCurves> read_run_curves(const std::filesystem::path& run_dir) {
  const std::filesystem::path jsonl = run_dir / "train_log.jsonl";
  std::ifstream in(jsonl);
  if (!in) return not_found(jsonl.string() + ": no training log (is " + run_dir.string() + " a litesr train output folder?)");
  RunCurves run;
  run.name = run_dir.filename().empty() ? run_dir.parent_path().filename().string() : run_dir.filename().string();
  std::vector<int> psnr_scale;  // the scale of each psnr point
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = parse_line(line);
    if (j.is_null()) continue;
    const size_t before = run.psnr.size();
    add_event(j, run.loss, run.psnr);
    if (run.psnr.size() > before) psnr_scale.push_back(j.contains("scale") && j["scale"].is_number_integer() ? j["scale"].get<int>() : 0);
    run.last_iteration = std::max(run.last_iteration, j.value("global_iteration", int64_t{0}));
  }
  if (!psnr_scale.empty()) {
    run.scale = psnr_scale.back();
    std::vector<CurvePoint> kept;
    for (size_t i = 0; i < run.psnr.size(); ++i) {
      if (psnr_scale[i] == run.scale) kept.push_back(run.psnr[i]);
    }
    run.psnr = std::move(kept);
  }
  if (run.loss.empty() && run.psnr.empty()) return invalid_argument(jsonl.string() + ": no training or validation events");
  return run;
}

std::string comparison_svg(const std::vector<RunCurves>& runs, const std::string& title) {
  int64_t x_max = 1;
  for (const RunCurves& r : runs) x_max = std::max(x_max, r.last_iteration);
  XyChart top;
  top.x = {"iteration", false, 0.0, static_cast<double>(x_max)};
  top.y = {"validation PSNR-Y (dB) at the run's final scale", false};
  top.height = 360;
  XyChart bottom = top;
  bottom.y = {"training loss", /*log=*/true};
  bottom.height = 260;
  for (const RunCurves& r : runs) {
    XySeries psnr = curve(r.psnr, /*markers=*/r.psnr.size() <= 60);
    psnr.name = r.name;
    top.series.push_back(std::move(psnr));
    XySeries loss = curve(r.loss, /*markers=*/false);
    loss.name = r.name;
    bottom.series.push_back(std::move(loss));
  }
  return stack_svg({xy_chart_svg(top), xy_chart_svg(bottom)}, title).text;
}

}  // namespace litesr::train
