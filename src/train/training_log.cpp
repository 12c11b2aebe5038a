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
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) continue;  // a torn last line after a crash
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
      const int64_t g = j.value("global_iteration", int64_t{0});
      if (g > keep_until) continue;
      const std::string ev = j.value("event", "");
      if (ev == "train" && j.contains("loss")) log.add_loss(g, j["loss"].get<double>());
      if (ev == "val" && j.contains("psnr_y")) log.add_psnr(g, j["psnr_y"].get<double>());
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
