#include "runtime/band_executor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/image_ops.h"
#include "runtime/elementwise_rows.h"
#include "runtime/kernel_pixel_shuffle.h"

namespace litesr {
namespace {

constexpr int kLead = 16;        // zero floats before x = 0 of every row: 64-byte aligned rows, halo >= pad
constexpr int kAlignFloats = 16;  // 64 bytes
constexpr int kMinAutoBandRows = 16;

int floor_mod(int a, int m) {
  const int r = a % m;
  return r < 0 ? r + m : r;
}

bool is_pointwise(OpKind op) {
  return op == OpKind::kRelu || op == OpKind::kLeakyRelu || op == OpKind::kPrelu || op == OpKind::kTanh ||
         op == OpKind::kBatchNorm;
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

// Row y (image coordinates) of channel c of a ring of `ring` rows at `offset` floats into a workspace.
inline float* ring_row(float* arena, std::size_t offset, int ring, int row_stride, int lead, int c, int y) {
  return arena + offset + (static_cast<std::size_t>(c) * ring + floor_mod(y, ring)) * row_stride + lead;
}

// Sample (c, y, x) of an input with `channels` channels (BandInput: interleaved, planar or zeros).
float input_sample(const BandInput& in, int channels, int c, int y, int x) {
  if (in.planar) return in.planar[c * in.plane_stride + y * in.stride + x];
  const std::ptrdiff_t index = y * in.stride + static_cast<std::ptrdiff_t>(x) * channels + c;
  if (in.f32) return in.f32[index];
  if (in.u8) return static_cast<float>(in.u8[index]) / 255.0f;
  return 0.0f;
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
    const OpKind op = s.node.op;
    if (s.shape.factor == 1) {
      const bool ok = op == OpKind::kInput || op == OpKind::kConv2d || is_pointwise(op) || op == OpKind::kAdd ||
                      op == OpKind::kConcat || op == OpKind::kSlice;
      if (!ok) return unsupported("op " + std::string(op_kind_name(op)) + " cannot run in bands");
    } else if (s.shape.factor == p.scale) {
      const int in = s.node.inputs[0];
      const bool ok = (op == OpKind::kPixelShuffle && p.steps[in].shape.factor == 1) ||
                      (op == OpKind::kBicubicUpsample && p.steps[in].node.op == OpKind::kInput) ||
                      op == OpKind::kAdd;
      if (!ok) return unsupported("op " + std::string(op_kind_name(op)) + " at output resolution cannot run in bands");
    } else {
      return unsupported("intermediate resolutions cannot run in bands");
    }
  }
  return {};
}

namespace {

// Per step: how many rows ahead of the band's output row an LR step must run, backwards from the output:
// a KxK conv needs (K−1)/2 more rows of its input than it produces. Output-resolution steps have 0
// (pixel_shuffle reads its LR input's band rows only; bicubic_upsample reads the input itself).
std::vector<int> lr_halos(const Program& p) {
  const int n = static_cast<int>(p.steps.size());
  std::vector<int> halo(n, 0);
  for (int k = n - 1; k >= 0; --k) {
    const Step& s = p.steps[k];
    if (s.shape.factor != 1) continue;
    const int reach = s.node.op == OpKind::kConv2d ? (s.node.kernel - 1) / 2 : 0;
    for (int in : s.node.inputs) halo[in] = std::max(halo[in], halo[k] + reach);
  }
  return halo;
}

}  // namespace

Result<int> BandExecutor::context_rows(const Program& p) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  const std::vector<int> halos = lr_halos(p);
  int context = 0;
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const Step& st = p.steps[k];
    if (st.shape.factor == 1) context = std::max(context, halos[k]);
    if (st.node.op == OpKind::kBicubicUpsample) {
      // An output row's taps lie within taps/2 + 1 LR rows of the row it upsamples (bicubic_table.h).
      LITESR_ASSIGN_OR_RETURN(const BicubicTable table, make_bicubic_table(16, st.node.scale, st.node.bicubic));
      context = std::max(context, table.taps / 2 + 1);
    }
  }
  return context;
}

Status BandExecutor::prepare(const Program& p, int width, int height, int band_rows, int threads) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  if (width < 1 || height < 1) return invalid_argument("input size must be at least 1x1");
  if (threads < 1) return invalid_argument("threads must be >= 1");
  program_ = &p;
  width_ = width;
  height_ = height;
  const int n = static_cast<int>(p.steps.size());
  plans_.assign(n, StepPlan{});
  packed_.clear();
  pad_ = 1;
  for (int k = 0; k < n; ++k) {
    plans_[k].hr = p.steps[k].shape.factor != 1;
    if (p.steps[k].node.op == OpKind::kConv2d) pad_ = std::max(pad_, (p.steps[k].node.kernel - 1) / 2);
  }
  for (std::size_t i = 0; i < p.inputs.size(); ++i) plans_[p.inputs[i]].input = static_cast<int>(i);
  lead_ = std::max(kLead, (pad_ + kAlignFloats - 1) / kAlignFloats * kAlignFloats);
  row_stride_ = (lead_ + width + pad_ + kAlignFloats - 1) / kAlignFloats * kAlignFloats;

  const std::vector<int> halos = lr_halos(p);
  for (int k = 0; k < n; ++k) plans_[k].halo = halos[k];

  // Epilogue fusion: conv -> activation, then -> add (residual). Output-resolution steps are never fused:
  // check_supported admits no conv and no activation there.
  fusion_ = plan_epilogue_fusion(p);
  auto root = [&](int k) { return fusion_[k].alias; };
  lr_outputs_.clear();
  for (std::size_t i = 1; i < p.outputs.size(); ++i) {
    const int k = p.outputs[i];
    lr_outputs_.push_back({root(k), static_cast<int>(i), p.steps[k].shape.channels});
  }

  // Pack the convs the Highway kernels cover (prelu slopes are per channel: compile_program broadcasts).
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    StepPlan& pl = plans_[k];
    if (pl.hr || fusion_[k].skip || st.node.op != OpKind::kConv2d) continue;
    const int cin = st.in_channels, cout = st.shape.channels, kk = st.node.kernel, groups = st.node.groups;
    Result<PackedConv> packed = unsupported("no kernel");
    if (kk == 3 && groups == 1) {
      packed = pack_conv3x3_f32(st.weight, cin, cout);
    } else if (kk == 1 && groups == 1) {
      packed = pack_conv1x1_f32(st.weight, cin, cout);
    } else if (kk == 3 && groups == cin && cin == cout) {
      packed = pack_dwconv3x3_f32(st.weight, cout);
    }
    if (packed.ok()) {
      pl.packed = static_cast<int>(packed_.size());
      packed_.push_back(std::move(*packed));
    }
  }

  // Ring sizes: step j's newest row is t + h_j; its oldest row still read at t is min over readers k of
  // t + h_k − reach_k (a residual read has reach 0, the output-resolution stage reads row t).
  std::vector<int> oldest(n, std::numeric_limits<int>::max());
  max_halo_ = 0;
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    const StepPlan& pl = plans_[k];
    if (fusion_[k].skip) continue;
    if (pl.hr) {
      if (st.node.op == OpKind::kPixelShuffle) oldest[root(st.node.inputs[0])] = std::min(oldest[root(st.node.inputs[0])], 0);
      continue;
    }
    max_halo_ = std::max(max_halo_, pl.halo);
    const int reach = st.node.op == OpKind::kConv2d ? (st.node.kernel - 1) / 2 : 0;
    for (int in : st.node.inputs) oldest[root(in)] = std::min(oldest[root(in)], pl.halo - reach);
    const int residual = fusion_[k].residual;
    if (residual >= 0) oldest[root(residual)] = std::min(oldest[root(residual)], pl.halo);
  }
  for (int k = 0; k < n; ++k) {
    StepPlan& pl = plans_[k];
    if (pl.hr || fusion_[k].skip) continue;
    pl.ring = oldest[k] == std::numeric_limits<int>::max() ? 1 : std::max(1, pl.halo - oldest[k] + 1);
  }

  // The fast output store: output = pixel_shuffle(conv rows) with 3 colours.
  shuffle_source_ = -1;
  {
    const Step& out = p.steps[p.outputs[0]];
    if (out.node.op == OpKind::kPixelShuffle && out.shape.channels == 3 && out.node.scale == p.scale) {
      shuffle_source_ = root(out.node.inputs[0]);
    }
  }

  // Band height: the working set does not depend on it (rings), so aim at about two bands per thread for
  // load balance, with at least kMinAutoBandRows rows so the halo recomputation stays small.
  if (band_rows <= 0) {
    band_rows = threads == 1 ? height : std::max(kMinAutoBandRows, (height + 2 * threads - 1) / (2 * threads));
  }
  band_rows_ = std::clamp(band_rows, 1, height);

  // Workspace layout (identical for every thread), every buffer 64-byte aligned.
  std::size_t offset = 0;
  const int s = p.scale;
  auto align = [](std::size_t v) { return (v + kAlignFloats - 1) / kAlignFloats * kAlignFloats; };
  for (int k = 0; k < n; ++k) {
    StepPlan& plan = plans_[k];
    if (fusion_[k].skip) continue;
    plan.offset = offset;
    if (plan.hr) {
      if (k == p.outputs[0] && shuffle_source_ >= 0) continue;  // stored straight into the image
      offset += align(static_cast<std::size_t>(p.steps[k].shape.channels) * s * width);
    } else {
      offset += static_cast<std::size_t>(p.steps[k].shape.channels) * plan.ring * row_stride_;
    }
  }
  std::size_t bicubic_floats = 0;
  int max_cin_taps = 3 * s * s, max_cout = 3;  // in_ptrs also hold the 3·s² rows of the shuffle store
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (st.node.op == OpKind::kBicubicUpsample) {
      LITESR_ASSIGN_OR_RETURN(bicubic_v_, make_bicubic_table(height, st.node.scale, st.node.bicubic));
      LITESR_ASSIGN_OR_RETURN(bicubic_h_, make_bicubic_table(width, st.node.scale, st.node.bicubic));
      bicubic_floats = static_cast<std::size_t>(bicubic_v_.taps + 1) * st.shape.channels * width;
    }
    if (st.node.op == OpKind::kConv2d) {
      max_cin_taps = std::max(max_cin_taps, st.in_channels * st.node.kernel);
      max_cout = std::max(max_cout, st.shape.channels);
    }
  }
  bicubic_offset_ = offset;
  offset += bicubic_floats;
  workspaces_.resize(threads);
  for (Workspace& w : workspaces_) {
    w.storage.assign(offset + kAlignFloats, 0.0f);
    const auto address = reinterpret_cast<std::uintptr_t>(w.storage.data());
    const std::size_t misalign = (address / sizeof(float)) % kAlignFloats;
    w.arena = w.storage.data() + (misalign == 0 ? 0 : kAlignFloats - misalign);
    w.in_ptrs.assign(max_cin_taps, nullptr);
    w.out_ptrs.assign(max_cout, nullptr);
    w.res_ptrs.assign(max_cout, nullptr);
    w.plane_ptrs.assign(3, nullptr);
    w.u8_rows.assign(s, nullptr);
    w.f32_rows.assign(s, nullptr);
  }
  return {};
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
  pool.run(bands, &BandExecutor::band_task, this);
}

void BandExecutor::run_band(int band, int thread) {
  Workspace& ws = workspaces_[thread];
  const int y0 = band * band_rows_, y1 = std::min(height_, y0 + band_rows_);
  const int n = static_cast<int>(program_->steps.size());
  // Row pipeline: at t, step k produces row t + h_k (its rows [y0 − h_k, y1 + h_k) in all).
  for (int t = y0 - 2 * max_halo_; t < y1; ++t) {
    for (int k = 0; k < n; ++k) {
      const StepPlan& pl = plans_[k];
      if (pl.hr || fusion_[k].skip || t < y0 - 2 * pl.halo) continue;
      const int y = t + pl.halo;
      compute_lr_row(k, y, ws);
      if (y < y0 || y >= y1) continue;  // halo rows: another band writes them
      for (const LrOutput& o : lr_outputs_) {
        if (o.root != k) continue;
        const BandOutput& dst = outputs_[o.output];
        const StepPlan& q = plans_[k];
        for (int c = 0; c < o.channels; ++c) {
          const float* src = ring_row(ws.arena, q.offset, q.ring, row_stride_, lead_, c, y);
          std::copy_n(src, width_, dst.planar + c * dst.plane_stride + y * dst.stride);
        }
      }
    }
    if (t >= y0) store_hr_rows(t, ws);
  }
}

void BandExecutor::compute_lr_row(int k, int y, Workspace& ws) {
  const Program& p = *program_;
  const StepPlan& pl = plans_[k];
  const Step& st = p.steps[k];
  const Node& nd = st.node;
  const int channels = st.shape.channels, w = width_;
  auto row = [&](int step, int c, int yy) {
    const StepPlan& q = plans_[fusion_[step].alias];
    return ring_row(ws.arena, q.offset, q.ring, row_stride_, lead_, c, yy);
  };
  auto input_row = [&](int step, int c) -> const float* { return row(step, c, y); };
  if (y < 0 || y >= height_) {  // the conv padding
    for (int c = 0; c < channels; ++c) std::fill_n(row(k, c, y), w, 0.0f);
    return;
  }
  switch (nd.op) {
    case OpKind::kInput: {
      const BandInput& in = inputs_[pl.input];
      if (in.planar) {
        for (int c = 0; c < channels; ++c) std::copy_n(in.planar + c * in.plane_stride + y * in.stride, w, row(k, c, y));
      } else if (!in.u8 && !in.f32) {
        for (int c = 0; c < channels; ++c) std::fill_n(row(k, c, y), w, 0.0f);
      } else if (channels == 3) {
        for (int c = 0; c < 3; ++c) ws.plane_ptrs[c] = row(k, c, y);
        if (in.u8) {
          deinterleave_rgb_u8_to_planar_f32(in.u8 + y * in.stride, w, ws.plane_ptrs.data());
        } else {
          deinterleave_rgb_f32_to_planar_f32(in.f32 + y * in.stride, w, ws.plane_ptrs.data());
        }
      } else {
        for (int c = 0; c < channels; ++c) {
          float* dst = row(k, c, y);
          for (int x = 0; x < w; ++x) dst[x] = input_sample(in, channels, c, y, x);
        }
      }
      break;
    }
    case OpKind::kConv2d: {
      const int kk = nd.kernel, r = (kk - 1) / 2, src = nd.inputs[0];
      const FusedEpilogue& fused = fusion_[k];
      Epilogue ep = conv_epilogue(st, fused);
      const PackedConv* packed = pl.packed >= 0 ? &packed_[pl.packed] : nullptr;
      if (packed != nullptr && packed->kind == ConvKind::kConv1x1) {
        for (int ci = 0; ci < st.in_channels; ++ci) ws.in_ptrs[ci] = row(src, ci, y);
      } else {
        for (int ci = 0; ci < st.in_channels; ++ci) {
          for (int ky = 0; ky < kk; ++ky) ws.in_ptrs[ci * kk + ky] = row(src, ci, y - r + ky);
        }
      }
      for (int co = 0; co < channels; ++co) ws.out_ptrs[co] = row(k, co, y);
      if (fused.residual >= 0) {
        for (int co = 0; co < channels; ++co) ws.res_ptrs[co] = row(fused.residual, co, y);
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
      for (int c = 0; c < channels; ++c) pointwise_row(st, c, row(nd.inputs[0], c, y), w, row(k, c, y));
      break;
    case OpKind::kAdd:
      for (int c = 0; c < channels; ++c) add_row(nd, c, input_row, w, row(k, c, y));
      break;
    case OpKind::kConcat:
    case OpKind::kSlice:
      concat_or_slice_rows(p, nd, input_row, [&](int c) { return row(k, c, y); }, w);
      break;
    default:
      break;  // excluded by check_supported
  }
}

// Output-resolution rows Y = y·s + i (i < s) of LR row y, stored straight into the output image.
void BandExecutor::store_hr_rows(int y, Workspace& ws) {
  const Program& p = *program_;
  const int w = width_, s = p.scale, sw = w * s;
  const BandOutput& out = outputs_[0];
  auto row = [&](int step, int c, int yy) {
    const StepPlan& q = plans_[fusion_[step].alias];
    return ring_row(ws.arena, q.offset, q.ring, row_stride_, lead_, c, yy);
  };
  if (shuffle_source_ >= 0) {  // pixel shuffle + clamp/quantise + interleave, one kernel call
    const int conv_channels = 3 * s * s;
    for (int c = 0; c < conv_channels; ++c) ws.in_ptrs[c] = row(shuffle_source_, c, y);
    if (out.u8) {
      for (int i = 0; i < s; ++i) ws.u8_rows[i] = out.u8 + (static_cast<std::ptrdiff_t>(y) * s + i) * out.stride;
      pixel_shuffle_store_u8_rows(ws.in_ptrs.data(), w, s, nullptr, ws.u8_rows.data());
    } else {
      for (int i = 0; i < s; ++i) ws.f32_rows[i] = out.f32 + (static_cast<std::ptrdiff_t>(y) * s + i) * out.stride;
      pixel_shuffle_store_f32_rows(ws.in_ptrs.data(), w, s, nullptr, ws.f32_rows.data());
      for (int i = 0; i < s; ++i) {
        float* dst = ws.f32_rows[i];
        for (int q = 0; q < 3 * sw; ++q) {
          const float v = dst[q];
          dst[q] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
        }
      }
    }
    return;
  }
  float* arena = ws.arena;
  const int out_step = p.outputs[0];
  const int out_channels = p.steps[out_step].shape.channels;
  for (int i = 0; i < s; ++i) {
    const int yy = y * s + i;
    for (int k = 0; k < static_cast<int>(p.steps.size()); ++k) {
      const StepPlan& pl = plans_[k];
      if (!pl.hr) continue;
      const Step& st = p.steps[k];
      const Node& nd = st.node;
      float* hr = arena + pl.offset;  // [channels][s·w]
      if (nd.op == OpKind::kPixelShuffle) {
        for (int c = 0; c < st.shape.channels; ++c) {
          for (int j = 0; j < s; ++j) {
            const float* src = row(nd.inputs[0], c * s * s + i * s + j, y);
            float* dst = hr + static_cast<std::size_t>(c) * sw + j;
            for (int x = 0; x < w; ++x) dst[static_cast<std::size_t>(x) * s] = src[x];
          }
        }
      } else if (nd.op == OpKind::kBicubicUpsample) {
        const int channels = st.shape.channels, taps = bicubic_v_.taps;
        float* tap_rows = arena + bicubic_offset_;
        float* tmp = tap_rows + static_cast<std::size_t>(taps) * channels * w;
        const BandInput& in = inputs_[plans_[nd.inputs[0]].input];
        for (int t = 0; t < taps; ++t) {  // planar copies of the input rows this output row reads
          const int src_y = bicubic_v_.index[yy * taps + t];
          for (int c = 0; c < channels; ++c) {
            float* dst = tap_rows + (static_cast<std::size_t>(t) * channels + c) * w;
            for (int x = 0; x < w; ++x) dst[x] = input_sample(in, channels, c, src_y, x);
          }
        }
        for (int c = 0; c < channels; ++c) {
          float* tc = tmp + static_cast<std::size_t>(c) * w;
          for (int x = 0; x < w; ++x) {
            float acc = 0.0f;
            for (int t = 0; t < taps; ++t) {
              acc += bicubic_v_.weight[yy * taps + t] * tap_rows[(static_cast<std::size_t>(t) * channels + c) * w + x];
            }
            tc[x] = acc;
          }
          float* dst = hr + static_cast<std::size_t>(c) * sw;
          const int htaps = bicubic_h_.taps;
          for (int xx = 0; xx < sw; ++xx) {
            float acc = 0.0f;
            for (int t = 0; t < htaps; ++t) acc += bicubic_h_.weight[xx * htaps + t] * tc[bicubic_h_.index[xx * htaps + t]];
            dst[xx] = acc;
          }
        }
      } else {  // add
        const std::size_t count = static_cast<std::size_t>(st.shape.channels) * sw;
        const float* first = arena + plans_[nd.inputs[0]].offset;
        std::copy(first, first + count, hr);
        for (std::size_t j = 1; j < nd.inputs.size(); ++j) {
          const float* src = arena + plans_[nd.inputs[j]].offset;
          for (std::size_t q = 0; q < count; ++q) hr[q] += src[q];
        }
      }
    }
    // Clamp + interleave + store.
    const float* hr = arena + plans_[out_step].offset;
    const std::ptrdiff_t base = yy * out.stride;
    for (int c = 0; c < out_channels; ++c) {
      const float* src = hr + static_cast<std::size_t>(c) * sw;
      if (out.f32) {
        float* dst = out.f32 + base + c;
        for (int xx = 0; xx < sw; ++xx) {
          const float v = src[xx];
          dst[static_cast<std::ptrdiff_t>(xx) * out_channels] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
        }
      } else {
        uint8_t* dst = out.u8 + base + c;
        for (int xx = 0; xx < sw; ++xx) {
          dst[static_cast<std::ptrdiff_t>(xx) * out_channels] = static_cast<uint8_t>(quantize_unit(src[xx], 255));
        }
      }
    }
  }
}

}  // namespace litesr
