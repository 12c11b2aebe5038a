// BandExecutor: layer-fused execution over bands of rows (DESIGN §6, docs/runtime.md).
//
// The image is split into bands of LR rows [y0, y1), one task each on the session's pool. Inside a band the
// network runs as a row pipeline: at step t (from y0 − 2·max_halo to y1 − 1) every LR step k computes its
// row t + h_k, where the halo h_k is how far its consumers' kernels reach beyond the rows they produce (a
// KxK conv adds (K−1)/2). Each step keeps only a ring of its newest rows — as many as its readers still
// need — so a thread's working set is Σ_steps channels × ring × row_stride floats (ELSR x4: 111 rows),
// independent of the band height, and stays in L2; halo rows are recomputed only at band boundaries.
// Rows outside the image are zero (the conv padding). Buffers are planar rows (kernel_conv.h ROW LAYOUT):
// x = 0 is 64-byte aligned with 16 zero floats before it and zeros after. Convs run the Highway row
// kernels (conv3x3 / conv1x1 / dwconv3x3 with weights packed at prepare(), epilogue bias → activation →
// residual); other kernel sizes use a scalar loop. A conv feeding the output pixel_shuffle is stored with
// pixel_shuffle_store_{u8,f32}_rows straight into the output image (clamped); other output-resolution
// steps (bicubic_upsample of the input, add) are evaluated one HR row at a time. No full-size intermediate
// exists and run() allocates nothing. Each output value's arithmetic does not depend on the band
// boundaries, so any band height and thread count give bitwise-identical results.
//
// Fusable programs: one or more inputs (all at LR); output 0 at factor == scale > 1, further outputs at LR
// (factor 1: a recurrent step's state maps, written as planar f32 for the rows of each band only); LR ops
// conv2d (stride 1), relu, leaky_relu, prelu, tanh, batch_norm, add, concat, slice; HR ops pixel_shuffle,
// bicubic_upsample (of an input), add. Everything else (squeeze_excite needs a global mean,
// conv_transpose2d) runs layer by layer.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "runtime/bicubic_table.h"
#include "runtime/epilogue_fusion.h"
#include "runtime/kernel_conv.h"
#include "runtime/program.h"
#include "runtime/thread_pool.h"

namespace litesr {

// One graph input: interleaved HWC rows (f32 or u8), or a planar f32 map (channel c, row y at
// planar + c·plane_stride + y·stride), or none of them set: all zeros (a recurrent state at a window start).
struct BandInput {
  const float* f32 = nullptr;
  const uint8_t* u8 = nullptr;     // converted as v / 255
  const float* planar = nullptr;   // used as is (state maps: never clamped)
  std::ptrdiff_t stride = 0;       // elements between rows
  std::ptrdiff_t plane_stride = 0; // planar: elements between channels
};
// Output 0 (factor == scale): interleaved HWC rows, f32 or u8. Outputs 1.. (LR): planar f32 maps, unclamped.
struct BandOutput {
  float* f32 = nullptr;    // clamped to [0, 1]
  uint8_t* u8 = nullptr;   // quantize_unit(v, 255)
  float* planar = nullptr;
  std::ptrdiff_t stride = 0;
  std::ptrdiff_t plane_stride = 0;
};

class BandExecutor {
 public:
  // OK when `program` can run fused; otherwise kUnsupported with the reason.
  static Status check_supported(const Program& program);
  // LR rows of context on each side that one output row needs: output rows [s·y0, s·y1) computed from input
  // rows [y0 − c, y1 + c) only (rows beyond the image being the image's own border handling) equal the
  // whole-image result. Used to stream images through in overlapping bands. kUnsupported as check_supported.
  static Result<int> context_rows(const Program& program);

  // band_rows 0 = auto (about two bands per thread). Packs the conv weights and allocates per-thread
  // workspaces for `threads` threads.
  Status prepare(const Program& program, int width, int height, int band_rows, int threads);
  int band_rows() const { return band_rows_; }
  // Runs all bands over the pool (pool.size() <= the threads given to prepare). No allocation.
  void run(ThreadPool& pool, const BandInput& in, const BandOutput& out);
  // Several inputs / outputs, in Program::inputs / Program::outputs order (sizes must match the program's).
  // An input map must not be an output map of the same run (bands read inputs while others write outputs).
  void run(ThreadPool& pool, std::span<const BandInput> inputs, std::span<const BandOutput> outputs);

 private:
  struct StepPlan {
    bool hr = false;        // computed per output row at factor == scale
    int halo = 0;           // LR steps: the step runs `halo` rows ahead of the band's output row
    int ring = 1;           // LR steps: rows kept (row y lives in slot y mod ring)
    std::size_t offset = 0; // float offset of this step's ring (LR) or HR row buffer in a workspace
    int packed = -1;        // convs: index into packed_ (Highway kernel), -1 = scalar loop
    int input = -1;         // kInput: index into Program::inputs
  };
  struct LrOutput {         // an LR output (index >= 1) whose values are in the rows of step `root`
    int root = -1, output = 0, channels = 0;
  };
  struct Workspace {
    std::vector<float> storage;             // all buffers of one thread (+ alignment slack)
    float* arena = nullptr;                 // 64-byte aligned start inside storage
    std::vector<const float*> in_ptrs;      // conv input row pointers
    std::vector<float*> out_ptrs;           // conv output row pointers
    std::vector<const float*> res_ptrs;     // residual row pointers
    std::vector<float*> plane_ptrs;         // deinterleave destinations
    std::vector<uint8_t*> u8_rows;          // pixel-shuffle store destinations (scale rows)
    std::vector<float*> f32_rows;
  };
  void run_band(int band, int thread);
  void compute_lr_row(int k, int y, Workspace& ws);
  void store_hr_rows(int y, Workspace& ws);
  static void band_task(void* self, int band, int thread);

  const Program* program_ = nullptr;
  int width_ = 0, height_ = 0, band_rows_ = 0, pad_ = 1, lead_ = 16, row_stride_ = 0, max_halo_ = 0;
  int shuffle_source_ = -1;  // >= 0: the output is pixel_shuffle(shuffle_source_) with 3 channels (fast store)
  std::size_t bicubic_offset_ = 0;
  std::vector<StepPlan> plans_;
  std::vector<FusedEpilogue> fusion_;  // per step: skipped steps read their alias's rows
  std::vector<PackedConv> packed_;
  std::vector<LrOutput> lr_outputs_;
  std::vector<Workspace> workspaces_;
  BicubicTable bicubic_v_, bicubic_h_;
  std::span<const BandInput> inputs_;
  std::span<const BandOutput> outputs_;
};

}  // namespace litesr
