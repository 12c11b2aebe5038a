// The report of `litesr train --compare RUN ... --report FILE.html`: training runs side by side — a summary table,
// the validation PSNR-Y and training-loss curves overlaid, and, when the run folders hold them, the validation
// images' crops over time (an image panel per run and image: one layer per iteration, with the zoom, pan and
// before/after slider of every report; report/panel_html.h).
//
// Validation crops in a run folder (written by the trainer; any of png, jpg, webp):
//   RUN/val_crops/<iteration>/<image>.png   the network's output crop of validation image <image> at that global
//                                           iteration (the folder name is the iteration, digits only)
//   RUN/val_crops/hr/<image>.png            optional: the ground truth's crop at the same place and size
//   RUN/val_crops/lr/<image>.png            optional: the LR input's crop (1/scale of the size; shown magnified)
// All crops of one image must have one size; an iteration whose crop differs is left out with a note. At most
// `max_steps` iterations per image are shown (the first, the last and evenly spaced ones between), each crop at
// most `max_crop_side` pixels per side (a centred window of larger ones).
//
// This module does not depend on LibTorch: the caller (cli/cmd_train.cpp) copies each run's curves from
// train/training_log.h's RunCurves into TrainingRunCurves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace litesr {

struct TrainingPoint {
  int64_t iteration = 0;  // global iteration
  double value = 0;
};

struct TrainingRunCurves {
  std::string name;           // the run folder's name
  std::filesystem::path dir;  // the run folder
  int scale = 0;              // the scale of its validations (0 = none)
  int64_t last_iteration = 0;
  std::vector<TrainingPoint> loss;  // training loss
  std::vector<TrainingPoint> psnr;  // validation PSNR-Y (dB) at `scale`
};

struct ValidationCropFile {
  int64_t iteration = 0;
  std::filesystem::path path;
};

struct ValidationCropSeries {
  std::string image;                      // validation image name (file stem)
  std::vector<ValidationCropFile> steps;  // by iteration
  std::filesystem::path hr;               // "" when absent
  std::filesystem::path lr;               // "" when absent
};

// The crops in run_dir/val_crops (layout above), images sorted by name; empty when the folder is absent.
Result<std::vector<ValidationCropSeries>> find_validation_crops(const std::filesystem::path& run_dir);

struct TrainingReportOptions {
  std::string title = "LiteSR training runs";
  std::string command;
  std::string version;
  std::string generated;
  int max_steps = 8;
  int max_crop_side = 192;
};

// kCorruptData / kIoError when a crop file cannot be read.
Result<std::string> training_report_html(const std::vector<TrainingRunCurves>& runs,
                                         const TrainingReportOptions& options);

// {"command", "version", "runs": [{"name", "dir", "scale", "iterations", "validations", "last_psnr_y",
//   "best_psnr_y", "best_iteration", "psnr": [[iteration, dB], ...], "loss": [[iteration, loss], ...],
//   "crops": {"images": [...], "iterations": [...]}}]}; PSNR fields are null without validations.
Result<std::string> training_report_json(const std::vector<TrainingRunCurves>& runs,
                                         const TrainingReportOptions& options);

}  // namespace litesr
