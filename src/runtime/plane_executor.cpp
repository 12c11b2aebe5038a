#include "runtime/plane_executor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/image_ops.h"
#include "runtime/elementwise_rows.h"
#include "runtime/kernel_pixel_shuffle.h"

namespace litesr {
namespace {

constexpr int kLead = 16;         // zero floats before x = 0: 64-byte aligned rows, left halo
constexpr int kAlignFloats = 16;  // 64 bytes
constexpr int kTasksPerThread = 4;

std::size_t align_up(std::size_t v) { return (v + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

}  // namespace

Status PlaneExecutor::check_supported(const Program& p) {
  if (p.inputs.size() != 1 || p.outputs.size() != 1) return unsupported("plane execution needs one input and one output");
  const Step& out = p.steps[p.outputs[0]];
  if (out.shape.factor != p.scale || out.shape.channels != 3) return unsupported("output must be RGB at the output size");
  for (const Step& s : p.steps) {
    const Node& n = s.node;
    switch (n.op) {
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
      case OpKind::kConv2d: {
        const bool dense = n.groups == 1 && (n.kernel == 3 || n.kernel == 1);
        const bool depthwise = n.kernel == 3 && n.groups == s.in_channels && n.groups == s.shape.channels;
        if (!dense && !depthwise) return unsupported("conv " + n.name + " has no row kernel");
        break;
      }
      case OpKind::kSqueezeExcite:
        if (n.se_pool != SePool::kMean) return unsupported("squeeze_excite pooling other than the mean");
        break;
      case OpKind::kBicubicUpsample:
        if (p.steps[n.inputs[0]].node.op != OpKind::kInput) return unsupported("bicubic_upsample of a non-input");
        break;
      default:
        return unsupported("op " + std::string(op_kind_name(n.op)) + " has no plane kernel");
    }
  }
  return {};
}

Status PlaneExecutor::prepare(const Program& p, int width, int height, int threads) {
  LITESR_RETURN_IF_ERROR(check_supported(p));
  if (width < 1 || height < 1) return invalid_argument("input size must be at least 1x1");
  if (threads < 1) return invalid_argument("threads must be >= 1");
  program_ = &p;
  width_ = width;
  height_ = height;
  const int n = static_cast<int>(p.steps.size());
  plans_.assign(n, StepPlan{});
  packed_.clear();
  for (int k = 0; k < n; ++k) {
    StepPlan& pl = plans_[k];
    pl.width = width * p.steps[k].shape.factor;
    pl.height = height * p.steps[k].shape.factor;
    pl.stride = static_cast<int>(align_up(kLead + pl.width + 1));
  }

  // Epilogue fusion (as in the band executor): conv -> activation, then -> add (residual).
  fusion_ = plan_epilogue_fusion(p);
  auto root = [&](int k) { return fusion_[k].alias; };
  // A squeeze_excite read only by a conv folds its gates into that conv: the step writes no map, and its
  // reader sees the ungated input map (root = the input's root) with gate-scaled weights.
  std::vector<int> se_reader(n, -1);
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    if (st.node.op != OpKind::kConv2d || fusion_[k].skip) continue;
    const int in = st.node.inputs[0];
    if (p.steps[in].node.op == OpKind::kSqueezeExcite && p.consumers[in] == 1 && root(in) == in) se_reader[in] = k;
  }
  for (int k = 0; k < n; ++k) {
    if (se_reader[k] < 0) continue;
    fusion_[k].skip = true;
    fusion_[k].alias = root(p.steps[k].node.inputs[0]);
  }
  output_root_ = root(p.outputs[0]);

  // Packed weights.
  std::size_t se_floats = 0;
  int max_ptrs = 3, max_scratch = 0;
  se_folds_.clear();
  for (int k = 0; k < n; ++k) {
    const Step& st = p.steps[k];
    StepPlan& pl = plans_[k];
    if (st.node.op == OpKind::kSqueezeExcite) {  // folded or not, its gates are computed
      pl.se_offset = se_floats;
      se_floats += static_cast<std::size_t>(st.shape.channels) + st.node.se_hidden;
    }
    if (fusion_[k].skip) continue;
    if (st.node.op == OpKind::kConv2d) {
      const int cin = st.in_channels, cout = st.shape.channels;
      Result<PackedConv> packed = st.node.groups != 1 ? pack_dwconv3x3_f32(st.weight, cout)
                                  : st.node.kernel == 3 ? pack_conv3x3_f32(st.weight, cin, cout)
                                                        : pack_conv1x1_f32(st.weight, cin, cout);
      LITESR_RETURN_IF_ERROR(packed.status());
      pl.packed = static_cast<int>(packed_.size());
      packed_.push_back(std::move(*packed));
      max_ptrs = std::max({max_ptrs, cin * 3, cout});
      const int in = st.node.inputs[0];
      if (se_reader[in] == k) {
        plans_[in].se_fold = static_cast<int>(se_folds_.size());
        se_folds_.push_back({pl.packed, packed_.back()});
      }
    } else if (st.node.op == OpKind::kBicubicUpsample) {
      LITESR_ASSIGN_OR_RETURN(bicubic_v_, make_bicubic_table(height, st.node.scale, st.node.bicubic));
      LITESR_ASSIGN_OR_RETURN(bicubic_h_, make_bicubic_table(width, st.node.scale, st.node.bicubic));
      max_scratch = std::max(max_scratch, st.shape.channels * width);
    }
  }

  // Buffers by liveness: a map is released after the last step that reads it (outputs never alias inputs).
  std::vector<int> last_use(n, -1);
  for (int k = 0; k < n; ++k) {
    if (fusion_[k].skip) continue;
    for (int in : p.steps[k].node.inputs) last_use[root(in)] = std::max(last_use[root(in)], k);
    const int residual = fusion_[k].residual;
    if (residual >= 0) last_use[root(residual)] = std::max(last_use[root(residual)], k);
  }
  last_use[output_root_] = std::numeric_limits<int>::max();
  struct Buffer {
    std::size_t offset, size;
    bool free;
  };
  std::vector<Buffer> buffers;
  std::vector<int> buffer_of(n, -1);
  std::size_t total = 0;
  for (int k = 0; k < n; ++k) {
    StepPlan& pl = plans_[k];
    if (fusion_[k].skip) continue;
    const std::size_t need = static_cast<std::size_t>(p.steps[k].shape.channels) * pl.height * pl.stride;
    int best = -1;
    for (int b = 0; b < static_cast<int>(buffers.size()); ++b) {
      if (buffers[b].free && buffers[b].size >= need && (best < 0 || buffers[b].size < buffers[best].size)) best = b;
    }
    if (best < 0) {
      buffers.push_back({total, need, false});
      total += align_up(need);
      best = static_cast<int>(buffers.size()) - 1;
    }
    buffers[best].free = false;
    buffer_of[k] = best;
    pl.offset = buffers[best].offset;
    for (int j = 0; j <= k; ++j) {
      if (buffer_of[j] >= 0 && last_use[j] == k) buffers[buffer_of[j]].free = true;
    }
  }
  storage_.assign(total + kAlignFloats, 0.0f);
  const std::size_t misalign = (reinterpret_cast<std::uintptr_t>(storage_.data()) / sizeof(float)) % kAlignFloats;
  arena_ = storage_.data() + (misalign == 0 ? 0 : kAlignFloats - misalign);
  int max_stride = 0;
  for (const StepPlan& pl : plans_) max_stride = std::max(max_stride, pl.stride);
  zero_row_.assign(static_cast<std::size_t>(max_stride) + kAlignFloats, 0.0f);
  se_.assign(se_floats, 0.0f);
  int max_channels = 1;
  for (const Step& st : p.steps) max_channels = std::max(max_channels, st.shape.channels);
  se_sums_.assign(max_channels, 0.0);
  workspaces_.resize(threads);
  for (Workspace& w : workspaces_) {
    w.in_ptrs.assign(max_ptrs, nullptr);
    w.out_ptrs.assign(max_ptrs, nullptr);
    w.res_ptrs.assign(max_ptrs, nullptr);
    w.scratch.assign(std::max(max_scratch, 1), 0.0f);
  }
  return {};
}

const float* PlaneExecutor::row(int k, int c, int y) const {
  const StepPlan& pl = plans_[fusion_[k].alias];
  if (y < 0 || y >= pl.height) return zero_row_.data() + kLead;
  return arena_ + pl.offset + (static_cast<std::size_t>(c) * pl.height + y) * pl.stride + kLead;
}

float* PlaneExecutor::mutable_row(int k, int c, int y) const {
  const StepPlan& pl = plans_[fusion_[k].alias];
  return arena_ + pl.offset + (static_cast<std::size_t>(c) * pl.height + y) * pl.stride + kLead;
}

void PlaneExecutor::task_fn(void* self, int task, int thread) {
  static_cast<PlaneExecutor*>(self)->run_task(task, thread);
}

void PlaneExecutor::run(ThreadPool& pool, const BandInput& in, const BandOutput& out) {
  in_ = in;
  out_ = out;
  const Program& p = *program_;
  const int tasks_wanted = pool.size() == 1 ? 1 : pool.size() * kTasksPerThread;
  for (int k = 0; k < static_cast<int>(p.steps.size()); ++k) {
    if (plans_[k].se_fold >= 0) {  // gates only: they scale the reader conv's weights
      compute_se_gates(pool, k);
      continue;
    }
    if (fusion_[k].skip) continue;
    const StepPlan& pl = plans_[k];
    current_ = k;
    const Step& st = p.steps[k];
    if (st.node.op == OpKind::kSqueezeExcite) {
      compute_se_gates(pool, k);
      phase_ = 1;
    } else {
      phase_ = 0;
    }
    rows_per_task_ = std::max(1, (pl.height + tasks_wanted - 1) / tasks_wanted);
    pool.run((pl.height + rows_per_task_ - 1) / rows_per_task_, &PlaneExecutor::task_fn, this);
  }
}

void PlaneExecutor::compute_se_gates(ThreadPool& pool, int k) {
  const Step& st = program_->steps[k];
  const StepPlan& pl = plans_[k];
  current_ = k;
  phase_ = 0;  // per-channel sums: one task per channel, in double
  pool.run(st.shape.channels, &PlaneExecutor::task_fn, this);
  const int c = st.shape.channels, h = st.node.se_hidden;
  float* mean = se_.data() + pl.se_offset;
  float* hidden = mean + c;
  const double count = static_cast<double>(pl.width) * pl.height;
  for (int ch = 0; ch < c; ++ch) mean[ch] = static_cast<float>(se_sums_[ch] / count);
  for (int j = 0; j < h; ++j) {
    float acc = st.bias[j];
    for (int ch = 0; ch < c; ++ch) acc += st.weight[j * c + ch] * mean[ch];
    hidden[j] = std::max(acc, 0.0f);
  }
  for (int ch = 0; ch < c; ++ch) {  // the means are no longer needed: gates overwrite them
    float acc = st.bias2[ch];
    for (int j = 0; j < h; ++j) acc += st.weight2[ch * h + j] * hidden[j];
    mean[ch] = st.node.se_gate == SeGate::kHardSigmoid ? std::clamp(acc + 3.0f, 0.0f, 6.0f) / 6.0f
                                                       : 1.0f / (1.0f + std::exp(-acc));
  }
  if (pl.se_fold >= 0) {
    SeFold& fold = se_folds_[pl.se_fold];
    scale_conv_inputs(fold.base, mean, packed_[fold.conv_packed]);
  }
}

void PlaneExecutor::run_task(int task, int thread) {
  const int k = current_;
  const Step& st = program_->steps[k];
  if (st.node.op == OpKind::kSqueezeExcite && phase_ == 0) {
    // Four interleaved double accumulators per row (independent add chains, not one latency-bound chain);
    // a fixed order, so the sum does not depend on the thread count.
    double sum = 0.0;
    const int src = st.node.inputs[0], w = plans_[k].width;
    for (int y = 0; y < plans_[k].height; ++y) {
      const float* r = row(src, task, y);
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      int x = 0;
      for (; x + 4 <= w; x += 4) {
        s0 += r[x];
        s1 += r[x + 1];
        s2 += r[x + 2];
        s3 += r[x + 3];
      }
      for (; x < w; ++x) s0 += r[x];
      sum += (s0 + s1) + (s2 + s3);
    }
    se_sums_[task] = sum;
    return;
  }
  const int y0 = task * rows_per_task_, y1 = std::min(plans_[k].height, y0 + rows_per_task_);
  run_rows(k, y0, y1, workspaces_[thread]);
  if (k == output_root_) store_rows(y0, y1, workspaces_[thread]);
}

void PlaneExecutor::run_rows(int k, int y0, int y1, Workspace& ws) {
  const Program& p = *program_;
  const StepPlan& pl = plans_[k];
  const Step& st = p.steps[k];
  const Node& nd = st.node;
  const int channels = st.shape.channels, w = pl.width;
  for (int y = y0; y < y1; ++y) {
    auto input_row = [&](int step, int c) { return row(step, c, y); };
    // Buffers are reused by maps of other widths: re-zero the halo columns the 3x3 kernels read.
    for (int c = 0; c < channels; ++c) {
      float* r = mutable_row(k, c, y);
      r[-1] = 0.0f;
      r[w] = 0.0f;
    }
    switch (nd.op) {
      case OpKind::kInput: {
        if (channels == 3) {
          float* planes[3] = {mutable_row(k, 0, y), mutable_row(k, 1, y), mutable_row(k, 2, y)};
          if (in_.u8) {
            deinterleave_rgb_u8_to_planar_f32(in_.u8 + y * in_.stride, w, planes);
          } else {
            deinterleave_rgb_f32_to_planar_f32(in_.f32 + y * in_.stride, w, planes);
          }
          break;
        }
        const std::ptrdiff_t base = y * in_.stride;
        for (int c = 0; c < channels; ++c) {
          float* dst = mutable_row(k, c, y);
          for (int x = 0; x < w; ++x) {
            const std::ptrdiff_t i = base + static_cast<std::ptrdiff_t>(x) * channels + c;
            dst[x] = in_.f32 ? in_.f32[i] : static_cast<float>(in_.u8[i]) / 255.0f;
          }
        }
        break;
      }
      case OpKind::kConv2d: {
        const PackedConv& packed = packed_[pl.packed];
        const FusedEpilogue& fused = fusion_[k];
        Epilogue ep = conv_epilogue(st, fused);
        const int src = nd.inputs[0];
        if (packed.kind == ConvKind::kConv1x1) {
          for (int ci = 0; ci < st.in_channels; ++ci) ws.in_ptrs[ci] = row(src, ci, y);
        } else {
          for (int ci = 0; ci < st.in_channels; ++ci) {
            for (int ky = 0; ky < 3; ++ky) ws.in_ptrs[ci * 3 + ky] = row(src, ci, y - 1 + ky);
          }
        }
        for (int co = 0; co < channels; ++co) ws.out_ptrs[co] = mutable_row(k, co, y);
        if (fused.residual >= 0) {
          for (int co = 0; co < channels; ++co) ws.res_ptrs[co] = row(fused.residual, co, y);
          ep.residual = ws.res_ptrs.data();
        }
        conv_f32_rows(packed, ws.in_ptrs.data(), w, ep, ws.out_ptrs.data());
        break;
      }
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
      case OpKind::kPrelu:
      case OpKind::kTanh:
      case OpKind::kBatchNorm:
        for (int c = 0; c < channels; ++c) pointwise_row(st, c, row(nd.inputs[0], c, y), w, mutable_row(k, c, y));
        break;
      case OpKind::kSqueezeExcite: {
        const float* gates = se_.data() + pl.se_offset;
        for (int c = 0; c < channels; ++c) {
          const float* src = row(nd.inputs[0], c, y);
          float* dst = mutable_row(k, c, y);
          const float g = gates[c];
          for (int x = 0; x < w; ++x) dst[x] = src[x] * g;
        }
        break;
      }
      case OpKind::kAdd:
        for (int c = 0; c < channels; ++c) add_row(nd, c, input_row, w, mutable_row(k, c, y));
        break;
      case OpKind::kConcat:
      case OpKind::kSlice:
        concat_or_slice_rows(p, nd, input_row, [&](int c) { return mutable_row(k, c, y); }, w);
        break;
      case OpKind::kPixelShuffle: {
        const int r = nd.scale, i = y % r, yl = y / r, wl = w / r;
        for (int c = 0; c < channels; ++c) {
          float* dst = mutable_row(k, c, y);
          if (r == 2) {  // the common case as one interleaving loop (vectorised as unpack low/high)
            const float* a = row(nd.inputs[0], c * 4 + i * 2, yl);
            const float* b = row(nd.inputs[0], c * 4 + i * 2 + 1, yl);
            for (int x = 0; x < wl; ++x) {
              dst[2 * x] = a[x];
              dst[2 * x + 1] = b[x];
            }
            continue;
          }
          for (int j = 0; j < r; ++j) {
            const float* src = row(nd.inputs[0], c * r * r + i * r + j, yl);
            for (int x = 0; x < wl; ++x) dst[x * r + j] = src[x];
          }
        }
        break;
      }
      case OpKind::kBicubicUpsample: {
        const int src = nd.inputs[0], taps = bicubic_v_.taps, htaps = bicubic_h_.taps, wl = width_;
        for (int c = 0; c < channels; ++c) {
          float* tc = ws.scratch.data() + static_cast<std::size_t>(c) * wl;
          std::fill(tc, tc + wl, 0.0f);
          for (int t = 0; t < taps; ++t) {
            const float wt = bicubic_v_.weight[y * taps + t];
            const float* in = row(src, c, bicubic_v_.index[y * taps + t]);
            for (int x = 0; x < wl; ++x) tc[x] += wt * in[x];
          }
          float* dst = mutable_row(k, c, y);
          for (int xx = 0; xx < w; ++xx) {
            float acc = 0.0f;
            for (int t = 0; t < htaps; ++t) acc += bicubic_h_.weight[xx * htaps + t] * tc[bicubic_h_.index[xx * htaps + t]];
            dst[xx] = acc;
          }
        }
        break;
      }
      default:
        break;  // excluded by check_supported
    }
  }
}

// Output rows [y0, y1) of the output map: clamp / quantise, interleave, store into the caller's image.
void PlaneExecutor::store_rows(int y0, int y1, Workspace& ws) {
  const int k = program_->outputs[0], w = plans_[output_root_].width;
  for (int y = y0; y < y1; ++y) {
    for (int c = 0; c < 3; ++c) ws.in_ptrs[c] = row(k, c, y);
    if (out_.u8) {
      uint8_t* dst = out_.u8 + y * out_.stride;
      pixel_shuffle_store_u8_rows(ws.in_ptrs.data(), w, 1, nullptr, &dst);
    } else {
      float* dst = out_.f32 + y * out_.stride;
      pixel_shuffle_store_f32_rows(ws.in_ptrs.data(), w, 1, nullptr, &dst);
      for (int q = 0; q < 3 * w; ++q) {
        const float v = dst[q];
        dst[q] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
      }
    }
  }
}

}  // namespace litesr
