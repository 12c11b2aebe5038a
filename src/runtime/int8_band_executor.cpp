#include "runtime/int8_band_executor.h"

#include <algorithm>
#include <cstring>

#include "base/image_ops.h"
#include "base/resample_weights.h"
#include "runtime/row_pipeline.h"

namespace litesr {
namespace {

constexpr int kLeadBytes = 64;  // bytes before x = 0 of every row: 64-byte aligned rows, >= the widest conv radius
constexpr int kMaxRadius = 32;

std::size_t align64(std::size_t v) { return (v + 63) / 64 * 64; }

// `bytes` zeroed bytes from a 64-byte aligned start inside `storage` (resized to fit).
int8_t* aligned_bytes(std::vector<int8_t>& storage, std::size_t bytes) {
  storage.assign(bytes + 64, 0);
  const std::size_t misalign = reinterpret_cast<std::uintptr_t>(storage.data()) % 64;
  return storage.data() + (misalign == 0 ? 0 : 64 - misalign);
}

// Resolution factor of every step (the input is 1; a pixel shuffle multiplies its input's by r).
std::vector<int> step_factors(const Int8Program& p) {
  std::vector<int> f(p.steps.size(), 1);
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const Int8Step& s = p.steps[k];
    if (s.inputs.empty()) continue;
    f[k] = f[s.inputs[0]] * (s.op == OpKind::kPixelShuffle || s.op == OpKind::kBicubicUpsample ? s.scale : 1);
  }
  return f;
}

std::vector<RowRead> step_reads(const Int8Step& s) {
  std::vector<RowRead> reads;
  for (int in : s.inputs) {
    RowRead r;
    r.root = in;
    if (s.op == OpKind::kConv2d) {
      r.kind = RowReadKind::kConv;
      r.reach = (s.conv.kernel - 1) / 2;
    } else if (s.op == OpKind::kPixelShuffle) {
      r.kind = RowReadKind::kShuffle;
      r.reach = s.scale;
    } else if (s.op == OpKind::kBicubicUpsample) {
      r.kind = RowReadKind::kUpsample;
      r.reach = s.radius;
      r.scale = s.scale;
    }
    reads.push_back(r);
  }
  return reads;
}

// The steps the outputs need, walking back from `roots`.
std::vector<bool> needed_steps(const Int8Program& p, std::vector<int> roots) {
  std::vector<bool> need(p.steps.size(), false);
  std::vector<int> todo = std::move(roots);
  while (!todo.empty()) {
    const int k = todo.back();
    todo.pop_back();
    if (need[k]) continue;
    need[k] = true;
    for (int in : p.steps[k].inputs) todo.push_back(in);
  }
  return need;
}

Result<Int8Table> requantize_table(QuantParams in, QuantParams out) {
  LITESR_ASSIGN_OR_RETURN(const RequantizeParams rp, make_requantize_params(in, out));
  Int8Table t;
  for (int b = 0; b < 256; ++b) t.v[b] = requantize_int8_element(static_cast<int8_t>(b), rp);
  return t;
}

}  // namespace

Status Int8BandExecutor::check_supported(const Int8Program& p) {
  if (p.scale < 2) return unsupported("band fusion needs scale >= 2");
  const std::vector<int> factor = step_factors(p);
  if (factor[p.outputs[0]] != p.scale) return unsupported("output is not at the output resolution");
  for (std::size_t i = 1; i < p.outputs.size(); ++i) {
    if (factor[p.outputs[i]] != 1) return unsupported("outputs after the first must be at the input resolution");
    if (p.outputs[i] == p.outputs[0]) return unsupported("an output is listed twice");
  }
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const Int8Step& s = p.steps[k];
    const std::string what = "op " + std::string(op_kind_name(s.op)) + " (" + s.name + ")";
    for (int in : s.inputs) {
      if (factor[in] != factor[s.inputs[0]]) return unsupported(what + ": inputs of different sizes");
    }
    if (!has_int8_form(s.op)) return unsupported(what + " has no INT8 band kernel");
    if (s.op == OpKind::kConv2d && (s.conv.kernel - 1) / 2 > kMaxRadius) {
      return unsupported(what + ": kernel too wide for band rows");
    }
  }
  return {};
}

Result<int> Int8BandExecutor::context_rows(const Int8Program& p) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  for (const Int8Step& s : p.steps) {
    if (s.op == OpKind::kSqueezeExcite) {
      return unsupported("squeeze-excite needs whole-image means: an output row depends on every input row");
    }
  }
  const std::size_t n = p.steps.size();
  std::vector<std::vector<RowRead>> reads(n);
  for (std::size_t k = 0; k < n; ++k) reads[k] = step_reads(p.steps[k]);
  std::vector<int> halo, ring;
  plan_row_leads(reads, needed_steps(p, p.outputs), step_factors(p), halo, ring);
  int rows = 0;
  for (int in : p.inputs) rows = std::max(rows, halo[in]);
  return rows;
}

Status Int8BandExecutor::prepare(const Int8Program& p, int width, int height, int band_rows, int threads) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  if (width < 1 || height < 1) return invalid_argument("input size must be at least 1x1");
  if (threads < 1) return invalid_argument("threads must be >= 1");
  program_ = &p;
  width_ = width;
  height_ = height;
  const int n = static_cast<int>(p.steps.size());
  factor_ = step_factors(p);
  pad_ = 1;
  for (const Int8Step& s : p.steps) {
    if (s.op == OpKind::kConv2d) pad_ = std::max(pad_, (s.conv.kernel - 1) / 2);
  }
  LITESR_RETURN_IF_ERROR(prepare_ops());

  // The output pixel shuffle of 3 colours at the model's scale, without new parameters, is stored from its
  // source's rows by one kernel; otherwise the output step's rows are stored as they are computed.
  // (A requantizing shuffle is folded into the store's tables.)
  const Int8Step& out = p.steps[p.outputs[0]];
  shuffle_source_ = -1;
  if (out.op == OpKind::kPixelShuffle && out.channels == 3 && out.scale == p.scale && factor_[out.inputs[0]] == 1) {
    shuffle_source_ = out.inputs[0];
  }
  input_index_.assign(n, -1);
  output_index_.assign(n, -1);
  for (std::size_t i = 0; i < p.inputs.size(); ++i) input_index_[p.inputs[i]] = static_cast<int>(i);
  for (std::size_t i = 1; i < p.outputs.size(); ++i) output_index_[p.outputs[i]] = static_cast<int>(i);
  LITESR_RETURN_IF_ERROR(plan_passes(width, height));
  band_rows_ = std::clamp(band_rows > 0 ? band_rows : auto_band_rows(height, threads, boundary_share()), 1, height);

  int max_ptrs = 3 * p.scale * p.scale, max_cout = 3, max_width = width * p.scale;
  std::size_t mirrored = 0;
  for (const BicubicFilter& b : bicubic_) {
    mirrored = std::max(mirrored, static_cast<std::size_t>(2 * b.radius + 1) * (width + 2 * b.radius));
  }
  for (const Int8Step& s : p.steps) {
    if (s.op == OpKind::kConv2d) {
      max_ptrs = std::max(max_ptrs, s.conv.in_channels * s.conv.kernel);
      max_cout = std::max(max_cout, s.channels);
    }
    if (s.op == OpKind::kPixelShuffle) max_ptrs = std::max(max_ptrs, s.scale);
    if (s.op == OpKind::kInput) max_cout = std::max(max_cout, s.channels);  // out_ptrs also hold input planes
  }
  workspaces_.resize(threads);
  for (Workspace& ws : workspaces_) {
    ws.arena = aligned_bytes(ws.storage, arena_bytes_);
    for (const Pass& pass : passes_) {  // every byte of a step's ring starts as its zero point: padding stays so
      for (int k : pass.order) {
        const StepPlan& pl = pass.plans[k];
        std::fill_n(ws.arena + pl.offset, static_cast<std::size_t>(p.steps[k].channels) * pl.ring * pl.stride,
                    static_cast<int8_t>(p.steps[k].output.zero_point));
      }
    }
    ws.sums.assign(checkpoints_.size(), {});
    for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
      if (checkpoints_[i].summed) ws.sums[i].assign(checkpoints_[i].channels, 0);
    }
    ws.mirrored.assign(mirrored, 0);
    ws.mirrored_rows.assign(2 * kMaxRadius + 1, nullptr);
    ws.phase_rows.assign(static_cast<std::size_t>(p.scale) * width, 0);
    ws.next_row.assign(n, 0);
    ws.in_ptrs.assign(max_ptrs, nullptr);
    ws.out_ptrs.assign(max_cout, nullptr);
    ws.u8_rows.assign(p.scale, nullptr);
    ws.f32_rows.assign(p.scale, nullptr);
    ws.acc.assign(max_width, 0);
  }
  return {};
}

double Int8BandExecutor::boundary_share() const {
  BoundaryWork work;
  for (const Pass& pass : passes_) {
    for (int k : pass.order) {
      const StepPlan& pl = pass.plans[k];
      const Int8Step& s = program_->steps[k];
      if (s.op != OpKind::kConv2d) continue;
      const QuantizedConv2d& c = s.conv;
      const double macs_per_row =
          static_cast<double>(pl.width) * s.channels * (c.in_channels / c.groups) * c.kernel * c.kernel;
      work.add(pl.halo, pl.factor * height_, macs_per_row);
    }
  }
  return work.share();
}

// Stages, checkpoints and passes (int8_band_executor.h), squeeze-excite gate parameters, checkpoint memory.
Status Int8BandExecutor::plan_passes(int width, int height) {
  const Int8Program& p = *program_;
  const int n = static_cast<int>(p.steps.size());
  stage_.assign(n, 0);
  for (int k = 0; k < n; ++k) {
    for (int in : p.steps[k].inputs) stage_[k] = std::max(stage_[k], stage_[in]);
    if (p.steps[k].op == OpKind::kSqueezeExcite) ++stage_[k];
  }
  std::vector<int> roots = p.outputs;
  if (shuffle_source_ >= 0) roots[0] = shuffle_source_;
  const std::vector<bool> needed = needed_steps(p, roots);
  int last_stage = 0;
  for (int r : roots) last_stage = std::max(last_stage, stage_[r]);

  // Checkpoints: steps (not inputs) that a step of a later stage reads.
  std::vector<int> checkpoint_of(n, -1);
  checkpoints_.clear();
  for (int c = 0; c < n; ++c) {
    if (!needed[c]) continue;
    for (int u : p.steps[c].inputs) {
      if (stage_[c] <= stage_[u] || p.steps[u].op == OpKind::kInput || checkpoint_of[u] >= 0) continue;
      checkpoint_of[u] = static_cast<int>(checkpoints_.size());
      Checkpoint cp;
      cp.step = u;
      cp.channels = p.steps[u].channels;
      cp.rows = height * factor_[u];
      cp.width = width * factor_[u];
      cp.stride = static_cast<int>(align64(kLeadBytes + cp.width + pad_));
      checkpoints_.push_back(cp);
    }
  }
  for (int k = 0; k < n; ++k) {
    const Int8Step& s = p.steps[k];
    if (needed[k] && s.op == OpKind::kBicubicUpsample && (height <= s.radius || width <= s.radius)) {
      return invalid_argument("bicubic_upsample: the input is smaller than the filter radius " +
                              std::to_string(s.radius));
    }
  }
  se_.clear();
  for (int k = 0; k < n; ++k) {
    const Int8Step& s = p.steps[k];
    if (!needed[k] || s.op != OpKind::kSqueezeExcite) continue;
    const Int8Step& in = p.steps[s.inputs[0]];
    SqueezeExcite se;
    se.step = k;
    se.checkpoint = checkpoint_of[s.inputs[0]];
    checkpoints_[se.checkpoint].summed = true;
    Result<MulParams> mul = make_mul_params(in.output, image_quant_params(), s.output);
    if (!mul.ok()) return mul.status().with_context(s.name);
    se.mul = *mul;
    // The gates of an all-zero-point input: checks every parameter (and the MEAN's int32 bound) before any run.
    const int64_t count = static_cast<int64_t>(width) * factor_[k] * height * factor_[k];
    const std::vector<int32_t> zeros(s.channels, 0);
    LITESR_RETURN_IF_ERROR(squeeze_excite_gates_int8(s, in.output, zeros, count).status());
    ops_[k].se = static_cast<int>(se_.size());
    ops_[k].tables.assign(s.channels, Int8Table{});
    se_.push_back(std::move(se));
  }

  std::vector<std::vector<RowRead>> reads(n);
  for (int k = 0; k < n; ++k) reads[k] = step_reads(p.steps[k]);
  std::vector<int> last_read(checkpoints_.size(), -1);
  passes_.assign(last_stage + 1, Pass{});
  std::size_t offset = 0;
  for (int q = 0; q <= last_stage; ++q) {
    Pass& pass = passes_[q];
    pass.final = q == last_stage;
    pass.plans.assign(n, StepPlan{});
    std::vector<int> todo;
    for (const Checkpoint& cp : checkpoints_) {
      if (stage_[cp.step] == q) todo.push_back(cp.step);
    }
    if (pass.final) todo.insert(todo.end(), roots.begin(), roots.end());
    std::vector<bool> visited(n, false);
    while (!todo.empty()) {  // walk back: checkpoints of earlier passes are read in place, the rest computed
      const int u = todo.back();
      todo.pop_back();
      if (visited[u]) continue;
      visited[u] = true;
      StepPlan& pl = pass.plans[u];
      if (checkpoint_of[u] >= 0 && stage_[u] < q) {
        pl.checkpoint = checkpoint_of[u];
        last_read[pl.checkpoint] = std::max(last_read[pl.checkpoint], q);
        continue;
      }
      pl.computed = true;
      for (int in : p.steps[u].inputs) todo.push_back(in);
    }
    for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
      if (stage_[checkpoints_[i].step] == q) pass.plans[checkpoints_[i].step].save = static_cast<int>(i);
    }
    for (std::size_t i = 0; i < se_.size(); ++i) {
      if (stage_[checkpoints_[se_[i].checkpoint].step] == q) pass.gates_after.push_back(static_cast<int>(i));
    }
    std::vector<bool> computed(n);
    for (int k = 0; k < n; ++k) computed[k] = pass.plans[k].computed;
    std::vector<int> halo, ring;
    plan_row_leads(reads, computed, factor_, halo, ring);
    for (int k = 0; k < n; ++k) {
      if (!computed[k]) continue;
      StepPlan& pl = pass.plans[k];
      pl.factor = factor_[k];
      pl.width = width * factor_[k];
      pl.halo = halo[k];
      pl.ring = ring[k];
      pl.stride = static_cast<int>(align64(kLeadBytes + pl.width + pad_));
      pl.offset = offset;  // each pass its own region: the padding columns keep their zero points
      offset += static_cast<std::size_t>(p.steps[k].channels) * pl.ring * pl.stride;
      pass.order.push_back(k);
      pass.lead_ticks = std::max(pass.lead_ticks, lead_ticks_of(pl.halo, pl.factor));
    }
  }
  arena_bytes_ = offset;

  // Checkpoint memory: maps whose lifetimes (the pass that writes them .. the last that reads them) do not overlap
  // share a slot; then one row of zero points per checkpoint (its rows outside the image).
  struct Slot {
    std::size_t offset = 0, bytes = 0;
    int last_pass = -1;
  };
  std::vector<Slot> slots;
  std::size_t total = 0;
  for (std::size_t i = 0; i < checkpoints_.size(); ++i) {
    Checkpoint& cp = checkpoints_[i];
    const std::size_t need = static_cast<std::size_t>(cp.channels) * cp.rows * cp.stride;
    const int written = stage_[cp.step];
    Slot* free_slot = nullptr;
    for (Slot& slot : slots) {
      if (slot.last_pass < written && slot.bytes >= need) {
        free_slot = &slot;
        break;
      }
    }
    if (free_slot == nullptr) {
      slots.push_back(Slot{total, need, -1});
      total += need;
      free_slot = &slots.back();
    }
    cp.offset = free_slot->offset;
    free_slot->last_pass = std::max(written, last_read[i]);
  }
  for (Checkpoint& cp : checkpoints_) {
    cp.zero_row = total;
    total += static_cast<std::size_t>(cp.stride);
  }
  checkpoint_arena_ = aligned_bytes(checkpoint_storage_, total);
  for (const Checkpoint& cp : checkpoints_) {
    std::fill_n(checkpoint_arena_ + cp.zero_row, cp.stride, static_cast<int8_t>(p.steps[cp.step].output.zero_point));
  }
  return {};
}

// Packed convs and the tables of every step (built from the reference element functions, so exact).
Status Int8BandExecutor::prepare_ops() {
  const Int8Program& p = *program_;
  ops_.assign(p.steps.size(), StepOps{});
  dense_.clear();
  depthwise_.clear();
  generic_.clear();
  bicubic_.clear();
  for (std::size_t k = 0; k < p.steps.size(); ++k) {
    const Int8Step& s = p.steps[k];
    StepOps& op = ops_[k];
    const QuantParams in = s.inputs.empty() ? s.output : p.steps[s.inputs[0]].output;
    switch (s.op) {
      case OpKind::kConv2d: {
        const QuantizedConv2d& c = s.conv;
        LITESR_ASSIGN_OR_RETURN(std::vector<QuantizedMultiplier> m,
                                conv2d_output_multipliers(in.scale, c.weight_scales, s.output.scale));
        if ((c.kernel == 3 || c.kernel == 1) && c.groups == 1) {
          Result<PackedConvInt8> packed =
              c.kernel == 3 ? pack_conv3x3_int8(c.weight, c.bias, c.in_channels, c.out_channels, in.zero_point, m,
                                                s.output.zero_point, ActivationRange{})
                            : pack_conv1x1_int8(c.weight, c.bias, c.in_channels, c.out_channels, in.zero_point, m,
                                                s.output.zero_point, ActivationRange{});
          if (!packed.ok()) return packed.status().with_context(s.name);
          op.dense = static_cast<int>(dense_.size());
          dense_.push_back(std::move(*packed));
        } else if (c.kernel == 3 && c.groups == c.in_channels && c.out_channels == c.in_channels) {
          std::vector<PackedConvInt8> channels;
          for (int ch = 0; ch < c.out_channels; ++ch) {
            const std::span<const int8_t> w(c.weight.data() + static_cast<std::size_t>(ch) * 9, 9);
            const std::span<const int32_t> b =
                c.bias.empty() ? std::span<const int32_t>() : std::span<const int32_t>(&c.bias[ch], 1);
            Result<PackedConvInt8> packed = pack_conv3x3_int8(w, b, 1, 1, in.zero_point, std::span(&m[ch], 1),
                                                              s.output.zero_point, ActivationRange{});
            if (!packed.ok()) return packed.status().with_context(s.name);
            channels.push_back(std::move(*packed));
          }
          op.depthwise = static_cast<int>(depthwise_.size());
          depthwise_.push_back(std::move(channels));
        } else {
          GenericConv g;
          g.kernel = c.kernel;
          g.groups = c.groups;
          g.cin = c.in_channels;
          g.cout = c.out_channels;
          g.input_offset = -in.zero_point;
          g.output_zero_point = s.output.zero_point;
          g.weight = c.weight;
          g.bias = c.bias.empty() ? std::vector<int32_t>(c.out_channels, 0) : c.bias;
          g.multipliers = std::move(m);
          op.generic = static_cast<int>(generic_.size());
          generic_.push_back(std::move(g));
        }
        break;
      }
      case OpKind::kRelu: {
        LITESR_ASSIGN_OR_RETURN(const RequantizeParams rp, make_relu_params(in, s.output));
        Int8Table t;
        for (int b = 0; b < 256; ++b) t.v[b] = relu_int8_element(static_cast<int8_t>(b), rp);
        op.tables.push_back(t);
        break;
      }
      case OpKind::kLeakyRelu: {
        LITESR_ASSIGN_OR_RETURN(const LeakyReluParams lp, make_leaky_relu_params(in, s.leaky_alpha, s.output));
        Int8Table t;
        for (int b = 0; b < 256; ++b) t.v[b] = leaky_relu_int8_element(static_cast<int8_t>(b), lp);
        op.tables.push_back(t);
        break;
      }
      case OpKind::kPrelu: {
        LITESR_ASSIGN_OR_RETURN(const PreluParams pp, make_prelu_params(in, s.alpha_params, s.output));
        if (s.alpha.size() != 1 && s.alpha.size() != static_cast<std::size_t>(s.channels)) {
          return invalid_argument("step '" + s.name + "': prelu slopes do not match its channels");
        }
        for (int8_t alpha : s.alpha) {
          Int8Table t;
          for (int b = 0; b < 256; ++b) t.v[b] = prelu_int8_element(static_cast<int8_t>(b), alpha, pp);
          op.tables.push_back(t);
        }
        break;
      }
      case OpKind::kTanh:
      case OpKind::kSigmoid: {
        Int8Table t;
        for (int b = 0; b < 256; ++b) t.v[b] = s.table[b];
        op.tables.push_back(t);
        break;
      }
      case OpKind::kAdd:
        for (std::size_t i = 1; i < s.inputs.size(); ++i) {
          const QuantParams a = i == 1 ? p.steps[s.inputs[0]].output : s.output;  // partial sums at the output's
          Result<AddParams> ap = make_add_params(a, p.steps[s.inputs[i]].output, s.output);
          if (!ap.ok()) return ap.status().with_context(s.name);
          op.adds.push_back(pack_add_int8(*ap));
        }
        break;
      case OpKind::kConcat:
        for (int i : s.inputs) {
          const QuantParams pi = p.steps[i].output;
          op.identity.push_back(pi == s.output);
          LITESR_ASSIGN_OR_RETURN(Int8Table t, requantize_table(pi, s.output));
          op.tables.push_back(t);
        }
        break;
      case OpKind::kSlice:
      case OpKind::kPixelShuffle: {
        op.requantize = !(in == s.output);
        LITESR_ASSIGN_OR_RETURN(Int8Table t, requantize_table(in, s.output));
        op.tables.push_back(t);
        break;
      }
      case OpKind::kBicubicUpsample: {  // the phase filters' nonzero taps (depthwise: [C·s²][1][k][k])
        BicubicFilter b;
        b.radius = s.radius;
        b.mirror = s.mirror;
        const int kk = s.conv.kernel;
        b.taps.resize(s.conv.out_channels);
        for (int o = 0; o < s.conv.out_channels; ++o) {
          for (int t = 0; t < kk * kk; ++t) {
            const int8_t w = s.conv.weight[static_cast<std::size_t>(o) * kk * kk + t];
            if (w != 0) b.taps[o].push_back({t / kk, t % kk - s.radius, w});
          }
        }
        LITESR_ASSIGN_OR_RETURN(b.multipliers,
                                conv2d_output_multipliers(in.scale, s.conv.weight_scales, s.output.scale));
        op.bicubic = static_cast<int>(bicubic_.size());
        bicubic_.push_back(std::move(b));
        break;
      }
      default:
        break;
    }
  }
  // Image boundaries (int8_map_from_image / int8_map_to_image).
  const QuantParams in = p.steps[p.inputs[0]].output, out = p.steps[p.outputs[0]].output;
  input_u8_ = byte_to_int8_table(in);
  output_u8_ = int8_to_byte_table(out);
  output_f32_ = int8_to_float_table(out);
  const StepOps& out_op = ops_[p.outputs[0]];
  const bool requantized = p.steps[p.outputs[0]].op == OpKind::kPixelShuffle && out_op.requantize;
  for (int b = 0; b < 256; ++b) {
    const uint8_t shuffled = requantized ? static_cast<uint8_t>(out_op.tables[0].v[b]) : static_cast<uint8_t>(b);
    shuffle_u8_.v[b] = output_u8_.v[shuffled];
    shuffle_f32_.v[b] = output_f32_.v[shuffled];
  }
  shuffle_u8_.exact = output_u8_.exact && !out_op.requantize;
  if (!requantized) {
    shuffle_f32_ = output_f32_;  // the same table, so the SIMD store may compute it
  } else if (output_f32_.affine) {  // the requantization, then the dequantization the SIMD store computes
    shuffle_f32_.affine = true;
    shuffle_f32_.scale = output_f32_.scale;
    shuffle_f32_.zero_point = output_f32_.zero_point;
    shuffle_f32_.has_pre = true;
    shuffle_f32_.pre = out_op.tables[0];
  }
  return {};
}

Int8BandExecutor::ChannelRows Int8BandExecutor::channel_rows(const Workspace& ws, int step, int y) const {
  const StepPlan& pl = pass_->plans[step];
  if (pl.checkpoint >= 0) {  // written whole by an earlier pass; rows outside the image are zero points
    const Checkpoint& cp = checkpoints_[pl.checkpoint];
    if (y < 0 || y >= cp.rows) return {checkpoint_arena_ + cp.zero_row + kLeadBytes, 0};
    return {checkpoint_arena_ + cp.offset + static_cast<std::size_t>(y) * cp.stride + kLeadBytes,
            static_cast<std::ptrdiff_t>(cp.rows) * static_cast<std::ptrdiff_t>(cp.stride)};
  }
  if (pl.save >= 0 && y >= pl.factor * ws.band_first && y < pl.factor * ws.band_end) {  // the band's own rows
    const Checkpoint& cp = checkpoints_[pl.save];
    return {checkpoint_arena_ + cp.offset + static_cast<std::size_t>(y) * cp.stride + kLeadBytes,
            static_cast<std::ptrdiff_t>(cp.rows) * static_cast<std::ptrdiff_t>(cp.stride)};
  }
  return {ws.arena + pl.offset + static_cast<std::size_t>(floor_mod(y, pl.ring)) * pl.stride + kLeadBytes,
          static_cast<std::ptrdiff_t>(pl.ring) * static_cast<std::ptrdiff_t>(pl.stride)};
}

void Int8BandExecutor::band_task(void* self, int band, int thread) {
  static_cast<Int8BandExecutor*>(self)->run_band(band, thread);
}

void Int8BandExecutor::run(ThreadPool& pool, const BandInput& in, const BandOutput& out) {
  in_ = in;
  out_ = out;
  planar_inputs_ = {};
  state_outputs_ = {};
  run_passes(pool);
}

void Int8BandExecutor::run(ThreadPool& pool, std::span<const Int8PlanarMap> inputs, const BandOutput& out,
                           std::span<const Int8PlanarMap> states) {
  in_ = BandInput{};
  out_ = out;
  planar_inputs_ = inputs;
  state_outputs_ = states;
  run_passes(pool);
}

void Int8BandExecutor::run_passes(ThreadPool& pool) {
  const Int8Program& p = *program_;
  for (const Pass& pass : passes_) {
    pass_ = &pass;
    for (Workspace& ws : workspaces_) {
      for (std::vector<int64_t>& sums : ws.sums) std::fill(sums.begin(), sums.end(), 0);
    }
    for (const Checkpoint& cp : checkpoints_) {  // the padding columns of the maps this pass writes: zero points
      if (stage_[cp.step] != static_cast<int>(&pass - passes_.data())) continue;
      const int8_t zp = static_cast<int8_t>(p.steps[cp.step].output.zero_point);
      for (int r = 0; r < cp.channels * cp.rows; ++r) {
        int8_t* row = checkpoint_arena_ + cp.offset + static_cast<std::size_t>(r) * cp.stride;
        std::fill_n(row, kLeadBytes, zp);
        std::fill_n(row + kLeadBytes + cp.width, cp.stride - kLeadBytes - cp.width, zp);
      }
    }
    pool.run((height_ + band_rows_ - 1) / band_rows_, &Int8BandExecutor::band_task, this,
             /*another_run_follows=*/!pass.final);
    finish_gates(pass);
  }
  pass_ = nullptr;
}

// The gates of the squeeze-excites whose input this pass wrote, from the sums of every thread, and each channel's
// MUL table (x · gate at the step's parameters).
void Int8BandExecutor::finish_gates(const Pass& pass) {
  const Int8Program& p = *program_;
  for (int i : pass.gates_after) {
    const SqueezeExcite& se = se_[i];
    const Int8Step& s = p.steps[se.step];
    const Checkpoint& cp = checkpoints_[se.checkpoint];
    std::vector<int32_t> sums(cp.channels, 0);
    for (const Workspace& ws : workspaces_) {
      for (int c = 0; c < cp.channels; ++c) sums[c] += static_cast<int32_t>(ws.sums[se.checkpoint][c]);
    }
    // Checked by plan_passes for this size (the MEAN's int32 bound), so it cannot fail here.
    const std::vector<int8_t> gates =
        squeeze_excite_gates_int8(s, p.steps[cp.step].output, sums, static_cast<int64_t>(cp.rows) * cp.width).value();
    for (int c = 0; c < cp.channels; ++c) {
      Int8Table& t = ops_[se.step].tables[c];
      for (int b = 0; b < 256; ++b) t.v[b] = mul_int8_element(static_cast<int8_t>(b), gates[c], se.mul);
    }
  }
}

void Int8BandExecutor::run_band(int band, int thread) {
  Workspace& ws = workspaces_[thread];
  const int y0 = band * band_rows_, y1 = std::min(height_, y0 + band_rows_);
  ws.band_first = y0;
  ws.band_end = y1;
  const int output_root = shuffle_source_ >= 0 ? shuffle_source_ : program_->outputs[0];
  const Pass& pass = *pass_;
  run_row_pipeline(
      pass.order, y0, y1, pass.lead_ticks, ws.next_row, [&](int k) -> const StepPlan& { return pass.plans[k]; },
      [&](int k, int y) {
        compute_row(k, y, ws);
        const StepPlan& pl = pass.plans[k];
        if (y < pl.factor * y0 || y >= pl.factor * y1) return;  // a lead row: another band stores it
        if (pl.save >= 0 && checkpoints_[pl.save].summed) {     // a checkpoint (computed in place) feeding an SE
          const Checkpoint& cp = checkpoints_[pl.save];
          const int32_t zp = program_->steps[k].output.zero_point;
          const ChannelRows rows = channel_rows(ws, k, y);
          for (int c = 0; c < cp.channels; ++c) {
            ws.sums[pl.save][c] += sum_row_int8(rows[c], cp.width) - int64_t{zp} * cp.width;
          }
        }
        if (!pass.final) return;
        if (output_index_[k] > 0) {  // a state output: its row into the caller's planar map
          const Int8PlanarMap& dst = state_outputs_[output_index_[k] - 1];
          for (int c = 0; c < program_->steps[k].channels; ++c) {
            std::memcpy(dst.data + c * dst.plane_stride + y * dst.stride, row_ptr(ws, k, c, y), pl.width);
          }
        }
        if (k != output_root) return;
        const int s = program_->scale;  // a band stores whole groups of s output rows
        if (shuffle_source_ >= 0) {
          store_rows(y, ws);
          rows_stored(out_.rows, (y + 1) * s, s);
        } else {
          store_output_row(y, ws);
          rows_stored(out_.rows, y + 1, s);
        }
      });
}

void Int8BandExecutor::compute_row(int k, int y, Workspace& ws) {
  const Int8Program& p = *program_;
  const Int8Step& s = p.steps[k];
  const StepPlan& pl = pass_->plans[k];
  const StepOps& op = ops_[k];
  const int w = pl.width, channels = s.channels;
  auto row = [&](int step, int c, int yy) { return row_ptr(ws, step, c, yy); };
  const ChannelRows out = channel_rows(ws, k, y);
  if (y < 0 || y >= height_ * pl.factor) {  // the conv padding: zero point
    for (int c = 0; c < channels; ++c) std::memset(out[c], s.output.zero_point, w);
    return;
  }
  switch (s.op) {
    case OpKind::kInput:
      if (!planar_inputs_.empty()) {
        const Int8PlanarMap& src = planar_inputs_[input_index_[k]];
        for (int c = 0; c < channels; ++c) {
          if (src.data == nullptr) {
            std::memset(out[c], s.output.zero_point, w);
          } else {
            std::memcpy(out[c], src.data + c * src.plane_stride + y * src.stride, w);
          }
        }
      } else if (in_.u8 && channels == 3) {
        int8_t* planes[3] = {out[0], out[1], out[2]};
        deinterleave_rgb_u8_to_int8(in_.u8 + y * in_.stride, w, input_u8_, planes);
      } else if (in_.f32) {
        for (int c = 0; c < channels; ++c) ws.out_ptrs[c] = out[c];
        quantize_interleaved_f32_to_int8(in_.f32 + y * in_.stride, w, channels, s.output, ws.out_ptrs.data());
      } else {
        for (int c = 0; c < channels; ++c) {
          int8_t* dst = out[c];
          for (int x = 0; x < w; ++x)
            dst[x] = input_u8_.v[in_.u8[y * in_.stride + static_cast<std::ptrdiff_t>(x) * channels + c]];
        }
      }
      break;
    case OpKind::kConv2d: {
      const int src = s.inputs[0];
      for (int co = 0; co < channels; ++co) ws.out_ptrs[co] = out[co];
      if (op.dense >= 0) {
        const PackedConvInt8& c = dense_[op.dense];
        if (c.kernel == 1) {
          const ChannelRows in = channel_rows(ws, src, y);
          for (int ci = 0; ci < c.cin; ++ci) ws.in_ptrs[ci] = in[ci];
          conv1x1_int8_rows(c, ws.in_ptrs.data(), w, ws.out_ptrs.data());
          break;
        }
        const ChannelRows in[3] = {channel_rows(ws, src, y - 1), channel_rows(ws, src, y),
                                   channel_rows(ws, src, y + 1)};
        for (int ci = 0; ci < c.cin; ++ci) {
          for (int ky = 0; ky < 3; ++ky) ws.in_ptrs[ci * 3 + ky] = in[ky][ci];
        }
        conv3x3_int8_rows(c, ws.in_ptrs.data(), w, ws.out_ptrs.data());
        break;
      }
      if (op.depthwise >= 0) {
        const ChannelRows in[3] = {channel_rows(ws, src, y - 1), channel_rows(ws, src, y),
                                   channel_rows(ws, src, y + 1)};
        for (int ch = 0; ch < channels; ++ch) {
          for (int ky = 0; ky < 3; ++ky) ws.in_ptrs[ch * 3 + ky] = in[ky][ch];
        }
        depthwise3x3_int8_rows(depthwise_[op.depthwise], ws.in_ptrs.data(), w, ws.out_ptrs.data());
        break;
      }
      // Generic: conv2d_int8's sums, row by row (padded samples are the input zero point: term 0).
      const GenericConv& g = generic_[op.generic];
      const int kk = g.kernel, r = (kk - 1) / 2, cin_g = g.cin / g.groups, cout_g = g.cout / g.groups;
      int32_t* acc = ws.acc.data();
      for (int co = 0; co < g.cout; ++co) {
        const int group = co / cout_g;
        std::fill_n(acc, w, g.bias[co]);
        const int8_t* wt = g.weight.data() + static_cast<std::size_t>(co) * cin_g * kk * kk;
        for (int ci = 0; ci < cin_g; ++ci) {
          for (int ky = 0; ky < kk; ++ky) {
            const int8_t* in = row(src, group * cin_g + ci, y - r + ky) - r;
            for (int kx = 0; kx < kk; ++kx) {
              const int32_t wv = wt[(ci * kk + ky) * kk + kx];
              for (int x = 0; x < w; ++x) acc[x] += wv * (in[x + kx] + g.input_offset);
            }
          }
        }
        int8_t* dst = ws.out_ptrs[co];
        for (int x = 0; x < w; ++x) dst[x] = requantize_accumulator(acc[x], g.multipliers[co], g.output_zero_point, {});
      }
      break;
    }
    case OpKind::kRelu:
    case OpKind::kLeakyRelu:
    case OpKind::kPrelu:
    case OpKind::kTanh:
    case OpKind::kSigmoid:
    case OpKind::kSqueezeExcite: {  // x · gate[c]: this run's per-channel tables
      const ChannelRows in = channel_rows(ws, s.inputs[0], y);
      lookup_rows_int8(op.tables, in.base, in.channel_stride, out.base, out.channel_stride, channels, w);
      break;
    }
    case OpKind::kAdd: {
      const ChannelRows a = channel_rows(ws, s.inputs[0], y), b = channel_rows(ws, s.inputs[1], y);
      for (int c = 0; c < channels; ++c) {
        add_int8_row(op.adds[0], a[c], b[c], w, out[c]);
        for (std::size_t i = 2; i < s.inputs.size(); ++i) {
          add_int8_row(op.adds[i - 1], out[c], row(s.inputs[i], c, y), w, out[c]);
        }
      }
      break;
    }
    case OpKind::kConcat: {
      int c = 0;
      for (std::size_t i = 0; i < s.inputs.size(); ++i) {
        const int in = s.inputs[i];
        for (int ci = 0; ci < p.steps[in].channels; ++ci, ++c) {
          if (op.identity[i]) {
            std::memcpy(out[c], row(in, ci, y), w);
          } else {
            lookup_row_int8(op.tables[i], row(in, ci, y), w, out[c]);
          }
        }
      }
      break;
    }
    case OpKind::kSlice:
      for (int c = 0; c < channels; ++c) {
        if (op.requantize) {
          lookup_row_int8(op.tables[0], row(s.inputs[0], s.begin + c, y), w, out[c]);
        } else {
          std::memcpy(out[c], row(s.inputs[0], s.begin + c, y), w);
        }
      }
      break;
    case OpKind::kPixelShuffle: {  // out[c][y][x·r + j] = in[c·r² + i·r + j][y / r][x], i = y mod r
      const int r = s.scale, i = y % r;
      for (int c = 0; c < channels; ++c) {
        for (int j = 0; j < r; ++j) ws.in_ptrs[j] = row(s.inputs[0], c * r * r + i * r + j, y / r);
        interleave_rows_int8(ws.in_ptrs.data(), w / r, r, out[c]);
        if (op.requantize) lookup_row_int8(op.tables[0], out[c], w, out[c]);
      }
      break;
    }
    case OpKind::kBicubicUpsample:
      bicubic_row(k, y, ws);
      break;
    default:
      break;  // excluded by check_supported
  }
}

// Row y of a bicubic_upsample (factor s): phase i = y mod s of LR row h = y / s. Per channel, the 2R + 1 input rows
// around h (mirrored or replicated at the image's top and bottom: those rows lie within h ± R, so the ring has
// them) are copied with R mirrored / replicated columns each side; each phase j's taps run over them
// (tap_filter_int8_row: conv2d_int8 of the padded map, int8_program.h), and the s phases are interleaved.
void Int8BandExecutor::bicubic_row(int k, int y, Workspace& ws) {
  const Int8Step& s = program_->steps[k];
  const BicubicFilter& b = bicubic_[ops_[k].bicubic];
  const int in = s.inputs[0], r = b.radius, sc = s.scale, h = y / sc, i = y % sc;
  const int w = width_, rows = height_ * factor_[in], padded = w + 2 * r;
  const int32_t zp_in = program_->steps[in].output.zero_point, zp_out = s.output.zero_point;
  const BorderMode border = b.mirror ? BorderMode::kSymmetric : BorderMode::kReplicate;
  auto source = [&](int v, int n) { return map_border_index(v, n, border); };
  for (int d = 0; d <= 2 * r; ++d) ws.mirrored_rows[d] = ws.mirrored.data() + static_cast<std::size_t>(d) * padded + r;
  for (int j = 0; j < sc; ++j) ws.in_ptrs[j] = ws.phase_rows.data() + static_cast<std::size_t>(j) * w;
  for (int c = 0; c < s.channels; ++c) {
    for (int d = -r; d <= r; ++d) {
      const int8_t* src = row_ptr(ws, in, c, source(h + d, rows));
      int8_t* dst = ws.mirrored.data() + static_cast<std::size_t>(d + r) * padded;
      std::memcpy(dst + r, src, w);
      for (int x = 1; x <= r; ++x) {
        dst[r - x] = src[source(-x, w)];
        dst[r + w - 1 + x] = src[source(w - 1 + x, w)];
      }
    }
    for (int j = 0; j < sc; ++j) {
      const int o = (c * sc + i) * sc + j;
      tap_filter_int8_row(b.taps[o], ws.mirrored_rows.data(), w, zp_in, b.multipliers[o], zp_out,
                          ws.phase_rows.data() + static_cast<std::size_t>(j) * w);
    }
    interleave_rows_int8(ws.in_ptrs.data(), w, sc, row_ptr(ws, k, c, y));
  }
}

// Output rows y·s .. y·s + s − 1 of LR row y of the shuffle source, straight into the image.
void Int8BandExecutor::store_rows(int y, Workspace& ws) {
  const int s = program_->scale;
  for (int c = 0; c < 3 * s * s; ++c) ws.in_ptrs[c] = row_ptr(ws, shuffle_source_, c, y);
  if (out_.u8) {
    for (int i = 0; i < s; ++i) ws.u8_rows[i] = out_.u8 + (static_cast<std::ptrdiff_t>(y) * s + i) * out_.stride;
    pixel_shuffle_store_int8_u8_rows(ws.in_ptrs.data(), width_, s, shuffle_u8_, ws.u8_rows.data());
    return;
  }
  for (int i = 0; i < s; ++i) ws.f32_rows[i] = out_.f32 + (static_cast<std::ptrdiff_t>(y) * s + i) * out_.stride;
  pixel_shuffle_store_int8_f32_rows(ws.in_ptrs.data(), width_, s, shuffle_f32_, ws.f32_rows.data());
}

// Output row yy of the output step's own rows (any channel count), converted and interleaved.
void Int8BandExecutor::store_output_row(int yy, Workspace& ws) {
  const int k = program_->outputs[0], channels = program_->steps[k].channels, w = pass_->plans[k].width;
  const std::ptrdiff_t base = yy * out_.stride;
  if (channels == 3) {  // RGB: the pixel-shuffle store at scale 1 (SIMD for the exact / affine tables)
    for (int c = 0; c < 3; ++c) ws.in_ptrs[c] = row_ptr(ws, k, c, yy);
    if (out_.u8) {
      uint8_t* dst = out_.u8 + base;
      pixel_shuffle_store_int8_u8_rows(ws.in_ptrs.data(), w, 1, output_u8_, &dst);
    } else {
      float* dst = out_.f32 + base;
      pixel_shuffle_store_int8_f32_rows(ws.in_ptrs.data(), w, 1, output_f32_, &dst);
    }
    return;
  }
  for (int c = 0; c < channels; ++c) {
    const int8_t* src = row_ptr(ws, k, c, yy);
    for (int x = 0; x < w; ++x) {
      const uint8_t b = static_cast<uint8_t>(src[x]);
      const std::ptrdiff_t i = base + static_cast<std::ptrdiff_t>(x) * channels + c;
      if (out_.u8) {
        out_.u8[i] = output_u8_.v[b];
      } else {
        out_.f32[i] = output_f32_.v[b];
      }
    }
  }
}

}  // namespace litesr
