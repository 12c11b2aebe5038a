// Reports of evaluation runs: a readable table, JSON and CSV (keys documented in docs/evaluation.md).
//
// JSON, one run (one dataset at one scale) — stable snake_case keys (DESIGN §7):
//   {"dataset": "Set5", "scale": 4, "method": "bicubic", "shave": 4, "lr_generated": false, "seconds": 0.7,
//    "images": [{"name": "baby", "width": 512, "height": 512,
//                "psnr_y": 31.78, "ssim_y": 0.8, "psnr_rgb": 30.1, "ssim_rgb": 0.78}, ...],
//    "mean": {"psnr_y": ..., "ssim_y": ..., "psnr_rgb": ..., "ssim_rgb": ...}}
// Several runs: {"method": "bicubic", "runs": [<run>, ...]}. An infinite PSNR (identical images) is null.
// CSV: header `dataset,scale,method,kind,name,psnr_y,ssim_y,psnr_rgb,ssim_rgb`, one `image` row per image
// and one `mean` row (empty name) per run; numbers printed with 6 decimals (inf as "inf").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "eval/evaluation.h"

namespace litesr {

struct EvalTableOptions {
  bool per_image = true;  // list every image before each run's mean row
};

// Fixed-width text: per-image rows (optional) and a summary with one row per run:
//   dataset  scale  images  PSNR-Y   SSIM-Y  PSNR-RGB  SSIM-RGB
std::string format_eval_table(const std::vector<EvaluationResult>& runs, const EvalTableOptions& options = {});

std::string eval_report_json(const std::vector<EvaluationResult>& runs);
// One run's JSON object as above, compact (no indentation): for reports that embed runs in a larger document
// (report/comparison_report.h).
std::string eval_run_json(const EvaluationResult& run);
std::string eval_report_csv(const std::vector<EvaluationResult>& runs);

// Atomic writes (io/atomic_file.h) of the JSON / CSV reports.
Status write_eval_json(const std::filesystem::path& path, const std::vector<EvaluationResult>& runs);
Status write_eval_csv(const std::filesystem::path& path, const std::vector<EvaluationResult>& runs);

}  // namespace litesr
