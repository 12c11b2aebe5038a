#include "runtime/band_executor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "base/image_ops.h"
#include "runtime/elementwise_rows.h"
#include "runtime/kernel_pixel_shuffle.h"
#include "runtime/kernel_weighted_rows.h"
#include "runtime/row_pipeline.h"
#include "runtime/squeeze_excite.h"

namespace litesr {
namespace {

// The largest cin·k² of a k x k (k > 3) conv run as a 1x1 conv over its shifted rows (compute_row); larger ones
// take the scalar loop.
constexpr int kMaxUnfoldedTaps = 512;
constexpr int kLeadFloats = 16;   // zero floats before x = 0 of every row: 64-byte aligned rows, halo >= pad
constexpr int kAlignFloats = 16;  // 64 bytes

std::size_t align_floats(std::size_t v) { return (v + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

// `floats` zeros in `storage` (with alignment slack); returns their 64-byte aligned start.
float* aligned_zeros(std::vector<float>& storage, std::size_t floats) {
  storage.assign(floats + kAlignFloats, 0.0f);
  const std::size_t misalign = (reinterpret_cast<std::uintptr_t>(storage.data()) / sizeof(float)) % kAlignFloats;
  return storage.data() + (misalign == 0 ? 0 : kAlignFloats - misalign);
}

float apply_activation(Activation a, float v, float slope, const float* slopes, int co) {
  switch (a) {
    case Activation::kNone: return v;
    case Activation::kRelu: return v < 0.0f ? 0.0f : v;
    case Activation::kLeakyRelu: return v < 0.0f ? v * slope : v;
    case Activation::kPrelu: return v < 0.0f ? v * slopes[co] : v;
    case Activation::kTanh: return std::tanh(v);
  }
  return v;
}

// KxK grouped conv, stride 1, "same" padding, one output row; row layout of kernel_conv.h with at least
// (K−1)/2 readable zero columns each side. weight: PyTorch [cout][cin/groups][K][K].
// Used for the convs the Highway kernels do not cover (K = 5, 9, grouped non-depthwise).
void conv_rows_scalar(const Step& s, const float* const* in_rows, int width, const Epilogue& ep,
                      float* const* out_rows) {
  const int k = s.node.kernel, r = (k - 1) / 2, groups = s.node.groups;
  const int cout = s.shape.channels, cin_g = s.in_channels / groups, cout_g = cout / groups;
  for (int co = 0; co < cout; ++co) {
    float* out = out_rows[co];
    std::fill(out, out + width, 0.0f);
    const int g = co / cout_g;
    const float* w = s.weight.data() + static_cast<std::size_t>(co) * cin_g * k * k;
    for (int ci = 0; ci < cin_g; ++ci) {
      for (int ky = 0; ky < k; ++ky) {
        const float* in = in_rows[(g * cin_g + ci) * k + ky] - r;
        for (int kx = 0; kx < k; ++kx) {
          const float wv = w[(ci * k + ky) * k + kx];
          for (int x = 0; x < width; ++x) out[x] += wv * in[x + kx];
        }
      }
    }
    const float bias = ep.bias ? ep.bias[co] : 0.0f;
    const float* res = ep.residual ? ep.residual[co] : nullptr;
    for (int x = 0; x < width; ++x) {
      float v = apply_activation(ep.activation, out[x] + bias, ep.slope, ep.slopes, co);
      if (res) v += res[x];
      out[x] = v;
    }
  }
}

// v / 255.0f for every byte (the exact division the u8 input conversion uses).
struct ByteUnitTable {
  float v[256];
  constexpr ByteUnitTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = static_cast<float>(i) / 255.0f;
  }
  float operator[](uint8_t b) const { return v[b]; }
};
constexpr ByteUnitTable kUnitOfByte;

}  // namespace

// The horizontal pass's periodic interior: input columns x in [lo, hi) whose r outputs x·r + j read
// index x + base_j + t with phase j's weights (those of the middle column), exactly as the table says.
BandExecutor::BicubicRows BandExecutor::plan_bicubic_rows(BicubicTable vertical, BicubicTable horizontal, int r) {
  BicubicRows b;
  b.vertical = std::move(vertical);
  b.horizontal = std::move(horizontal);
  const BicubicTable& th = b.horizontal;
  const int in_w = th.in_len, taps = th.taps, mid = in_w / 2;
  b.phase_base.assign(r, 0);
  b.phase_weight.assign(static_cast<std::size_t>(r) * taps, 0.0f);
  for (int j = 0; j < r; ++j) {
    const std::size_t o = static_cast<std::size_t>(mid * r + j) * taps;
    b.phase_base[j] = th.index[o] - mid;
    for (int t = 0; t < taps; ++t) b.phase_weight[static_cast<std::size_t>(j) * taps + t] = th.weight[o + t];
  }
  auto periodic = [&](int x) {
    for (int j = 0; j < r; ++j) {
      const std::size_t o = static_cast<std::size_t>(x * r + j) * taps;
      for (int t = 0; t < taps; ++t) {
        if (th.index[o + t] != x + b.phase_base[j] + t) return false;
        if (th.weight[o + t] != b.phase_weight[static_cast<std::size_t>(j) * taps + t]) return false;
      }
    }
    return true;
  };
  int lo = mid, hi = mid;
  if (in_w > 0 && periodic(mid)) {
    while (lo > 0 && periodic(lo - 1)) --lo;
    hi = mid + 1;
    while (hi < in_w && periodic(hi)) ++hi;
  }
  b.interior_lo = lo;
  b.interior_hi = hi;
  return b;
}

namespace {

// Sample (c, y, x) of an input with `channels` channels (BandInput: interleaved, planar or zeros).
float input_sample(const BandInput& in, int channels, int c, int y, int x) {
  if (in.planar) return in.planar[c * in.plane_stride + y * in.stride + x];
  const std::ptrdiff_t index = y * in.stride + static_cast<std::ptrdiff_t>(x) * channels + c;
  if (in.f32) return in.f32[index];
  if (in.u8) return kUnitOfByte[in.u8[index]];
  return 0.0f;
}

// Row y of an input, every channel, as planar f32 rows planes[c][0, width): a planar map's rows copied, no input (a
// zero state) as zeros, interleaved RGB through the SIMD deinterleave (u8: v / 255, as input_sample), any other
// channel count sample by sample.
void input_row_to_planes(const BandInput& in, int channels, int y, int width, float* const* planes) {
  if (in.planar) {
    for (int c = 0; c < channels; ++c) std::copy_n(in.planar + c * in.plane_stride + y * in.stride, width, planes[c]);
  } else if (!in.u8 && !in.f32) {
    for (int c = 0; c < channels; ++c) std::fill_n(planes[c], width, 0.0f);
  } else if (channels == 3 && in.u8) {
    deinterleave_rgb_u8_to_planar_f32(in.u8 + y * in.stride, width, planes);
  } else if (channels == 3) {
    deinterleave_rgb_f32_to_planar_f32(in.f32 + y * in.stride, width, planes);
  } else {
    for (int c = 0; c < channels; ++c) {
      for (int x = 0; x < width; ++x) planes[c][x] = input_sample(in, channels, c, y, x);
    }
  }
}

// The row inputs of root step k (its own inputs and its fused epilogue's residual), as roots.
std::vector<RowRead> row_reads(const Program& p, const std::vector<FusedEpilogue>& fusion, int k) {
  std::vector<RowRead> reads;
  const Step& st = p.steps[k];
  if (st.node.op == OpKind::kInput || st.node.op == OpKind::kBicubicUpsample) return reads;  // reads the input
  for (int in : st.node.inputs) {
    RowRead r;
    r.root = fusion[in].alias;
    r.via_se = p.steps[in].node.op == OpKind::kSqueezeExcite || st.node.op == OpKind::kSqueezeExcite;
    if (st.node.op == OpKind::kConv2d) {
      r.kind = RowReadKind::kConv;
      r.reach = (st.node.kernel - 1) / 2;
    } else if (st.node.op == OpKind::kPixelShuffle) {
      r.kind = RowReadKind::kShuffle;
      r.reach = st.node.scale;
    }
    reads.push_back(r);
  }
  if (fusion[k].residual >= 0) reads.push_back({fusion[fusion[k].residual].alias, RowReadKind::kSameRow, 0, false});
  return reads;
}

// Leads and ring sizes of the computed roots of a pass (row_pipeline.h).
void plan_leads(const Program& p, const std::vector<FusedEpilogue>& fusion, std::vector<int>& halo,
                std::vector<int>& ring, const std::vector<bool>& computed, const std::vector<int>& factor) {
  std::vector<std::vector<RowRead>> reads(p.steps.size());
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    if (computed[k]) reads[k] = row_reads(p, fusion, static_cast<int>(k));
  }
  plan_row_leads(reads, computed, factor, halo, ring);
}

}  // namespace

Status BandExecutor::check_supported(const Program& p) {
  if (p.inputs.empty() || p.outputs.empty()) return unsupported("band fusion needs an input and an output");
  if (p.scale < 2) return unsupported("band fusion needs scale >= 2");
  const Step& out = p.steps[p.outputs[0]];
  if (out.shape.factor != p.scale) return unsupported("output is not at the output resolution");
  for (std::size_t i = 1; i < p.outputs.size(); ++i) {
    if (p.steps[p.outputs[i]].shape.factor != 1) return unsupported("outputs after the first must be at the input resolution");
    if (p.outputs[i] == p.outputs[0]) return unsupported("an output is listed twice");
  }
  for (const Step& s : p.steps) {
    const Node& nd = s.node;
    const std::string what = "op " + std::string(op_kind_name(nd.op)) + " (" + nd.name + ")";
    if (!s.shape.windows.empty() || s.shape.factor < 1) return unsupported(what + ": size is not a multiple of the input's");
    switch (nd.op) {
      case OpKind::kInput:
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
      case OpKind::kPrelu:
      case OpKind::kTanh:
      case OpKind::kBatchNorm:
      case OpKind::kAdd:
      case OpKind::kConcat:
      case OpKind::kSlice:
      case OpKind::kPixelShuffle:
        break;
      case OpKind::kConv2d:
        if (nd.stride != 1 || nd.kernel % 2 == 0 || nd.padding != (nd.kernel - 1) / 2) {
          return unsupported(what + ": only stride-1 \"same\" convolutions run in bands");
        }
        if ((nd.kernel - 1) / 2 > kBandPlanarPad) {  // in-place planar maps have kBandPlanarPad padding columns
          return unsupported(what + ": kernels wider than " + std::to_string(2 * kBandPlanarPad + 1) +
                             " taps do not run in bands");
        }
        break;
      case OpKind::kSqueezeExcite:
        if (nd.se_pool != SePool::kMean) return unsupported(what + ": pooling other than the mean");
        break;
      case OpKind::kBicubicUpsample:
        if (p.steps[nd.inputs[0]].node.op != OpKind::kInput) return unsupported(what + ": of a non-input");
        break;
      default:
        return unsupported(what + " cannot run in bands");
    }
  }
  return {};
}

Result<int> BandExecutor::context_rows(const Program& p) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  const int n = static_cast<int>(p.steps.size());
  std::vector<bool> computed(n, false);
  std::vector<int> factor(n, 1), halo, ring;
  const std::vector<FusedEpilogue> fusion = plan_epilogue_fusion(p);
  for (int k = 0; k < n; ++k) {
    if (p.steps[k].node.op == OpKind::kSqueezeExcite) {
      return unsupported("squeeze-excite needs whole-image means: an output row depends on every input row");
    }
    computed[k] = !fusion[k].skip;
    factor[k] = p.steps[k].shape.factor;
  }
  plan_leads(p, fusion, halo, ring, computed, factor);
  int context = 0;
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (st.node.op == OpKind::kInput) context = std::max(context, halo[k]);
    if (st.node.op == OpKind::kBicubicUpsample) {
      // An output row's taps lie within taps/2 + 1 LR rows of the row it upsamples (bicubic_table.h), and the
      // step runs ⌈h / r⌉ LR rows ahead.
      LITESR_ASSIGN_OR_RETURN(const BicubicTable table, make_bicubic_table(16, st.node.scale, st.node.bicubic));
      context = std::max(context, table.taps / 2 + 1 + ceil_div(halo[k], st.node.scale));
    }
  }
  return context;
}

Status BandExecutor::prepare(const Program& p, int width, int height, int band_rows, int threads,
                             std::span<const InputLayout> input_layouts, std::size_t max_stored_squeeze_input_bytes) {
  max_stored_squeeze_input_bytes_ = max_stored_squeeze_input_bytes;
  LITESR_RETURN_IF_ERROR(check_supported(p));
  if (width < 1 || height < 1) return invalid_argument("input size must be at least 1x1");
  if (threads < 1) return invalid_argument("threads must be >= 1");
  if (!input_layouts.empty() && input_layouts.size() != p.inputs.size()) {
    return invalid_argument("one input layout per program input");
  }
  input_in_place_.assign(p.inputs.size(), false);
  for (std::size_t i = 0; i < input_layouts.size(); ++i) {
    input_in_place_[i] = input_layouts[i] == InputLayout::kPlanarInPlace;
  }
  program_ = &p;
  width_ = width;
  height_ = height;
  const int n = static_cast<int>(p.steps.size());
  pad_ = 1;
  for (int k = 0; k < n; ++k) {
    if (p.steps[k].node.op == OpKind::kConv2d) pad_ = std::max(pad_, (p.steps[k].node.kernel - 1) / 2);
  }
  lead_ = std::max(kLeadFloats, (pad_ + kAlignFloats - 1) / kAlignFloats * kAlignFloats);

  // Epilogue fusion: conv -> activation, then -> add (residual). A squeeze_excite read only by a dense conv
  // folds its gates into that conv's weights: the step has no rows, its reader reads the ungated map.
  fusion_ = plan_epilogue_fusion(p);
  auto root = [&](int k) { return fusion_[k].alias; };
  std::vector<int> se_fold_conv(n, -1);
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (st.node.op != OpKind::kConv2d || fusion_[k].skip || st.node.groups != 1) continue;
    const int in = st.node.inputs[0];
    if (p.steps[in].node.op == OpKind::kSqueezeExcite && p.consumers[in] == 1 && root(in) == in) {
      se_fold_conv[in] = k;
    }
  }
  for (int k = 0; k < n; ++k) {
    if (se_fold_conv[k] < 0) continue;
    fusion_[k].skip = true;
    fusion_[k].alias = root(p.steps[k].node.inputs[0]);
  }

  // Packed weights of every conv root (the Highway kernels; others take the scalar loop).
  packed_of_.assign(n, -1);
  packed_.clear();
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (fusion_[k].skip || st.node.op != OpKind::kConv2d) continue;
    const int cin = st.in_channels, cout = st.shape.channels, kk = st.node.kernel, groups = st.node.groups;
    Result<PackedConv> packed = unsupported("no kernel");
    if (kk == 3 && groups == 1) {
      packed = pack_conv3x3_f32(st.weight, cin, cout);
    } else if (kk == 1 && groups == 1) {
      packed = pack_conv1x1_f32(st.weight, cin, cout);
    } else if (kk == 3 && groups == cin && cin == cout) {
      packed = pack_dwconv3x3_f32(st.weight, cout);
    } else if (kk > 3 && groups == 1 && cin * kk * kk <= kMaxUnfoldedTaps) {
      // A k x k conv (FSRCNN's and ESPCN's 5x5 first layers) as a 1x1 conv over its k² shifted rows per input
      // channel: [cout, cin, k, k] is already [cout][cin·k²] in (ci, ky, kx) order, what compute_row passes.
      packed = pack_conv1x1_f32(st.weight, cin * kk * kk, cout);
    }
    if (packed.ok()) {
      packed_of_[k] = static_cast<int>(packed_.size());
      packed_.push_back(std::move(*packed));
    }
  }

  // Squeeze-excite states (row sums, gates, the folded conv's own weights).
  se_.clear();
  se_of_.assign(n, -1);
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (st.node.op != OpKind::kSqueezeExcite) continue;
    SqueezeExcite se;
    se.step = k;
    se.channels = st.shape.channels;
    se.rows = height * st.shape.factor;
    se.count = static_cast<double>(se.rows) * width * st.shape.factor;
    se.row_sums.assign(static_cast<std::size_t>(se.rows) * se.channels, 0.0);
    se.sums.assign(se.channels, 0.0);
    se.hidden.assign(std::max(1, st.node.se_hidden), 0.0f);
    se.gates.assign(se.channels, 1.0f);
    if (se_fold_conv[k] >= 0 && packed_of_[se_fold_conv[k]] >= 0) {
      se.fold_conv = se_fold_conv[k];
      se.base = packed_[packed_of_[se.fold_conv]];
    } else if (se_fold_conv[k] >= 0) {
      // A folded squeeze-excite needs a packed reader; otherwise undo the fold: the step scales rows.
      fusion_[k].skip = false;
      fusion_[k].alias = k;
    }
    se_of_[k] = static_cast<int>(se_.size());
    se_.push_back(std::move(se));
  }

  LITESR_RETURN_IF_ERROR(plan_passes());
  band_rows_ = std::clamp(band_rows > 0 ? band_rows : auto_band_rows(height, threads, boundary_share()), 1, height);

  bicubic_.clear();
  std::size_t work_floats = 1;
  int input_row_slots = 0, max_taps = 0, input_channels = 0;
  for (Pass& pass : passes_) {
    for (int k = 0; k < n; ++k) {
      const Step& st = p.steps[k];
      StepPlan& pl = pass.plans[k];
      if (!pl.active || st.node.op != OpKind::kBicubicUpsample) continue;
      LITESR_ASSIGN_OR_RETURN(BicubicTable v, make_bicubic_table(height, st.node.scale, st.node.bicubic));
      LITESR_ASSIGN_OR_RETURN(BicubicTable h, make_bicubic_table(width, st.node.scale, st.node.bicubic));
      pl.bicubic = static_cast<int>(bicubic_.size());
      input_row_slots = std::max(input_row_slots, v.taps + 1);  // an output row's taps span <= taps input rows
      max_taps = std::max({max_taps, st.node.scale + v.taps, st.node.scale + h.taps});
      bicubic_.push_back(plan_bicubic_rows(std::move(v), std::move(h), st.node.scale));
      // [channels][width] vertical pass + [r][width] horizontal phases
      work_floats = std::max(work_floats, static_cast<std::size_t>(st.shape.channels + st.node.scale) * width);
    }
  }

  // in_ptrs also hold the 3·s² rows of the shuffle store and a bicubic's phases + taps
  int max_cin_taps = std::max(3 * p.scale * p.scale, max_taps), max_cout = 3;
  int max_se_channels = 0;
  for (const Step& st : p.steps) {
    if (st.node.op == OpKind::kInput) input_channels = std::max(input_channels, st.shape.channels);
    if (st.node.op == OpKind::kConv2d) {
      max_cin_taps = std::max(max_cin_taps, st.in_channels * st.node.kernel * st.node.kernel);
      max_cout = std::max(max_cout, st.shape.channels);
    }
  }
  for (const SqueezeExcite& se : se_) max_se_channels = std::max(max_se_channels, se.channels);
  const std::size_t arena = arena_floats_;
  workspaces_.resize(threads);
  for (Workspace& w : workspaces_) {
    w.arena = aligned_zeros(w.storage, arena);
    w.next_row.assign(n, 0);
    w.in_ptrs.assign(max_cin_taps, nullptr);
    w.out_ptrs.assign(max_cout, nullptr);
    w.res_ptrs.assign(max_cout, nullptr);
    w.plane_ptrs.assign(std::max(3, input_channels), nullptr);
    w.sum_rows.assign(max_se_channels, nullptr);
    w.u8_rows.assign(p.scale, nullptr);
    w.f32_rows.assign(p.scale, nullptr);
    // bicubic: the vertical and horizontal passes, then [slots][channels][width] converted input rows
    w.input_rows_offset = work_floats;
    w.scratch.assign(work_floats + static_cast<std::size_t>(input_row_slots) * input_channels * width, 0.0f);
    w.input_row_of_slot.assign(input_row_slots, {-1, -1});
  }
  return {};
}

double BandExecutor::boundary_share() const {
  BoundaryWork work;
  for (const Pass& pass : passes_) {
    for (int k : pass.order) {
      const StepPlan& pl = pass.plans[k];
      const Node& node = program_->steps[k].node;
      if (pl.load || node.op != OpKind::kConv2d) continue;
      const double macs_per_row = static_cast<double>(pl.width) * node.out_channels *
                                  (program_->steps[k].in_channels / node.groups) * node.kernel * node.kernel;
      work.add(pl.halo, pl.factor * height_, macs_per_row);
    }
  }
  return work.share();
}

// Stages, checkpoints, and per pass: the active roots, their leads, rings and workspace offsets.
Status BandExecutor::plan_passes() {
  const Program& p = *program_;
  const int n = static_cast<int>(p.steps.size());
  auto root = [&](int k) { return fusion_[k].alias; };

  // Stage: squeeze-excites on the longest input path.
  stage_.assign(n, 0);
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    for (int in : st.node.inputs) stage_[k] = std::max(stage_[k], stage_[in]);
    if (st.node.op == OpKind::kSqueezeExcite) ++stage_[k];
  }
  // A root holds the values of the steps fused into it (activations, residual adds), so its stage is the
  // latest of theirs — except a folded squeeze-excite, whose gates its reader applies.
  for (int k = 0; k < n; ++k) {
    if (root(k) != k && p.steps[k].node.op != OpKind::kSqueezeExcite) stage_[root(k)] = std::max(stage_[root(k)], stage_[k]);
  }
  int last_stage = 0;
  for (int out : p.outputs) last_stage = std::max(last_stage, stage_[root(out)]);
  std::vector<std::vector<RowRead>> reads(n);
  for (int k = 0; k < n; ++k) {
    if (root(k) == k) reads[k] = row_reads(p, fusion_, k);
  }
  // Checkpoints: roots read by a later stage — through a squeeze-excite only where the map is small enough to
  // read back rather than recompute (kDefaultMaxStoredSqueezeInputBytes).
  auto map_bytes = [&](int u) {
    const NodeShape& sh = p.steps[u].shape;
    return sizeof(float) * sh.channels * (static_cast<std::size_t>(height_) * sh.factor) * (width_ * sh.factor);
  };
  std::vector<int> checkpoint_of(n, -1), last_read_pass(n, -1);
  checkpoints_.clear();
  for (int c = 0; c < n; ++c) {
    for (const RowRead& r : reads[c]) {
      const int u = r.root;
      if (stage_[c] <= stage_[u] || p.steps[u].node.op == OpKind::kInput) continue;
      if (r.via_se && map_bytes(u) > max_stored_squeeze_input_bytes_) continue;
      if (checkpoint_of[u] < 0) {
        checkpoint_of[u] = static_cast<int>(checkpoints_.size());
        Checkpoint cp;
        cp.step = u;
        cp.channels = p.steps[u].shape.channels;
        cp.rows = height_ * p.steps[u].shape.factor;
        cp.width = width_ * p.steps[u].shape.factor;
        cp.stride = static_cast<int>(align_floats(lead_ + cp.width + pad_));
        checkpoints_.push_back(cp);
      }
    }
  }

  passes_.assign(last_stage + 1, Pass{});
  std::vector<int> factor(n, 1);
  for (int k = 0; k < n; ++k) factor[k] = p.steps[k].shape.factor;
  for (int q = 0; q <= last_stage; ++q) {
    Pass& pass = passes_[q];
    pass.final = q == last_stage;
    pass.plans.assign(n, StepPlan{});
    // Targets: squeeze-excite inputs of stage q (their sums), checkpoints of stage q, and the outputs.
    std::vector<int> todo;
    for (const SqueezeExcite& se : se_) {
      const int in = root(p.steps[se.step].node.inputs[0]);
      if (stage_[in] == q) {
        todo.push_back(in);
        pass.gates_after.push_back(se_of_[se.step]);
      }
    }
    for (const Checkpoint& cp : checkpoints_) {
      if (stage_[cp.step] == q) todo.push_back(cp.step);
    }
    if (pass.final) {
      for (int out : p.outputs) todo.push_back(root(out));
    }
    // Walk back: loads stop the walk (inputs; checkpoints of earlier passes), everything else is computed.
    std::vector<bool> computed(n, false);
    while (!todo.empty()) {
      const int u = todo.back();
      todo.pop_back();
      StepPlan& pl = pass.plans[u];
      if (pl.active) continue;
      pl.active = true;
      if (p.steps[u].node.op == OpKind::kInput) {
        pl.load = true;
        continue;
      }
      if (checkpoint_of[u] >= 0 && stage_[u] < q) {  // read in place (rows_of): no rows to compute
        pl.load = true;
        pl.checkpoint = checkpoint_of[u];
        last_read_pass[checkpoint_of[u]] = std::max(last_read_pass[checkpoint_of[u]], q);
        continue;
      }
      computed[u] = true;
      for (const RowRead& r : reads[u]) todo.push_back(r.root);
    }
    for (const Checkpoint& cp : checkpoints_) {
      if (stage_[cp.step] == q) pass.plans[cp.step].save = checkpoint_of[cp.step];
    }
    for (int i : pass.gates_after) pass.plans[root(p.steps[se_[i].step].node.inputs[0])].se_sum = i;

    std::vector<int> halo, ring;
    plan_row_leads(reads, computed, factor, halo, ring);
    for (int k = 0; k < n; ++k) {
      StepPlan& pl = pass.plans[k];
      if (!pl.active) continue;
      pl.factor = factor[k];
      pl.width = width_ * factor[k];
      pl.halo = halo[k];
      pl.ring = ring[k];
      pl.stride = static_cast<int>(align_floats(lead_ + pl.width + pad_));
    }
    for (std::size_t i = 0; i < p.inputs.size(); ++i) {
      StepPlan& pl = pass.plans[p.inputs[i]];
      pl.input = static_cast<int>(i);
      if (input_in_place_[i]) pl.rows = RowStorage::kInput;
    }
    for (int k = 0; k < n; ++k) {
      if (pass.plans[k].checkpoint >= 0) pass.plans[k].rows = RowStorage::kCheckpoint;
    }

    // A concat of inputs read only by it has no rows of its own: its channel c is its source input's row
    // (gather), each input keeping the rows the concat's readers need.
    for (int k = 0; k < n; ++k) {
      const Step& st = p.steps[k];
      StepPlan& pl = pass.plans[k];
      if (!pl.active || pl.load || st.node.op != OpKind::kConcat) continue;
      bool gather = true;
      for (int in : st.node.inputs) {
        gather = gather && p.steps[in].node.op == OpKind::kInput && p.consumers[in] == 1 &&
                 std::count(st.node.inputs.begin(), st.node.inputs.end(), in) == 1;
      }
      if (!gather) continue;
      pl.rows = RowStorage::kGather;
      pl.gather = static_cast<int>(pass.gathers.size());
      std::vector<std::pair<int, int>> sources;
      for (int in : st.node.inputs) {
        for (int c = 0; c < p.steps[in].shape.channels; ++c) sources.emplace_back(in, c);
        pass.plans[in].ring = std::max(pass.plans[in].ring, pl.ring);
      }
      pass.gathers.push_back(std::move(sources));
    }
    for (int k = 0; k < n; ++k) {
      const StepPlan& pl = pass.plans[k];
      if (!pl.active || pl.rows == RowStorage::kCheckpoint || pl.rows == RowStorage::kInput) continue;
      pass.order.push_back(k);
      pass.lead_ticks = std::max(pass.lead_ticks, lead_ticks_of(pl.halo, pl.factor));
    }
  }

  // Outputs (final pass): LR outputs are copied from their root's rows, or — when the root runs at lead 0
  // and only the output pixel_shuffle reads it ([0, width) of the current row: no padding needed) —
  // computed straight into the caller's planar map.
  Pass& last = passes_.back();
  lr_outputs_.clear();
  for (std::size_t i = 1; i < p.outputs.size(); ++i) {
    const int k = p.outputs[i];
    lr_outputs_.push_back({root(k), static_cast<int>(i), p.steps[k].shape.channels});
  }
  for (const LrOutput& o : lr_outputs_) {
    StepPlan& pl = last.plans[o.root];
    bool direct = pl.rows == RowStorage::kRing && !pl.load && pl.halo == 0 && pl.save < 0 && pl.se_sum < 0;
    for (int j : last.order) {
      if (!direct) break;
      for (const RowRead& r : reads[j]) {
        if (r.root == o.root && j != o.root) direct = direct && r.kind == RowReadKind::kShuffle && last.plans[j].factor == p.scale;
      }
    }
    if (direct) {
      pl.rows = RowStorage::kOutput;
      pl.direct_output = o.output;
    }
  }
  shuffle_source_ = -1;
  output_root_ = root(p.outputs[0]);
  store_adds_ = false;
  {
    const Step& out = p.steps[p.outputs[0]];
    const int src = out.node.op == OpKind::kPixelShuffle ? root(out.node.inputs[0]) : -1;
    if (src >= 0 && out.shape.channels == 3 && out.node.scale == p.scale && factor[src] == 1 &&
        root(p.outputs[0]) == p.outputs[0]) {
      shuffle_source_ = src;
      last.plans[p.outputs[0]].active = false;  // stored from its source's rows, never computed
      last.order.erase(std::find(last.order.begin(), last.order.end(), p.outputs[0]));
    }
  }
  {  // output = add(a, b) of two RGB or luma maps (SAM-SR's bicubic skip): the store adds b while storing
    const Step& out = p.steps[output_root_];
    if (shuffle_source_ < 0 && out.node.op == OpKind::kAdd && out.node.inputs.size() == 2 &&
        (out.shape.channels == 3 || out.shape.channels == 1) && !last.plans[output_root_].load) {
      store_adds_ = true;
      last.plans[output_root_].stored_by_output = true;
    }
  }

  // Workspace layout (identical for every thread), every buffer 64-byte aligned. Each pass has its own
  // region: a buffer's padding columns are zeroed once and never written, whatever pass runs.
  std::size_t offset = 0;
  for (Pass& pass : passes_) {
    for (int k : pass.order) {
      StepPlan& pl = pass.plans[k];
      if (pl.rows != RowStorage::kRing) continue;
      pl.offset = offset;
      offset += static_cast<std::size_t>(p.steps[k].shape.channels) * pl.ring * pl.stride;
    }
  }
  arena_floats_ = offset;

  // Checkpoint storage: maps whose passes (written .. last read) do not overlap share memory — only maps of
  // the same rows and width, so that a map's padding columns never hold an earlier map's values.
  struct Slot {
    std::size_t offset = 0, floats = 0;
    int rows = 0, width = 0;
    int last_pass = -1;  // the last pass that reads its current map
  };
  std::vector<Slot> slots;
  std::size_t total = 0;
  for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
    Checkpoint& cp = checkpoints_[i];
    const std::size_t need = static_cast<std::size_t>(cp.channels) * cp.rows * cp.stride;
    const int written = stage_[cp.step];
    auto free_slot = std::find_if(slots.begin(), slots.end(), [&](const Slot& s) {
      return s.last_pass < written && s.rows == cp.rows && s.width == cp.width && s.floats >= need;
    });
    if (free_slot == slots.end()) {
      slots.push_back({total, need, cp.rows, cp.width, -1});
      total += align_floats(need);
      free_slot = slots.end() - 1;
    }
    cp.offset = free_slot->offset;
    free_slot->last_pass = std::max(written, last_read_pass[i]);
  }
  checkpoint_arena_ = aligned_zeros(checkpoint_storage_, total);  // zero padding columns, never written
  int widest = width_ * p.scale + 2 * kBandPlanarPad;
  for (const Checkpoint& cp : checkpoints_) widest = std::max(widest, cp.stride);
  zero_row_.assign(static_cast<std::size_t>(lead_) + widest + pad_, 0.0f);
  return {};
}

BandExecutor::StepRows BandExecutor::rows_of(const Workspace& ws, int step, int y) const {
  const StepPlan& q = pass_->plans[fusion_[step].alias];
  float* const zero_row = const_cast<float*>(zero_row_.data()) + lead_;  // read only
  switch (q.rows) {
    case RowStorage::kRing:
      if (q.save >= 0 && y >= q.factor * ws.band_first && y < q.factor * ws.band_end) {
        return checkpoint_rows(checkpoints_[q.save], y);  // the band's own rows are computed into its checkpoint
      }
      return {ws.arena + q.offset + static_cast<std::size_t>(floor_mod(y, q.ring)) * q.stride + lead_,
              static_cast<std::ptrdiff_t>(q.ring) * q.stride};
    case RowStorage::kOutput: {
      const BandOutput& o = outputs_[q.direct_output];
      return {o.planar + y * o.stride, o.plane_stride};
    }
    case RowStorage::kCheckpoint: {
      const Checkpoint& cp = checkpoints_[q.checkpoint];
      if (y < 0 || y >= cp.rows) return {zero_row, 0};
      return checkpoint_rows(cp, y);
    }
    case RowStorage::kInput: {
      const BandInput& in = inputs_[q.input];
      if (in.planar == nullptr || y < 0 || y >= height_) return {zero_row, 0};
      return {const_cast<float*>(in.planar) + y * in.stride, in.plane_stride};  // read only
    }
    case RowStorage::kGather:
      return {nullptr, 0, &pass_->gathers[q.gather], this, &ws, y};
  }
  return {};
}

// Row y of channel c of program input `input` as a planar f32 row: a planar input's own row, else the row
// converted (all channels at once, as the input step converts them) into the workspace's cache of input rows.
const float* BandExecutor::input_plane_row(int input, int channels, int c, int y, Workspace& ws) const {
  const BandInput& in = inputs_[input];
  if (in.planar) return in.planar + c * in.plane_stride + y * in.stride;
  const int slots = static_cast<int>(ws.input_row_of_slot.size());
  const int slot = y % slots;
  float* rows = ws.scratch.data() + ws.input_rows_offset + static_cast<std::size_t>(slot) * channels * width_;
  if (ws.input_row_of_slot[slot] != std::pair<int, int>(input, y)) {
    for (int ch = 0; ch < channels; ++ch) ws.plane_ptrs[ch] = rows + static_cast<std::size_t>(ch) * width_;
    input_row_to_planes(in, channels, y, width_, ws.plane_ptrs.data());
    ws.input_row_of_slot[slot] = {input, y};
  }
  return rows + static_cast<std::size_t>(c) * width_;
}

BandExecutor::StepRows BandExecutor::checkpoint_rows(const Checkpoint& cp, int y) const {
  return {checkpoint_arena_ + cp.offset + static_cast<std::size_t>(y) * cp.stride + lead_,
          static_cast<std::ptrdiff_t>(cp.rows) * cp.stride};
}

float* BandExecutor::StepRows::gathered(int c) const {
  const std::pair<int, int>& source = (*gather)[c];
  return executor->rows_of(*ws, source.first, y)[source.second];
}

void BandExecutor::band_task(void* self, int band, int thread) {
  static_cast<BandExecutor*>(self)->run_band(band, thread);
}

void BandExecutor::run(ThreadPool& pool, const BandInput& in, const BandOutput& out) {
  run(pool, std::span<const BandInput>(&in, 1), std::span<const BandOutput>(&out, 1));
}

void BandExecutor::run(ThreadPool& pool, std::span<const BandInput> inputs, std::span<const BandOutput> outputs) {
  inputs_ = inputs;
  outputs_ = outputs;
  const int bands = (height_ + band_rows_ - 1) / band_rows_;
  for (const Pass& pass : passes_) {
    pass_ = &pass;
    pool.run(bands, &BandExecutor::band_task, this, /*another_run_follows=*/!pass.final);
    finish_gates(pass);
  }
  pass_ = nullptr;
}

// Means -> gates of the squeeze-excites whose input sums this pass produced; folded ones rescale their
// reader conv's packed weights for the later passes of this run.
void BandExecutor::finish_gates(const Pass& pass) {
  for (int i : pass.gates_after) {
    SqueezeExcite& se = se_[i];
    std::fill(se.sums.begin(), se.sums.end(), 0.0);
    for (int y = 0; y < se.rows; ++y) {
      const double* row = se.row_sums.data() + static_cast<std::size_t>(y) * se.channels;
      for (int c = 0; c < se.channels; ++c) se.sums[c] += row[c];
    }
    squeeze_excite_gates(program_->steps[se.step], se.sums.data(), se.count, se.hidden.data(), se.gates.data());
    if (se.fold_conv >= 0) scale_conv_inputs(se.base, se.gates.data(), packed_[packed_of_[se.fold_conv]]);
  }
}

void BandExecutor::run_band(int band, int thread) {
  Workspace& ws = workspaces_[thread];
  const Pass& pass = *pass_;
  const int y0 = band * band_rows_, y1 = std::min(height_, y0 + band_rows_);
  ws.band_first = y0;
  ws.band_end = y1;
  std::fill(ws.input_row_of_slot.begin(), ws.input_row_of_slot.end(), std::pair<int, int>(-1, -1));  // new inputs
  run_row_pipeline(
      pass.order, y0, y1, pass.lead_ticks, ws.next_row, [&](int k) -> const StepPlan& { return pass.plans[k]; },
      [&](int k, int y) {
        const StepPlan& pl = pass.plans[k];
        compute_row(k, y, ws);
        after_row(k, y, pl.factor * y0, pl.factor * y1, ws);
      });
}

// What happens to row y of root k once computed: rows of the band (not lead rows, which another band
// owns) go to the outputs and squeeze-excite sums that read them (checkpoint rows are computed in place).
void BandExecutor::after_row(int k, int y, int band_first, int band_end, Workspace& ws) {
  if (y < band_first || y >= band_end) return;
  const StepPlan& pl = pass_->plans[k];
  if (pl.se_sum >= 0) {
    SqueezeExcite& se = se_[pl.se_sum];
    double* sums = se.row_sums.data() + static_cast<std::size_t>(y) * se.channels;
    const StepRows rows = rows_of(ws, k, y);
    for (int c = 0; c < se.channels; ++c) ws.sum_rows[c] = rows[c];
    row_sums_f64(ws.sum_rows.data(), se.channels, pl.width, sums);
  }
  if (!pass_->final) return;
  for (const LrOutput& o : lr_outputs_) {
    if (o.root != k || pl.rows == RowStorage::kOutput) continue;
    const BandOutput& dst = outputs_[o.output];
    const StepRows rows = rows_of(ws, k, y);
    for (int c = 0; c < o.channels; ++c) {
      std::copy_n(rows[c], width_, dst.planar + c * dst.plane_stride + y * dst.stride);
    }
  }
  const int s = program_->scale;  // a band stores whole groups of s output rows
  if (k == shuffle_source_) {
    store_shuffled_rows(y, ws);
    rows_stored(outputs_[0].rows, (y + 1) * s, s);
  }
  if (k == output_root_ && shuffle_source_ < 0) {
    store_output_row(k, y, ws);
    rows_stored(outputs_[0].rows, y + 1, s);
  }
}

void BandExecutor::compute_row(int k, int y, Workspace& ws) {
  const Program& p = *program_;
  const StepPlan& pl = pass_->plans[k];
  const Step& st = p.steps[k];
  const Node& nd = st.node;
  const int channels = st.shape.channels, w = pl.width;
  auto input_row = [&](int step, int c) -> const float* { return rows_of(ws, step, y)[c]; };
  if (pl.rows == RowStorage::kGather) return;  // its channels are its inputs' rows
  const StepRows out = rows_of(ws, k, y);
  if (y < 0 || y >= height_ * pl.factor) {  // the conv padding
    for (int c = 0; c < channels; ++c) std::fill_n(out[c], w, 0.0f);
    return;
  }
  switch (nd.op) {
    case OpKind::kInput:
      for (int c = 0; c < channels; ++c) ws.plane_ptrs[c] = out[c];
      input_row_to_planes(inputs_[pl.input], channels, y, w, ws.plane_ptrs.data());
      break;
    case OpKind::kConv2d: {
      const int kk = nd.kernel, r = (kk - 1) / 2, src = nd.inputs[0];
      const FusedEpilogue& fused = fusion_[k];
      Epilogue ep = conv_epilogue(st, fused);
      const PackedConv* packed = packed_of_[k] >= 0 ? &packed_[packed_of_[k]] : nullptr;
      if (packed != nullptr && packed->kind == ConvKind::kConv1x1) {
        // 1x1, or k x k unfolded: row y - r + ky of channel ci, shifted by kx - r (within the zero padding).
        for (int ky = 0; ky < kk; ++ky) {
          const StepRows in = rows_of(ws, src, y - r + ky);
          for (int ci = 0; ci < st.in_channels; ++ci) {
            for (int kx = 0; kx < kk; ++kx) ws.in_ptrs[(ci * kk + ky) * kk + kx] = in[ci] + (kx - r);
          }
        }
      } else {
        for (int ky = 0; ky < kk; ++ky) {
          const StepRows in = rows_of(ws, src, y - r + ky);
          for (int ci = 0; ci < st.in_channels; ++ci) ws.in_ptrs[ci * kk + ky] = in[ci];
        }
      }
      for (int co = 0; co < channels; ++co) ws.out_ptrs[co] = out[co];
      if (fused.residual >= 0) {
        const StepRows residual = rows_of(ws, fused.residual, y);
        for (int co = 0; co < channels; ++co) ws.res_ptrs[co] = residual[co];
        ep.residual = ws.res_ptrs.data();
      }
      if (packed == nullptr) {
        conv_rows_scalar(st, ws.in_ptrs.data(), w, ep, ws.out_ptrs.data());
      } else {
        conv_f32_rows(*packed, ws.in_ptrs.data(), w, ep, ws.out_ptrs.data());
      }
      break;
    }
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kPrelu:
    case OpKind::kTanh:
    case OpKind::kBatchNorm:
      for (int c = 0; c < channels; ++c) pointwise_row(st, c, input_row(nd.inputs[0], c), w, out[c]);
      break;
    case OpKind::kSqueezeExcite: {  // not folded: scale the rows by the gates
      const float* gates = se_[se_of_[k]].gates.data();
      for (int c = 0; c < channels; ++c) {
        const float* src = input_row(nd.inputs[0], c);
        float* dst = out[c];
        for (int x = 0; x < w; ++x) dst[x] = src[x] * gates[c];
      }
      break;
    }
    case OpKind::kAdd:
      if (pl.stored_by_output) break;  // store_output_row adds while storing
      for (int c = 0; c < channels; ++c) add_row(nd, c, input_row, w, out[c]);
      break;
    case OpKind::kConcat:
      if (pl.rows == RowStorage::kGather) break;  // its channels are its inputs' rows
      [[fallthrough]];
    case OpKind::kSlice:
      concat_or_slice_rows(
          p, nd, input_row, [&](int c) { return out[c]; }, w);
      break;
    case OpKind::kPixelShuffle: {  // out[c][y][x·r + j] = in[c·r² + i·r + j][y / r][x], i = y mod r
      const int r = nd.scale, src = nd.inputs[0], i = y % r;
      const StepRows in = rows_of(ws, src, y / r);
      for (int c = 0; c < channels; ++c) {
        for (int j = 0; j < r; ++j) ws.in_ptrs[j] = in[c * r * r + i * r + j];
        interleave_rows_f32(ws.in_ptrs.data(), w / r, r, out[c]);
      }
      break;
    }
    case OpKind::kBicubicUpsample: {  // vertical pass over the input rows, then horizontal (bicubic_table.h order)
      const BicubicRows& bic = bicubic_[pl.bicubic];
      const BicubicTable& tv = bic.vertical;
      const BicubicTable& th = bic.horizontal;
      const int input = pass_->plans[nd.inputs[0]].input;
      const BandInput& in = inputs_[input];
      const int in_w = width_, taps = tv.taps, htaps = th.taps, r = nd.scale;
      float* tmp = ws.scratch.data();  // [channels][in_w]
      const float** tap_rows = ws.in_ptrs.data() + r;  // in_ptrs[0, r) hold the phases below
      for (int c = 0; c < channels; ++c) {
        float* tc = tmp + static_cast<std::size_t>(c) * in_w;
        if (in.u8 == nullptr && in.f32 == nullptr && in.planar == nullptr) {
          std::fill_n(tc, in_w, 0.0f);
        } else {  // tc[x] = ((0 + w0·v0) + w1·v1) + ..., per x, as the reference
          for (int t = 0; t < taps; ++t) tap_rows[t] = input_plane_row(input, channels, c, tv.index[y * taps + t], ws);
          weighted_rows_f32(tap_rows, tv.weight.data() + static_cast<std::size_t>(y) * taps, taps, in_w, tc);
        }
        float* dst = out[c];
        auto generic = [&](int from, int to) {  // output columns [from, to) through the table
          for (int xx = from; xx < to; ++xx) {
            const int32_t* idx = th.index.data() + static_cast<std::size_t>(xx) * htaps;
            const float* wh = th.weight.data() + static_cast<std::size_t>(xx) * htaps;
            float acc = 0.0f;
            for (int t = 0; t < htaps; ++t) acc += wh[t] * tc[idx[t]];
            dst[xx] = acc;
          }
        };
        const int lo = bic.interior_lo, hi = bic.interior_hi;
        if (hi <= lo) {
          generic(0, w);
          continue;
        }
        // Interior input columns: output x·r + j reads tc[x + base_j + t] with the same weights for every x
        // (checked at prepare), so each phase is a weighted sum of shifted rows, then the phases are interleaved.
        float* phases = tmp + static_cast<std::size_t>(channels) * in_w;
        for (int j = 0; j < r; ++j) {
          float* ph = phases + static_cast<std::size_t>(j) * in_w;
          for (int t = 0; t < htaps; ++t) tap_rows[t] = tc + bic.phase_base[j] + t + lo;
          weighted_rows_f32(tap_rows, bic.phase_weight.data() + static_cast<std::size_t>(j) * htaps, htaps, hi - lo,
                            ph + lo);
          ws.in_ptrs[j] = ph + lo;
        }
        interleave_rows_f32(ws.in_ptrs.data(), hi - lo, r, dst + static_cast<std::ptrdiff_t>(lo) * r);
        generic(0, lo * r);
        generic(hi * r, w);
      }
      break;
    }
    default:
      break;  // excluded by check_supported
  }
}

// Output rows Y = y·s + i (i < s) of LR row y of the shuffle source: pixel shuffle + clamp/quantise +
// interleave, one kernel call, straight into the output image.
void BandExecutor::store_shuffled_rows(int y, Workspace& ws) {
  const int w = width_, s = program_->scale;
  const BandOutput& out = outputs_[0];
  const int conv_channels = 3 * s * s;
  const StepRows source = rows_of(ws, shuffle_source_, y);
  for (int c = 0; c < conv_channels; ++c) ws.in_ptrs[c] = source[c];
  if (out.u8) {
    for (int i = 0; i < s; ++i) ws.u8_rows[i] = out.u8 + (static_cast<std::ptrdiff_t>(y) * s + i) * out.stride;
    pixel_shuffle_store_u8_rows(ws.in_ptrs.data(), w, s, nullptr, ws.u8_rows.data());
    return;
  }
  for (int i = 0; i < s; ++i) ws.f32_rows[i] = out.f32 + (static_cast<std::ptrdiff_t>(y) * s + i) * out.stride;
  pixel_shuffle_store_f32_rows(ws.in_ptrs.data(), w, s, nullptr, ws.f32_rows.data());
}

// Output row yy of the output root: clamp / quantise + interleave (3 colours: the pixel-shuffle store kernel
// at scale 1).
void BandExecutor::store_output_row(int k, int yy, Workspace& ws) {
  const BandOutput& out = outputs_[0];
  const int out_channels = program_->steps[program_->outputs[0]].shape.channels;
  const int sw = pass_->plans[k].width;
  const std::ptrdiff_t base = yy * out.stride;
  if (out_channels == 3) {
    const float** skip = nullptr;
    if (store_adds_) {  // rows = input 0, skip = input 1: v = a + b, as add_row computes it
      const Node& add = program_->steps[k].node;
      const StepRows a = rows_of(ws, add.inputs[0], yy), b = rows_of(ws, add.inputs[1], yy);
      for (int c = 0; c < 3; ++c) {
        ws.in_ptrs[c] = a[c];
        ws.in_ptrs[3 + c] = b[c];
      }
      skip = ws.in_ptrs.data() + 3;
    } else {
      const StepRows rows = rows_of(ws, k, yy);
      for (int c = 0; c < 3; ++c) ws.in_ptrs[c] = rows[c];
    }
    if (out.u8) {
      uint8_t* dst = out.u8 + base;
      pixel_shuffle_store_u8_rows(ws.in_ptrs.data(), sw, 1, skip, &dst);
      return;
    }
    float* dst = out.f32 + base;
    pixel_shuffle_store_f32_rows(ws.in_ptrs.data(), sw, 1, skip, &dst);
    return;
  }
  if (out_channels == 1) {  // a luma model: contiguous samples, v = a (+ b, as add_row sums them)
    const float* a = nullptr;
    const float* b = nullptr;
    if (store_adds_) {
      const Node& add = program_->steps[k].node;
      a = rows_of(ws, add.inputs[0], yy)[0];
      b = rows_of(ws, add.inputs[1], yy)[0];
    } else {
      a = rows_of(ws, k, yy)[0];
    }
    if (out.f32) {
      float* dst = out.f32 + base;
      if (b != nullptr) {
        for (int xx = 0; xx < sw; ++xx) dst[xx] = clamp_unit(a[xx] + b[xx]);
      } else {
        for (int xx = 0; xx < sw; ++xx) dst[xx] = clamp_unit(a[xx]);
      }
    } else {
      uint8_t* dst = out.u8 + base;
      if (b != nullptr) {
        for (int xx = 0; xx < sw; ++xx) dst[xx] = static_cast<uint8_t>(quantize_unit(a[xx] + b[xx], 255));
      } else {
        for (int xx = 0; xx < sw; ++xx) dst[xx] = static_cast<uint8_t>(quantize_unit(a[xx], 255));
      }
    }
    return;
  }
  for (int c = 0; c < out_channels; ++c) {
    const float* src = rows_of(ws, k, yy)[c];
    if (out.f32) {
      float* dst = out.f32 + base + c;
      for (int xx = 0; xx < sw; ++xx) {
        dst[static_cast<std::ptrdiff_t>(xx) * out_channels] = clamp_unit(src[xx]);
      }
    } else {
      uint8_t* dst = out.u8 + base + c;
      for (int xx = 0; xx < sw; ++xx) {
        dst[static_cast<std::ptrdiff_t>(xx) * out_channels] = static_cast<uint8_t>(quantize_unit(src[xx], 255));
      }
    }
  }
}

}  // namespace litesr
