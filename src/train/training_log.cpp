#include "train/training_log.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"

namespace litesr::train {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// One panel: polyline of (x, f(y)) in a box at (x0, y0) of size w x h with min/max labels.
void panel(std::ostringstream& os, const std::vector<CurvePoint>& pts, bool log_y, double x0, double y0, double w,
           double h, int64_t x_max, const char* label, const char* color) {
  os << "<rect x='" << x0 << "' y='" << y0 << "' width='" << w << "' height='" << h
     << "' fill='none' stroke='#888'/>\n";
  os << "<text x='" << x0 + 4 << "' y='" << y0 + 14 << "' font-size='12'>" << label << "</text>\n";
  std::vector<std::pair<double, double>> v;
  for (const auto& p : pts) {
    if (!std::isfinite(p.value) || (log_y && p.value <= 0)) continue;
    v.emplace_back(static_cast<double>(p.global_iteration), log_y ? std::log10(p.value) : p.value);
  }
  if (v.empty()) return;
  double lo = v[0].second, hi = v[0].second;
  for (const auto& [x, y] : v) {
    lo = std::min(lo, y);
    hi = std::max(hi, y);
  }
  if (hi - lo < 1e-12) {
    hi += 0.5;
    lo -= 0.5;
  }
  const double xm = std::max<double>(1.0, static_cast<double>(x_max));
  os << "<polyline fill='none' stroke='" << color << "' stroke-width='1.5' points='";
  for (const auto& [x, y] : v) {
    os << x0 + w * x / xm << ',' << y0 + h - h * (y - lo) / (hi - lo) << ' ';
  }
  os << "'/>\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", log_y ? std::pow(10.0, hi) : hi);
  os << "<text x='" << x0 + w - 4 << "' y='" << y0 + 14 << "' font-size='11' text-anchor='end'>max " << buf
     << "</text>\n";
  std::snprintf(buf, sizeof buf, "%.4g", log_y ? std::pow(10.0, lo) : lo);
  os << "<text x='" << x0 + w - 4 << "' y='" << y0 + h - 4 << "' font-size='11' text-anchor='end'>min " << buf
     << "</text>\n";
}

}  // namespace

std::string curves_svg(const std::vector<CurvePoint>& loss, const std::vector<CurvePoint>& psnr,
                       const std::string& title) {
  int64_t x_max = 1;
  for (const auto& p : loss) x_max = std::max(x_max, p.global_iteration);
  for (const auto& p : psnr) x_max = std::max(x_max, p.global_iteration);
  std::ostringstream os;
  os << "<svg xmlns='http://www.w3.org/2000/svg' width='720' height='520' font-family='sans-serif'>\n";
  os << "<rect width='720' height='520' fill='white'/>\n";
  os << "<text x='360' y='22' font-size='15' text-anchor='middle'>" << xml_escape(title) << "</text>\n";
  panel(os, loss, /*log_y=*/true, 40, 36, 660, 210, x_max, "training loss (log scale)", "#1f77b4");
  panel(os, psnr, /*log_y=*/false, 40, 270, 660, 210, x_max, "validation PSNR-Y (dB)", "#d62728");
  os << "<text x='370' y='508' font-size='12' text-anchor='middle'>iteration (0 .. " << x_max << ")</text>\n";
  os << "</svg>\n";
  return os.str();
}

Result<TrainingLog> TrainingLog::open(const std::filesystem::path& jsonl, const std::filesystem::path& svg,
                                      int64_t keep_until) {
  TrainingLog log;
  log.jsonl_ = jsonl;
  log.svg_ = svg;
  std::string kept;
  if (keep_until >= 0) {
    std::ifstream in(jsonl);
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) continue;  // a torn last line after a crash
      const int64_t g = j.value("global_iteration", int64_t{0});
      if (g > keep_until) continue;
      const std::string ev = j.value("event", "");
      if (ev == "train" && j.contains("loss")) log.add_loss(g, j["loss"].get<double>());
      if (ev == "val" && j.contains("psnr_y")) log.add_psnr(g, j["psnr_y"].get<double>());
      kept += line + "\n";
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
