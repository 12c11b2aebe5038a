// PlaneExecutor: layer-by-layer execution on padded planar maps with the Highway row kernels, every
// layer's rows split over the session's thread pool — the fast path for programs the band executor cannot
// fuse (squeeze-excite's global mean, intermediate resolutions: SAM-SR's ×2 ×2 upsampler).
//
// Maps: step k's output is channels × H_k rows (H_k = factor · H) in the ROW LAYOUT of kernel_conv.h:
// row (c, y) at arena + offset + (c·H_k + y)·stride_k + 16, x = 0 64-byte aligned, zeros at x = −16..−1 and
// x = W_k..; rows outside the map read a shared zero row. Buffers are reused once their last reader has run
// (liveness over the step order), so memory ≈ the largest few live maps, not the sum of all.
// Convs: conv3x3 / conv1x1 / dwconv3x3 row kernels (weights packed at prepare), a following activation and
// residual add fused into the epilogue (epilogue_fusion.h, as in the band executor). squeeze_excite:
// per-channel means in double (one task per channel), fc → relu → fc → gate; then, when the gated map's only
// reader is a conv (MobileNetV3's project 1x1), the gates are folded into that conv's weights for this run
// (scale_conv_inputs) and the gated map is never written; otherwise a scaling pass writes it. The output
// conv stores its rows (clamped / quantised, interleaved) straight into the caller's image in the same task.
// Every value's arithmetic is independent of the row split, so the result does not depend on the thread count.
//
// Supported: one input, one 3-channel output at factor == scale; ops input, conv2d (3x3 dense, 1x1 dense,
// 3x3 depthwise), relu, leaky_relu, prelu, tanh, batch_norm, squeeze_excite (mean pooling), add, concat,
// slice, pixel_shuffle, bicubic_upsample of the input. Anything else runs on LayerExecutor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "runtime/band_executor.h"
#include "runtime/bicubic_table.h"
#include "runtime/epilogue_fusion.h"
#include "runtime/kernel_conv.h"
#include "runtime/program.h"
#include "runtime/thread_pool.h"

namespace litesr {

class PlaneExecutor {
 public:
  // OK when `program` can run here; otherwise kUnsupported with the reason.
  static Status check_supported(const Program& program);

  // Packs the conv weights and allocates every map and per-thread scratch for width x height inputs.
  Status prepare(const Program& program, int width, int height, int threads);
  // Runs every step over the pool (pool.size() <= the threads given to prepare). No allocation.
  void run(ThreadPool& pool, const BandInput& in, const BandOutput& out);

 private:
  struct StepPlan {
    int width = 0, height = 0, stride = 0;
    std::size_t offset = 0;  // float offset of the map in the arena
    int packed = -1;         // convs: index into packed_
    std::size_t se_offset = 0;  // squeeze_excite: offset of its [channels] gates in se_
    int se_fold = -1;           // squeeze_excite: index into se_folds_ when folded into its reader conv
  };
  struct Workspace {
    std::vector<const float*> in_ptrs;
    std::vector<float*> out_ptrs;
    std::vector<const float*> res_ptrs;
    std::vector<float> scratch;  // bicubic vertical pass: channels × input width
  };
  const float* row(int k, int c, int y) const;
  float* mutable_row(int k, int c, int y) const;
  void run_task(int task, int thread);
  void run_rows(int k, int y0, int y1, Workspace& ws);
  void compute_se_gates(ThreadPool& pool, int k);  // per-channel sums over the pool, then fc → relu → fc → gate
  void store_rows(int y0, int y1, Workspace& ws);
  static void task_fn(void* self, int task, int thread);

  const Program* program_ = nullptr;
  int width_ = 0, height_ = 0, output_root_ = -1;
  std::vector<StepPlan> plans_;
  std::vector<FusedEpilogue> fusion_;  // per step: skipped steps read their alias's map
  std::vector<PackedConv> packed_;
  struct SeFold {
    int conv_packed = -1;  // packed_[conv_packed] is rescaled from `base` by the gates each run
    PackedConv base;       // the conv's own weights
  };
  std::vector<SeFold> se_folds_;
  std::vector<float> storage_;
  float* arena_ = nullptr;
  std::vector<float> zero_row_;
  std::vector<double> se_sums_;  // per channel of the squeeze_excite step being run
  std::vector<float> se_;        // gates of every squeeze_excite step
  std::vector<Workspace> workspaces_;
  BicubicTable bicubic_v_, bicubic_h_;
  BandInput in_;
  BandOutput out_;
  // The step being run: phase 0 = rows (or per-channel sums for squeeze_excite), 1 = squeeze_excite scaling.
  int current_ = -1, phase_ = 0, rows_per_task_ = 1;
};

}  // namespace litesr
