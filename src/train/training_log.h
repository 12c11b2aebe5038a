// TrainingLog: the run's JSONL log (one JSON object per line, `event` = "train" | "val" | "stage" |
// "checkpoint" | "done") and its SVG plot of the loss and validation PSNR-Y curves. Torch-free.
//   train: {"event":"train","stage":"I","stage_index":0,"iteration":500,"global_iteration":500,
//           "loss":0.031,"lr":0.0005,"it_per_s":41.2,"elapsed_s":12.1}
//   val:   {"event":"val","stage":"I","global_iteration":1000,"psnr_y":29.1,"ssim_y":0.83,
//           "psnr_rgb":27.4,"ssim_rgb":0.80,"images":5}
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace litesr::train {

struct CurvePoint {
  int64_t global_iteration = 0;
  double value = 0.0;
};

class TrainingLog {
 public:
  // Opens (creating) `jsonl`. When `keep_until` >= 0 the existing lines are kept up to that global iteration
  // and, when the log holds it, up to the "checkpoint" event at that iteration (a resumed run drops what was
  // logged after its checkpoint, and writes the events of a stage boundary only once); the curves are reloaded
  // from them. Otherwise the file is truncated.
  static Result<TrainingLog> open(const std::filesystem::path& jsonl, const std::filesystem::path& svg,
                                  int64_t keep_until);

  Status append(const std::string& json_line);  // one object, no newline
  void add_loss(int64_t global_iteration, double loss) { loss_.push_back({global_iteration, loss}); }
  void add_psnr(int64_t global_iteration, double psnr) { psnr_.push_back({global_iteration, psnr}); }
  Status write_svg(const std::string& title) const;

  const std::vector<CurvePoint>& loss() const { return loss_; }
  const std::vector<CurvePoint>& psnr() const { return psnr_; }

 private:
  std::filesystem::path jsonl_;
  std::filesystem::path svg_;
  std::vector<CurvePoint> loss_;
  std::vector<CurvePoint> psnr_;
};

// A two-panel SVG (loss on a log axis, PSNR-Y in dB) of the curves; exposed for tests.
std::string curves_svg(const std::vector<CurvePoint>& loss, const std::vector<CurvePoint>& psnr,
                       const std::string& title);

// The curves of one run, read back from its train_log.jsonl (`litesr train --compare`).
struct RunCurves {
  std::string name;                // the run folder's name
  std::vector<CurvePoint> loss;    // "train" events
  std::vector<CurvePoint> psnr;    // "val" events at `scale`: validation PSNR-Y, dB
  int scale = 0;                   // the scale of the last validation (ELSR's x2 pre-training is left out); 0 = none
  int64_t last_iteration = 0;      // the largest global iteration logged
};

// Reads `run_dir`/train_log.jsonl; lines that are not JSON objects (a torn last line) are skipped. Only the
// validations at the scale of the last one are kept, so a x4 run's curve does not start with its x2 stage.
// Missing file: not_found; a log without a single train or val event: invalid_argument.
Result<RunCurves> read_run_curves(const std::filesystem::path& run_dir);

// Runs overlaid, one colour each: validation PSNR-Y at each run's final scale (top) and training loss (bottom,
// log axis) against the global iteration.
std::string comparison_svg(const std::vector<RunCurves>& runs, const std::string& title);

}  // namespace litesr::train
