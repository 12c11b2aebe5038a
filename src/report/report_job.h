// Everything `litesr compare` and `litesr eval --report` do between parsing and printing: build each method's
// upscaler per scale, run the comparison on every input (report/comparison.h), describe and time every model
// (report/model_card.h), and gather it all into a ComparisonReport (report/comparison_report.h).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "report/comparison.h"
#include "report/comparison_report.h"
#include "report/model_card.h"

namespace litesr {

struct ReportJob {
  std::vector<std::string> methods;     // score columns, in order: "bicubic" (MATLAB-exact) or a model name/file
  std::vector<ComparisonInput> inputs;  // opened inputs, each with its scale
  ComparisonOptions options;            // shave, jobs, panels, cancel, progress (save_dir: see save_root)
  int threads = 0;                      // session threads of the models (0 = all cores)
  // Makes method `name`'s upscaler at `scale`; empty = make_method_upscaler(name, scale, threads).
  std::function<Result<ImageUpscaler>(const std::string& name, int scale)> make_upscaler;
  ModelCardOptions timing;  // timed_runs (0 = none), warmup_runs, threads; scale is set per input
  // When set, method `save_method`'s outputs are written to save_root/<set name>/x<scale>/<image>.png
  // (`litesr eval --save`).
  std::filesystem::path save_root;
  int save_method = -1;
  // Report header.
  std::string title;
  std::string command;
  std::string version;
  std::string generated;
  std::vector<std::string> notes;
};

// Errors: kNotFound / kInvalidArgument for a model that does not exist or lacks a scale (before any work), then
// the first failure of the comparison.
Result<ComparisonReport> run_report_job(const ReportJob& job);

// The scale the models share (bicubic takes any): kInvalidArgument when they differ; `fallback` when every
// method is bicubic.
Result<int> common_model_scale(const std::vector<std::string>& methods, int fallback);

// The input as a comparison input (a dataset opened by eval/sr_dataset.h).
ComparisonInput comparison_input_from_dataset(SrDataset dataset, BorderMode lr_border);

}  // namespace litesr
