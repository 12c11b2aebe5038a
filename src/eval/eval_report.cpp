#include "eval/eval_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"

namespace litesr {

namespace {

using nlohmann::ordered_json;

ordered_json number_or_null(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); }

void put_scores(ordered_json& j, const SrScores& s) {
  j["psnr_y"] = number_or_null(s.psnr_y);
  j["ssim_y"] = number_or_null(s.ssim_y);
  j["psnr_rgb"] = number_or_null(s.psnr_rgb);
  j["ssim_rgb"] = number_or_null(s.ssim_rgb);
}

ordered_json run_json(const EvaluationResult& r) {
  ordered_json j;
  j["dataset"] = r.dataset;
  j["scale"] = r.scale;
  j["method"] = r.method;
  j["shave"] = r.shave;
  j["lr_generated"] = r.lr_generated;
  j["seconds"] = r.seconds;
  ordered_json images = ordered_json::array();
  for (const ImageEvaluation& im : r.images) {
    ordered_json e;
    e["name"] = im.name;
    e["width"] = im.width;
    e["height"] = im.height;
    put_scores(e, im.scores);
    images.push_back(std::move(e));
  }
  j["images"] = std::move(images);
  ordered_json mean;
  put_scores(mean, r.mean);
  j["mean"] = std::move(mean);
  return j;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string csv_number(double v) { return std::isfinite(v) ? fmt("%.6f", v) : std::string(v > 0 ? "inf" : "nan"); }

// RFC 4180: quote a field containing a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string scores_columns(const SrScores& s) {
  return fmt("%8.4f", s.psnr_y) + "  " + fmt("%7.5f", s.ssim_y) + "  " + fmt("%8.4f", s.psnr_rgb) + "  " +
         fmt("%8.5f", s.ssim_rgb);
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string format_eval_table(const std::vector<EvaluationResult>& runs, const EvalTableOptions& options) {
  std::string out;
  const std::string header_scores = "  PSNR-Y   SSIM-Y    PSNR-RGB  SSIM-RGB";
  if (options.per_image) {
    for (const EvaluationResult& r : runs) {
      std::size_t name_width = 8;
      for (const ImageEvaluation& im : r.images) name_width = std::max(name_width, im.name.size() + 2);
      out += r.dataset + " x" + std::to_string(r.scale) + " (" + r.method + ", shave " + std::to_string(r.shave) +
             (r.lr_generated ? ", LR generated" : "") + ")\n";
      out += pad("image", name_width) + header_scores + "\n";
      for (const ImageEvaluation& im : r.images) out += pad(im.name, name_width) + scores_columns(im.scores) + "\n";
      out += pad("mean", name_width) + scores_columns(r.mean) + "\n\n";
    }
  }
  std::size_t set_width = 9;
  for (const EvaluationResult& r : runs) set_width = std::max(set_width, r.dataset.size() + 2);
  out += pad("dataset", set_width) + "scale  images" + header_scores + "\n";
  for (const EvaluationResult& r : runs) {
    out += pad(r.dataset, set_width) + pad("x" + std::to_string(r.scale), 7) +
           fmt("%6.0f", static_cast<double>(r.images.size())) + scores_columns(r.mean) + "\n";
  }
  return out;
}

std::string eval_report_json(const std::vector<EvaluationResult>& runs) {
  if (runs.size() == 1) return run_json(runs.front()).dump(2) + "\n";
  ordered_json j;
  j["method"] = runs.empty() ? std::string() : runs.front().method;
  ordered_json list = ordered_json::array();
  for (const EvaluationResult& r : runs) list.push_back(run_json(r));
  j["runs"] = std::move(list);
  return j.dump(2) + "\n";
}

std::string eval_run_json(const EvaluationResult& run) { return run_json(run).dump(); }

std::string eval_report_csv(const std::vector<EvaluationResult>& runs) {
  std::string out = "dataset,scale,method,kind,name,psnr_y,ssim_y,psnr_rgb,ssim_rgb\n";
  auto row = [&](const EvaluationResult& r, const char* kind, const std::string& name, const SrScores& s) {
    out += csv_field(r.dataset) + "," + std::to_string(r.scale) + "," + csv_field(r.method) + "," + kind + "," +
           csv_field(name) + "," + csv_number(s.psnr_y) + "," + csv_number(s.ssim_y) + "," + csv_number(s.psnr_rgb) +
           "," + csv_number(s.ssim_rgb) + "\n";
  };
  for (const EvaluationResult& r : runs) {
    for (const ImageEvaluation& im : r.images) row(r, "image", im.name, im.scores);
    row(r, "mean", "", r.mean);
  }
  return out;
}

Status write_eval_json(const std::filesystem::path& path, const std::vector<EvaluationResult>& runs) {
  return write_file_atomically(path, eval_report_json(runs));
}

Status write_eval_csv(const std::filesystem::path& path, const std::vector<EvaluationResult>& runs) {
  return write_file_atomically(path, eval_report_csv(runs));
}

}  // namespace litesr
