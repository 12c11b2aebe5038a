// TrainingData: random (LR, HR) training patches from image folders or video sequences. Torch-free.
//
// Determinism: sample k of batch `iteration` of stage `stage` is a pure function of
// (seed, stage, iteration, k) through a counter-based RNG (SplitMix64), so batches do not depend on the
// number of loader threads, and a resumed run sees exactly the batches an uninterrupted one would
// (the "sampler position" is just the iteration).
//
// Sources (DataSpec::kind):
//   hr_folders       every image of hr_dirs (grey -> RGB, alpha dropped, 16-bit rounded to 8), mod-cropped
//                    to the scale; LR = MATLAB imresize(HR, 1/s) (eval/matlab_resize.h, uint8 rounding,
//                    `lr_border`), computed once per image and scale and kept in memory.
//   paired_folders   HR and LR files paired by stem ("a.png" with "a.png" or "ax4.png"); LR must be HR/s.
//   video_synthetic  the hr_folders images, as T-frame sequences: an LR crop window that moves by a constant
//                    random (dx, dy) of at most max_shift LR pixels per frame (HR window: s× that).
//   reds             REDS layout: hr_dirs[0]/<clip>/<frame>.png and lr_dirs[0]/<clip>/<frame>.png (same
//                    names); frames are read from disk per sample (REDS does not fit in memory).
// Augmentation (the same for LR, HR and every frame): horizontal flip, vertical flip, transpose (with the
// flips: all eight 90° rotations/reflections).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "train/recipe.h"

namespace litesr::train {

// One batch (or a rank's shard of it: `batch` samples), planar float32 in [0, 1]:
//   lr [batch, 3·frames, lr_size, lr_size], hr [batch, 3·frames, lr_size·scale, lr_size·scale]
// with channel = 3·t + colour (RGB).
struct Batch {
  int batch = 0;
  int frames = 1;
  int scale = 0;
  int lr_size = 0;
  std::vector<float> lr;
  std::vector<float> hr;
};

struct BatchRequest {
  uint64_t seed = 1;
  int stage = 0;
  int64_t iteration = 0;  // iteration within the stage
  int scale = 4;
  int patch = 64;         // HR patch side (multiple of scale)
  int batch = 16;          // samples in the whole (global) batch
  bool flips = true;
  bool rotations = true;
  // The shard to make: samples first .. first + count - 1 of the global batch (count 0: all of it). A data-parallel
  // rank makes only its own shard; sample k is the same whichever rank makes it.
  int first = 0;
  int count = 0;

  int shard_size() const { return count > 0 ? count : batch - first; }
};

class TrainingData {
 public:
  virtual ~TrainingData() = default;
  // Prepares everything batches of `scale` need (LR caches); call before make_batch for that scale.
  virtual Status prepare_scale(int scale, int threads) = 0;
  // Thread-safe. Fails when no image is large enough for the patch.
  virtual Result<Batch> make_batch(const BatchRequest& request) const = 0;
  virtual int frames() const = 0;
  virtual std::size_t size() const = 0;  // images or clips
};

// Opens the source described by `spec` (reads still images into memory: fails on unreadable files).
Result<std::unique_ptr<TrainingData>> open_training_data(const DataSpec& spec, int threads);

// The counter-based generator used for sampling (exposed for tests).
class SampleRng {
 public:
  SampleRng(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
  uint64_t next();
  // Uniform integer in [0, n), n > 0.
  int64_t below(int64_t n);

 private:
  uint64_t state_;
};

}  // namespace litesr::train
