// BandExecutor: layer-fused execution over bands of rows (DESIGN §6, docs/runtime.md).
//
// The image is split into bands of LR rows [y0, y1), one task each on the session's pool. Inside a band the
// network runs as a row pipeline over ticks t (LR rows): a step at resolution factor f (its size is f × the
// LR size) has produced, by the end of tick t, its rows up to f·(t+1) − 1 + h, where its lead h (in its own
// rows) is how far its readers reach beyond the rows they produce: a KxK conv reader at lead h_c needs
// h_c + (K−1)/2, a pixel_shuffle(r) reader ⌈h_c / r⌉, an elementwise reader h_c. Each step computes rows
// [f·y0 − h, f·y1 + h) of the band and keeps only a ring of its newest rows — as many as its readers still
// need — so a thread's working set is Σ_steps channels × ring × row_stride floats (ELSR x4: 111 rows),
// independent of the band height, and stays in L2; lead rows are recomputed only at band boundaries. Rows
// outside the image are zero (the conv padding). Buffers are planar rows (kernel_conv.h ROW LAYOUT): x = 0 is
// 64-byte aligned with 16 zero floats before it and zeros after. Convs run the Highway row kernels (conv3x3
// / conv1x1 / dwconv3x3 with weights packed at prepare(), epilogue bias → activation → residual); larger
// odd kernels with cin·k² <= 512 (FSRCNN's and ESPCN's 5x5) run the conv1x1 kernel over their k² shifted rows
// per input channel; the rest use a scalar loop. Steps at any factor (SAM-SR's ×2 then ×4 upsampler) run the same way.
// An output = pixel_shuffle(LR conv) with 3 colours is stored with pixel_shuffle_store_{u8,f32}_rows
// straight into the output image (clamped); any other output step's rows are stored as they are computed.
//
// Squeeze-excite (a whole-image channel mean) splits the run into passes over all bands. A step's stage is
// the number of squeeze-excites on its longest input path; pass q computes what stage q needs: the row sums
// of every squeeze-excite input of stage q (squeeze_excite.h: per row in double, rows added in y order),
// then the gates, which fold into the weights of the conv that reads the gated map (scale_conv_inputs) or
// scale its rows. A stage-q map that a later stage reads is a checkpoint: written whole (planar f32) in pass q —
// each band computes its own rows straight into it, its lead rows (another band's) into its ring — and read back
// in the later pass. A map read later only through a squeeze-excite (its input) is a checkpoint only up to
// max_stored_squeeze_input_bytes, and otherwise recomputed from the checkpoints (SAM-SR: the residual stream x_j,
// nf channels, is always stored; the block's depthwise output, 2nf channels, stored at small sizes, else its
// expand and depthwise convs run twice). The last pass computes the outputs.
//
// No full-size intermediate exists other than checkpoints, and run() allocates nothing. Each value's
// arithmetic does not depend on the band boundaries, so any band height and thread count give
// bitwise-identical results.
//
// Fusable programs: one or more inputs (all at LR); output 0 at factor == scale > 1, further outputs at LR
// (factor 1: a recurrent step's state maps, written as planar f32 for the rows of each band only). Ops at
// any integer factor: conv2d (stride 1, "same" padding), relu, leaky_relu, prelu, tanh, batch_norm, add,
// concat, slice, pixel_shuffle, squeeze_excite (mean pooling), bicubic_upsample (of an input). Everything
// else (conv_transpose2d, strided convs, pooling, bilinear resizes, mean+std pooling) runs layer by layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "base/row_sink.h"
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
  // Output 0 only, optional: told of each LR row's `scale` output rows once the band that owns them has stored
  // them (base/row_sink.h), on that band's thread.
  RowSink* rows = nullptr;
};

// How run() passes an input. kCopied: interleaved or planar rows, converted into the executor's own rows.
// kPlanarInPlace: a planar f32 map (BandInput::planar, or null for zeros) read where it is, so it must have the
// kernel_conv.h ROW LAYOUT: at least kBandPlanarPad zero floats before x = 0 and after x = width − 1 of every
// row (x = 0 64-byte aligned for speed). A recurrent step's frames and states: no copy per row.
enum class InputLayout : uint8_t { kCopied, kPlanarInPlace };
inline constexpr int kBandPlanarPad = 16;

// A squeeze-excite's input map is stored as a checkpoint (written in the pass that sums it, read back by the next)
// when it has at most this many bytes, and recomputed from the earlier checkpoints otherwise: reading a map back
// is cheaper while it stays in cache, recomputing (SAM-SR: the block's expand and depthwise convs, 800 MACs per
// pixel) once it must come from memory. Measured with sam-sr-xlite-x4 (32-channel maps; `litesr bench`, 2 threads)
// on the Intel Xeon of 2026-12-06, stored against recomputed: 320x180 (7 MiB) and 256x256 (8 MiB) 8-17 % faster,
// 480x270 (16 MiB) 15-20 % faster, 640x480 (38 MiB) equal, 960x540 (63 MiB) 20 % slower, 1000x750 (92 MiB) 8 %
// slower with 184 MB more memory.
inline constexpr std::size_t kDefaultMaxStoredSqueezeInputBytes = std::size_t{20} << 20;

class BandExecutor {
 public:
  // OK when `program` can run fused; otherwise kUnsupported with the reason.
  static Status check_supported(const Program& program);
  // LR rows of context on each side that one output row needs: output rows [s·y0, s·y1) computed from input
  // rows [y0 − c, y1 + c) only (rows beyond the image being the image's own border handling) equal the
  // whole-image result. Used to stream images through in overlapping bands. kUnsupported as check_supported,
  // and for squeeze-excite (an output row depends on the whole image).
  static Result<int> context_rows(const Program& program);

  // band_rows 0 = auto (about two bands per thread). Packs the conv weights and allocates per-thread
  // workspaces for `threads` threads. input_layouts (empty = all kCopied) says how run() passes each input.
  // A squeeze-excite input map of at most max_stored_squeeze_input_bytes is stored as a checkpoint, a larger one
  // recomputed (kDefaultMaxStoredSqueezeInputBytes; the same values either way).
  Status prepare(const Program& program, int width, int height, int band_rows, int threads,
                 std::span<const InputLayout> input_layouts = {},
                 std::size_t max_stored_squeeze_input_bytes = kDefaultMaxStoredSqueezeInputBytes);
  int band_rows() const { return band_rows_; }
  // Runs all bands over the pool (pool.size() <= the threads given to prepare). No allocation.
  void run(ThreadPool& pool, const BandInput& in, const BandOutput& out);
  // Several inputs / outputs, in Program::inputs / Program::outputs order (sizes must match the program's).
  // An input map must not be an output map of the same run (bands read inputs while others write outputs).
  void run(ThreadPool& pool, std::span<const BandInput> inputs, std::span<const BandOutput> outputs);

 private:
  // Where a step's rows live (rows_of).
  enum class RowStorage : uint8_t {
    kRing,        // its own ring in the thread's workspace
    kOutput,      // the caller's planar LR output map (computed straight into it)
    kCheckpoint,  // a checkpoint map of an earlier pass, read in place
    kInput,       // the caller's planar input map, read in place (InputLayout::kPlanarInPlace)
    kGather,      // a concat of inputs: channel c is its source input's row
  };
  // One step's part in one pass. Only roots (FusedEpilogue::alias == the step) have rows.
  struct StepPlan {
    bool active = false;      // has rows in this pass: computed, or loaded (input; checkpoint: read in place)
    bool load = false;        // rows come from an input or a checkpoint, not computed
    int factor = 1;           // size = factor × the LR size
    int width = 0;            // factor × LR width
    int halo = 0;             // own rows this step runs ahead of the band's rows
    int ring = 1;             // rows kept (row y lives in slot y mod ring)
    int stride = 0;           // floats between rows
    std::size_t offset = 0;   // float offset of this step's ring in a workspace
    int input = -1;           // kInput: index into Program::inputs
    int checkpoint = -1;      // load: rows from checkpoints_[checkpoint]
    int save = -1;            // computed: its band rows are computed straight into checkpoints_[save]
    int se_sum = -1;          // computed: its band rows are summed into se_[se_sum]
    RowStorage rows = RowStorage::kRing;
    int gather = -1;              // kGather: index into Pass::gathers
    int direct_output = -1;       // kOutput: rows are computed straight into outputs_[direct_output]'s map
    int bicubic = -1;             // bicubic_upsample: index into bicubic_
    bool stored_by_output = false;  // the output add: store_output_row adds its inputs while storing
  };
  struct Pass {
    std::vector<StepPlan> plans;  // per step
    std::vector<int> order;       // roots computed (or loaded into rings) in this pass, program order
    std::vector<std::vector<std::pair<int, int>>> gathers;  // per gathering concat: channel -> (input, channel)
    std::vector<int> gates_after; // indices into se_ whose gates are computed after this pass
    int lead_ticks = 0;           // the row pipeline starts this many ticks before a band's first row
    bool final = false;           // computes the outputs
  };
  struct LrOutput {  // an LR output (index >= 1) whose values are in the rows of step `root`
    int root = -1, output = 0, channels = 0;
  };
  struct Checkpoint {  // a whole map (planar f32 [channels][rows][width]) carried from one pass to later ones
    int step = -1, channels = 0, rows = 0, width = 0;
    int stride = 0;          // floats between rows (kernel_conv.h ROW LAYOUT: zero padding columns)
    std::size_t offset = 0;  // into checkpoint_arena_
  };
  struct SqueezeExcite {
    int step = -1;                  // the squeeze_excite step
    int channels = 0, rows = 0;     // of its input map
    double count = 0;               // pixels of its input map
    std::vector<double> row_sums;   // [rows][channels]
    std::vector<double> sums;       // [channels]
    std::vector<float> hidden, gates;
    int fold_conv = -1;             // >= 0: the conv step whose packed weights the gates scale
    PackedConv base;                // that conv's own packed weights
  };
  struct Workspace {
    std::vector<float> storage;             // all buffers of one thread (+ alignment slack)
    float* arena = nullptr;                 // 64-byte aligned start inside storage
    std::vector<int> next_row;              // per step: the next row to compute in the current band
    int band_first = 0, band_end = 0;       // LR rows [first, end) of the current band
    std::vector<const float*> in_ptrs;      // conv input row pointers
    std::vector<float*> out_ptrs;           // conv output row pointers
    std::vector<const float*> res_ptrs;     // residual row pointers
    std::vector<float*> plane_ptrs;         // deinterleave destinations
    std::vector<const float*> sum_rows;     // squeeze-excite row sums: one row per channel
    std::vector<uint8_t*> u8_rows;          // pixel-shuffle store destinations (scale rows)
    std::vector<float*> f32_rows;
    std::vector<float> scratch;         // bicubic: the vertical pass [channels][LR width], the phases, and
    std::size_t input_rows_offset = 0;  //   from this offset input rows as planar f32 [slot][channels][LR width]
    std::vector<std::pair<int, int>> input_row_of_slot;  // (input, row) each slot holds; (-1, -1) none
  };
  struct BicubicRows {  // one bicubic_upsample: its tables and the horizontal pass's periodic interior
    BicubicTable vertical, horizontal;
    int interior_lo = 0, interior_hi = 0;  // input columns whose outputs follow the phase weights
    std::vector<int> phase_base;           // [r]: output x·r + j reads input x + phase_base[j] + t
    std::vector<float> phase_weight;       // [r][taps]
  };
  // Row y of every channel of one step, its location resolved once (the ring slot, the map row): channel c is
  // at base + c·channel_stride (0 for the shared zero row outside a map), or, for a gathering concat, the row of
  // its source input.
  struct StepRows {
    float* base = nullptr;
    std::ptrdiff_t channel_stride = 0;
    const std::vector<std::pair<int, int>>* gather = nullptr;  // kGather: channel -> (input step, its channel)
    const BandExecutor* executor = nullptr;                    // kGather: resolves the sources' rows
    const Workspace* ws = nullptr;
    int y = 0;
    float* operator[](int c) const { return gather == nullptr ? base + c * channel_stride : gathered(c); }
    float* gathered(int c) const;
  };
  static BicubicRows plan_bicubic_rows(BicubicTable vertical, BicubicTable horizontal, int r);
  Status plan_passes();
  double boundary_share() const;  // BoundaryWork::share() of the passes (conv MACs)
  void run_band(int band, int thread);
  StepRows rows_of(const Workspace& ws, int step, int y) const;  // row y of a step's channels
  StepRows checkpoint_rows(const Checkpoint& cp, int y) const;   // row y (in the map) of a checkpoint
  const float* input_plane_row(int input, int channels, int c, int y, Workspace& ws) const;  // bicubic input
  void compute_row(int k, int y, Workspace& ws);
  void after_row(int k, int y, int band_first, int band_end, Workspace& ws);
  void store_output_row(int k, int y, Workspace& ws);
  void store_shuffled_rows(int y, Workspace& ws);
  void finish_gates(const Pass& pass);
  static void band_task(void* self, int band, int thread);

  const Program* program_ = nullptr;
  int width_ = 0, height_ = 0, band_rows_ = 0, pad_ = 1, lead_ = 16;
  std::size_t max_stored_squeeze_input_bytes_ = kDefaultMaxStoredSqueezeInputBytes;
  int shuffle_source_ = -1;  // >= 0: the output is pixel_shuffle(shuffle_source_) with 3 channels (fast store)
  int output_root_ = -1;     // otherwise: the step whose rows are the output
  bool store_adds_ = false;  // output_root_ is an add of two RGB or luma maps, summed while storing
  std::vector<int> stage_;
  std::vector<FusedEpilogue> fusion_;  // per step: skipped steps read their alias's rows
  std::vector<int> packed_of_;         // per step: index into packed_, -1 = scalar loop / not a conv
  std::vector<PackedConv> packed_;
  std::vector<Pass> passes_;
  std::size_t arena_floats_ = 0;       // workspace floats per thread (all passes)
  std::vector<LrOutput> lr_outputs_;
  std::vector<bool> input_in_place_;   // per program input: InputLayout::kPlanarInPlace
  std::vector<Checkpoint> checkpoints_;
  std::vector<float> checkpoint_storage_;
  float* checkpoint_arena_ = nullptr;  // 64-byte aligned start inside checkpoint_storage_
  std::vector<float> zero_row_;        // rows outside a checkpoint's map (lead_ zeros + the widest row)
  std::vector<SqueezeExcite> se_;
  std::vector<int> se_of_;             // per step: index into se_ for squeeze_excite steps
  std::vector<BicubicRows> bicubic_;   // per bicubic step
  std::vector<Workspace> workspaces_;
  const Pass* pass_ = nullptr;         // the pass being run
  std::span<const BandInput> inputs_;
  std::span<const BandOutput> outputs_;
};

}  // namespace litesr
