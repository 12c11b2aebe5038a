// Int8BandExecutor: an INT8 program (int8_program.h) run layer-fused over bands of rows, multi-threaded — the
// integer twin of BandExecutor (band_executor.h), sharing its row pipeline (row_pipeline.h): every step keeps a
// ring of its newest int8 rows, each band runs through the whole network with the rows in a per-thread workspace
// (ELSR x4: 6-channel rings of 3 rows, ~100 KB per thread at 960 px), and any band height and thread count give
// the same integers as run_int8_reference, bit for bit.
//
// Rows are planar int8 (kernel_conv3x3_int8.h ROW LAYOUT): x = 0 is 64-byte aligned, and the padding columns
// each side hold the step's output zero point (TFLite pads a conv input with its zero point); rows outside the
// image are all zero point. Ops, each with TFLite's integer semantics (quant/reference_ops.h):
//   conv2d 3x3 dense   kernel_conv3x3_int8.h (VNNI / AVX2 / scalar by the thread's ISA)
//   conv2d 1x1 dense   the same file's 1x1 kernel (AVX-512 VNNI / scalar)
//   depthwise 3x3      depthwise3x3_int8_rows: a one-channel 3x3 conv per channel (AVX-512: one kernel for all)
//   other conv2d       a scalar row loop (any odd kernel, any groups)
//   relu, leaky_relu, prelu, tanh, sigmoid, requantize (slice / concat / pixel_shuffle with new parameters):
//                      per-channel 256-entry tables made from the reference element functions
//   add                add_int8_row (kernel_conv3x3_int8.h: AVX-512 / scalar), left to right per addend
//   pixel_shuffle      a byte interleave; the output pixel_shuffle of 3 colours is stored straight into the image
// Input: interleaved u8 (a 256-entry table: q = v − 128 at the image parameters) or f32 (quantize_value);
// output: u8 (q + 128 at the image parameters, else dequantize + round) or f32 (dequantize, clamped to [0, 1]) —
// int8_map_from_image / int8_map_to_image exactly.
//
//   squeeze_excite     a per-channel 256-entry MUL table of this run's gates (below)
//   bicubic_upsample   the int8 phase filters over the input's rows, mirrored at the borders (int8_program.h)
// A recurrent step (several inputs: x_prev, x_t, states -> frame, states'; runtime/multi_frame_session.h) runs
// with every input a planar int8 map at its step's parameters (Int8PlanarMap; null = all zero point, the zero
// state) and its outputs after the first, at the input resolution, written into planar int8 maps row by row.
//
// Squeeze-excite (a whole-image mean) splits a run into passes over all bands, as in BandExecutor: a step's stage
// is the number of squeeze-excites on its longest input path, and pass q computes the stage-q steps its targets
// need. Targets: every CHECKPOINT of stage q — a map a later stage reads (a squeeze-excite's input among them),
// written whole as planar int8 rows (1 byte a sample, so kept rather than recomputed) and read in place by the
// later passes — and, in the last pass, the outputs. A squeeze-excite input's integer row sums Σ(q − zp) are added
// per thread while its band rows are written (exact in any order); after the pass squeeze_excite_gates_int8 turns
// them into the gates and each channel's MUL table. Checkpoints whose lifetimes (written .. last read) do not
// overlap share memory. Equal to run_int8_reference bit for bit for any band height and thread count.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "runtime/band_executor.h"
#include "runtime/int8_program.h"
#include "runtime/kernel_conv3x3_int8.h"
#include "runtime/kernel_int8_rows.h"
#include "runtime/thread_pool.h"

namespace litesr {

// A planar int8 map [C][H][W]: sample (c, y, x) at data[c·plane_stride + y·stride + x].
struct Int8PlanarMap {
  int8_t* data = nullptr;  // inputs: read only; null = every sample the step's zero point
  std::ptrdiff_t stride = 0;
  std::ptrdiff_t plane_stride = 0;
};

class Int8BandExecutor {
 public:
  // OK when `program` can run in bands: scale >= 2, the output at scale × the input size (outputs after the
  // first at the input size), every op of int8_program.h with "same" stride-1 convs; otherwise kUnsupported.
  static Status check_supported(const Int8Program& program);
  // LR rows of context each side of a band that make its output equal the whole image's (as BandExecutor's).
  static Result<int> context_rows(const Int8Program& program);

  // Tables, packed weights and per-thread workspaces for width x height inputs; band_rows 0 = auto.
  Status prepare(const Int8Program& program, int width, int height, int band_rows, int threads);
  int band_rows() const { return band_rows_; }
  // in: interleaved u8 or f32 (3 channels or the input step's); out: interleaved u8 or f32. No allocation.
  // One-input programs.
  void run(ThreadPool& pool, const BandInput& in, const BandOutput& out);
  // Any program: inputs[i] for Int8Program::inputs[i]; the first output into `out` (as above), output i >= 1 into
  // states[i − 1]. Inputs and outputs must not overlap.
  void run(ThreadPool& pool, std::span<const Int8PlanarMap> inputs, const BandOutput& out,
           std::span<const Int8PlanarMap> states);

 private:
  struct StepPlan {
    bool computed = false;  // rows computed in this pass (into the ring)
    int checkpoint = -1;    // >= 0: rows read from this checkpoint (written by an earlier pass)
    int save = -1;          // >= 0: the band's own rows computed straight into this checkpoint (and summed if it
                            // feeds an SE); its lead rows (another band's) into the ring
    int factor = 1, width = 0, halo = 0, ring = 1, stride = 0;
    std::size_t offset = 0;  // bytes into a workspace
  };
  struct Pass {
    std::vector<StepPlan> plans;
    std::vector<int> order;  // computed steps, topological
    int lead_ticks = 0;
    bool final = false;            // computes the outputs
    std::vector<int> gates_after;  // indices into se_: gates computed after this pass
  };
  struct Checkpoint {
    int step = -1, channels = 0, rows = 0, width = 0, stride = 0;
    bool summed = false;       // a squeeze-excite reads it: its rows' sums go into Workspace::sums
    std::size_t offset = 0;    // into checkpoint_arena_: [channels][rows] rows of `stride` bytes
    std::size_t zero_row = 0;  // into checkpoint_arena_: one row of zero points (rows outside the image)
  };
  struct SqueezeExcite {
    int step = -1;
    int checkpoint = -1;  // its input's
    MulParams mul;        // x · gate at the step's parameters
  };
  struct BicubicFilter {  // nonzero int8 taps per phase channel (c·s² + i·s + j) of a bicubic_upsample step
    std::vector<std::vector<Int8Tap>> taps;  // row: dy + R (of the 2R + 1 mirrored rows), dx in [−R, R]
    std::vector<QuantizedMultiplier> multipliers;
    int radius = 0;
    bool mirror = false;
  };
  struct GenericConv {  // convs the 3x3 kernel does not take: PyTorch layout weights, scalar loop
    int kernel = 1, groups = 1, cin = 0, cout = 0;
    int32_t input_offset = 0, output_zero_point = 0;
    std::vector<int8_t> weight;  // [O][C/G][k][k]
    std::vector<int32_t> bias;   // [O]
    std::vector<QuantizedMultiplier> multipliers;
  };
  struct StepOps {  // what compute_row needs for one step
    int dense = -1;                    // index into dense_ (dense 3x3 and 1x1 convs)
    int depthwise = -1;                // index into depthwise_
    int generic = -1;                  // index into generic_
    std::vector<Int8Table> tables;     // unary: [C] or [1]; concat: [inputs] (requantize); slice / shuffle: [1]
    std::vector<bool> identity;        // concat: per input, no requantize
    std::vector<PackedAddInt8> adds;   // add: [inputs − 1]
    bool requantize = false;           // slice / pixel_shuffle: apply tables[0]
    int se = -1;                       // squeeze_excite: index into se_ (tables: [C], this run's gates)
    int bicubic = -1;                  // bicubic_upsample: index into bicubic_
  };
  struct Workspace {
    std::vector<int8_t> storage;
    int8_t* arena = nullptr;  // 64-byte aligned
    std::vector<int> next_row;
    int band_first = 0, band_end = 0;  // LR rows [first, end) of the current band
    std::vector<const int8_t*> in_ptrs;
    std::vector<int8_t*> out_ptrs;  // conv output rows; the input step's planes
    std::vector<uint8_t*> u8_rows;
    std::vector<float*> f32_rows;
    std::vector<int32_t> acc;  // generic conv sums of one output row
    std::vector<int8_t> mirrored;            // bicubic: [2R + 1] input rows with R mirrored columns each side
    std::vector<const int8_t*> mirrored_rows;  // bicubic: x = 0 of each of them
    std::vector<int8_t> phase_rows;            // bicubic: [s][width] one output row's phases before interleaving
    std::vector<std::vector<int64_t>> sums;  // per checkpoint (summed ones): [C] Σ(q − zp) of the rows written
  };
  Status prepare_ops();
  Status plan_passes(int width, int height);
  double boundary_share() const;  // BoundaryWork::share() of the passes (conv MACs)
  // Row y of every channel of a step: channel c at base + c · channel_stride (the ring slot found once per row).
  struct ChannelRows {
    int8_t* base = nullptr;
    std::ptrdiff_t channel_stride = 0;
    int8_t* operator[](int c) const { return base + c * channel_stride; }
  };
  ChannelRows channel_rows(const Workspace& ws, int step, int y) const;
  int8_t* row_ptr(const Workspace& ws, int step, int c, int y) const { return channel_rows(ws, step, y)[c]; }
  void run_passes(ThreadPool& pool);
  void finish_gates(const Pass& pass);
  void run_band(int band, int thread);
  void bicubic_row(int k, int y, Workspace& ws);
  void compute_row(int k, int y, Workspace& ws);
  void store_rows(int y, Workspace& ws);
  void store_output_row(int y, Workspace& ws);
  static void band_task(void* self, int band, int thread);

  const Int8Program* program_ = nullptr;
  int width_ = 0, height_ = 0, band_rows_ = 0, pad_ = 1;
  std::vector<int> factor_;
  std::vector<int> stage_;
  std::vector<Pass> passes_;
  const Pass* pass_ = nullptr;  // the pass running
  std::vector<Checkpoint> checkpoints_;
  std::vector<int8_t> checkpoint_storage_;
  int8_t* checkpoint_arena_ = nullptr;  // 64-byte aligned
  std::vector<SqueezeExcite> se_;
  std::vector<BicubicFilter> bicubic_;
  int shuffle_source_ = -1;  // >= 0: the output is a 3-colour pixel_shuffle of this step's rows, stored directly
  std::vector<int> input_index_;   // per step: its index in Int8Program::inputs, or -1
  std::vector<int> output_index_;  // per step: its index >= 1 in Int8Program::outputs (a state), or -1
  std::span<const Int8PlanarMap> planar_inputs_, state_outputs_;  // the current run's (planar run only)
  std::vector<StepOps> ops_;
  std::vector<PackedConvInt8> dense_;                   // dense 3x3 and 1x1 convs (PackedConvInt8::kernel)
  std::vector<std::vector<PackedConvInt8>> depthwise_;  // per depthwise 3x3 conv: one 1 -> 1 conv per channel
  std::vector<GenericConv> generic_;
  ByteToInt8Table input_u8_;
  Int8ToByteTable output_u8_;    // the output step's int8 -> u8
  Int8ToFloatTable output_f32_;  // and -> f32
  // The shuffle source's int8 -> u8 / f32: the tables above after the output shuffle's requantization (if any).
  Int8ToByteTable shuffle_u8_;
  Int8ToFloatTable shuffle_f32_;
  std::size_t arena_bytes_ = 0;
  std::vector<Workspace> workspaces_;
  BandInput in_;
  BandOutput out_;
};

}  // namespace litesr
