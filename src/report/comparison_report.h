// The report of a comparison (`litesr compare --report/--json`, `litesr eval --report`): one self-contained HTML
// page (report/html_page.h) and the JSON of the same numbers.
//
// HTML sections: how it was made (the exact command, the version, and every model: name, source, SHA-256,
// architecture, parameters, MACs and measured ms per 720p frame); scores (a table of each dataset's means, then
// per dataset a sortable table per metric — PSNR-Y, SSIM-Y, PSNR-RGB, SSIM-RGB — with one row per image, the
// mean in the footer and the best value of each row marked); trade-off charts (report/report_charts.h); and an
// image panel per image (report/panel_html.h). Score cells carry data-set / data-metric attributes on their
// table and data-row / data-col / data-value on the cell (report/score_table.h).
//
// JSON (`litesr compare --json`), stable snake_case keys (docs/report.md):
//   {"command": "...", "version": "0.2.0", "methods": ["bicubic", "elsr-x4"],
//    "models": [{"name", "source", "sha256", "file_bytes", "arch", "scale", "frames", "params", "macs_720p",
//                "ms_per_frame_720p" (null when not timed), "timing": {...} | null, "timing_error"}],
//    "sets": [{"dataset", "scale", "has_hr", "lr_generated", "shave", "images": [names],
//              "runs": [<one eval run per method, eval/eval_report.h's JSON>]}]}
#pragma once

#include <string>
#include <vector>

#include "report/comparison.h"
#include "report/model_card.h"

namespace litesr {

struct ComparisonReport {
  std::string title;                 // "LiteSR comparison: bicubic, elsr-x4"
  std::string command;               // the command line (report/html_encoding.h shell_command_line)
  std::string version;               // litesr's version
  std::string generated;             // when, as text ("2025-06-01 10:00 UTC"); "" = not shown
  std::vector<std::string> methods;  // the score columns, in order
  int reference = -1;                // index of bicubic in methods (gain chart, default before/after), -1 none
  std::vector<ModelCard> models;     // one per (method, scale) used
  std::vector<ComparedSet> sets;
  std::vector<std::string> notes;  // plain-text notes shown under the command (e.g. timing skipped)
};

std::string comparison_report_html(const ComparisonReport& report);
std::string comparison_report_json(const ComparisonReport& report);

// Fixed-width text for the terminal: per set, one row per method with its mean scores and ms per 720p frame:
//   method   PSNR-Y   SSIM-Y   PSNR-RGB  SSIM-RGB   ms/720p
std::string comparison_report_text(const ComparisonReport& report);

// The card of `method` at `scale` in report.models, or nullptr.
const ModelCard* find_model_card(const ComparisonReport& report, const std::string& method, int scale);

}  // namespace litesr
