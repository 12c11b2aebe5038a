#include "runtime/reference_executor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "runtime/squeeze_excite.h"

namespace litesr {
namespace {

// The x in [x0, x1) ⊆ [0, count) whose x·stride + offset lies in [0, width): a conv's output columns whose tap
// reads inside the input row (the others read zero padding and are skipped), or a transposed conv's input
// columns whose tap lands inside the output row.
std::pair<int, int> valid_columns(int offset, int stride, int width, int count) {
  // stride 1 (every "same" conv) without the two integer divisions per tap
  if (stride == 1) return {std::max(0, -offset), std::max(std::max(0, -offset), std::min(count, width - offset))};
  const int x0 = offset < 0 ? (-offset + stride - 1) / stride : 0;
  const int last = width - 1 - offset;  // the largest x·stride allowed
  const int x1 = last < 0 ? 0 : std::min(count, last / stride + 1);
  return {x0, std::max(x0, x1)};
}

// out[o, y, x] = b[o] + Σ w[o, ci, ky, kx] · in[g·cin_g + ci, y·stride + ky − pad, x·stride + kx − pad] over the
// taps inside the image, summed in (ci, ky, kx) order one product at a time: PyTorch Conv2d's definition, each
// output's additions in a fixed order. Computed a row at a time (one product added to every output of the row
// before the next), which adds each output's products in exactly that order.
void conv2d(const Step& s, const FeatureMap& in, FeatureMap& out) {
  const Node& n = s.node;
  const int k = n.kernel, pad = n.padding, groups = n.groups, st = n.stride;
  const int cin_g = in.channels / groups, cout_g = out.channels / groups;
  std::vector<float> acc(static_cast<std::size_t>(out.width));
  for (int o = 0; o < out.channels; ++o) {
    const int g = o / cout_g;
    const float* w = s.weight.data() + static_cast<std::size_t>(o) * cin_g * k * k;  // [cin_g][k][k]
    for (int y = 0; y < out.height; ++y) {
      std::fill(acc.begin(), acc.end(), s.bias[o]);
      for (int ci = 0; ci < cin_g; ++ci) {
        for (int ky = 0; ky < k; ++ky) {
          const int iy = y * st + ky - pad;
          if (iy < 0 || iy >= in.height) continue;
          const float* row = in.plane(g * cin_g + ci) + static_cast<std::size_t>(iy) * in.width;
          for (int kx = 0; kx < k; ++kx) {
            const float wv = w[(ci * k + ky) * k + kx];
            const auto [x0, x1] = valid_columns(kx - pad, st, in.width, out.width);
            if (st == 1) {  // contiguous: vectorised
              const float* src = row + (kx - pad);
              for (int x = x0; x < x1; ++x) acc[x] += wv * src[x];
            } else {
              for (int x = x0; x < x1; ++x) acc[x] += wv * row[x * st + kx - pad];
            }
          }
        }
      }
      std::copy(acc.begin(), acc.end(), out.plane(o) + static_cast<std::size_t>(y) * out.width);
    }
  }
}

// PyTorch ConvTranspose2d (groups 1): out[o, oy, ox] = b[o] + Σ in[i, iy, ix] · W[i, o, ky, kx] over
// oy = iy·stride − padding + ky (likewise x), summed per output in (i, ky, kx) order one product at a time.
// Computed a row at a time: input row iy scattered into output row oy, one (i, ky, kx) after another.
void conv_transpose2d(const Step& s, const FeatureMap& in, FeatureMap& out) {
  const Node& n = s.node;
  const int k = n.kernel, st = n.stride, pad = n.padding;
  std::vector<float> acc(static_cast<std::size_t>(out.width));
  for (int o = 0; o < out.channels; ++o) {
    for (int oy = 0; oy < out.height; ++oy) {
      std::fill(acc.begin(), acc.end(), s.bias[o]);
      for (int i = 0; i < in.channels; ++i) {
        const float* w = s.weight.data() + (static_cast<std::size_t>(i) * out.channels + o) * k * k;
        for (int ky = 0; ky < k; ++ky) {
          const int ty = oy + pad - ky;
          if (ty < 0 || ty % st != 0 || ty / st >= in.height) continue;
          const float* row = in.plane(i) + static_cast<std::size_t>(ty / st) * in.width;
          for (int kx = 0; kx < k; ++kx) {
            const float wv = w[ky * k + kx];
            // output column ox = ix·stride + kx − padding for the input columns that land inside the output
            const auto [ix0, ix1] = valid_columns(kx - pad, st, out.width, in.width);
            for (int ix = ix0; ix < ix1; ++ix) acc[ix * st + kx - pad] += wv * row[ix];
          }
        }
      }
      std::copy(acc.begin(), acc.end(), out.plane(o) + static_cast<std::size_t>(oy) * out.width);
    }
  }
}

void squeeze_excite(const Step& s, const FeatureMap& in, FeatureMap& out, std::span<float> scratch) {
  const int c = in.channels;
  float* mean = scratch.data();  // the pooled vector (mean, or mean + std)
  float* hidden = scratch.data() + c;
  const double count = static_cast<double>(in.plane_size());
  for (int ch = 0; ch < c; ++ch) {
    double sum = 0.0;
    const float* p = in.plane(ch);
    for (std::size_t i = 0; i < in.plane_size(); ++i) sum += p[i];
    const double m = sum / count;
    double pooled = m;
    if (s.node.se_pool == SePool::kMeanStd) {  // IMDN CCA: population std + mean
      double sq = 0.0;
      for (std::size_t i = 0; i < in.plane_size(); ++i) sq += (p[i] - m) * (p[i] - m);
      pooled = std::sqrt(sq / count) + m;
    }
    mean[ch] = static_cast<float>(pooled);
  }
  squeeze_excite_gates_from_pooled(s, mean, hidden, mean);  // the gates overwrite the pooled values
  for (int ch = 0; ch < c; ++ch) {
    const float gate = mean[ch];
    const float* src = in.plane(ch);
    float* dst = out.plane(ch);
    for (std::size_t i = 0; i < in.plane_size(); ++i) dst[i] = src[i] * gate;
  }
}

// max over the window; positions outside the input are skipped (PyTorch's implicit −inf padding).
void max_pool2d(const Node& n, const FeatureMap& in, FeatureMap& out) {
  for (int c = 0; c < out.channels; ++c) {
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        float m = -std::numeric_limits<float>::infinity();
        for (int ky = 0; ky < n.kernel; ++ky) {
          const int iy = y * n.stride + ky - n.padding;
          if (iy < 0 || iy >= in.height) continue;
          for (int kx = 0; kx < n.kernel; ++kx) {
            const int ix = x * n.stride + kx - n.padding;
            if (ix < 0 || ix >= in.width) continue;
            const float v = in.at(c, iy, ix);
            m = v > m || std::isnan(v) ? v : m;  // NaN propagates, as in PyTorch
          }
        }
        out.at(c, y, x) = m;
      }
    }
  }
}

// PyTorch upsample_bilinear2d, align_corners = False (aten/src/ATen/native/UpSample.h):
// scale = in/out; src = max(scale·(dst + 0.5) − 0.5, 0); i0 = ⌊src⌋; i1 = i0 + (i0 < in − 1); λ1 = src − i0.
struct LinearTap {
  int i0, i1;
  float l0, l1;
};
LinearTap linear_tap(int dst, int in_size, int out_size) {
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  float src = scale * (static_cast<float>(dst) + 0.5f) - 0.5f;
  if (src < 0.0f) src = 0.0f;
  const int i0 = std::min(static_cast<int>(src), in_size - 1);
  const int i1 = i0 + (i0 < in_size - 1 ? 1 : 0);
  const float l1 = src - static_cast<float>(i0);
  return {i0, i1, 1.0f - l1, l1};
}

void bilinear(const FeatureMap& in, FeatureMap& out) {
  for (int c = 0; c < out.channels; ++c) {
    for (int y = 0; y < out.height; ++y) {
      const LinearTap ty = linear_tap(y, in.height, out.height);
      for (int x = 0; x < out.width; ++x) {
        const LinearTap tx = linear_tap(x, in.width, out.width);
        const float top = tx.l0 * in.at(c, ty.i0, tx.i0) + tx.l1 * in.at(c, ty.i0, tx.i1);
        const float bottom = tx.l0 * in.at(c, ty.i1, tx.i0) + tx.l1 * in.at(c, ty.i1, tx.i1);
        out.at(c, y, x) = ty.l0 * top + ty.l1 * bottom;
      }
    }
  }
}

void bicubic(const FeatureMap& in, FeatureMap& out, const BicubicTable& v, const BicubicTable& hz,
             std::span<float> scratch) {
  // tmp: C x out_h x in_w
  const int w = in.width;
  for (int c = 0; c < in.channels; ++c) {
    float* tmp = scratch.data() + static_cast<std::size_t>(c) * out.height * w;
    for (int oy = 0; oy < out.height; ++oy) {
      for (int x = 0; x < w; ++x) {
        float acc = 0.0f;
        for (int t = 0; t < v.taps; ++t) acc += v.weight[oy * v.taps + t] * in.at(c, v.index[oy * v.taps + t], x);
        tmp[static_cast<std::size_t>(oy) * w + x] = acc;
      }
    }
    for (int oy = 0; oy < out.height; ++oy) {
      const float* row = tmp + static_cast<std::size_t>(oy) * w;
      for (int ox = 0; ox < out.width; ++ox) {
        float acc = 0.0f;
        for (int t = 0; t < hz.taps; ++t) acc += hz.weight[ox * hz.taps + t] * row[hz.index[ox * hz.taps + t]];
        out.at(c, oy, ox) = acc;
      }
    }
  }
}

}  // namespace

void run_step_reference(const Step& step, std::span<const FeatureMap* const> ins, FeatureMap& out,
                        const BicubicTable* vertical, const BicubicTable* horizontal, std::span<float> scratch) {
  const Node& n = step.node;
  const std::size_t total = out.data.size();
  switch (n.op) {
    case OpKind::kInput:
      break;
    case OpKind::kConv2d:
      conv2d(step, *ins[0], out);
      break;
    case OpKind::kConvTranspose2d:
      conv_transpose2d(step, *ins[0], out);
      break;
    case OpKind::kRelu:
      for (std::size_t i = 0; i < total; ++i) out.data[i] = std::max(ins[0]->data[i], 0.0f);
      break;
    case OpKind::kLeakyRelu:
      for (std::size_t i = 0; i < total; ++i) {
        const float v = ins[0]->data[i];
        out.data[i] = v < 0.0f ? v * n.alpha : v;
      }
      break;
    case OpKind::kTanh:
      for (std::size_t i = 0; i < total; ++i) out.data[i] = std::tanh(ins[0]->data[i]);
      break;
    case OpKind::kSigmoid:
      for (std::size_t i = 0; i < total; ++i) out.data[i] = 1.0f / (1.0f + std::exp(-ins[0]->data[i]));
      break;
    case OpKind::kMul:
      if (ins[1]->channels == out.channels) {
        for (std::size_t i = 0; i < total; ++i) out.data[i] = ins[0]->data[i] * ins[1]->data[i];
      } else {  // input 1 has one channel: broadcast over channels
        for (int c = 0; c < out.channels; ++c) {
          const float* a = ins[0]->plane(c);
          float* dst = out.plane(c);
          for (std::size_t i = 0; i < out.plane_size(); ++i) dst[i] = a[i] * ins[1]->data[i];
        }
      }
      break;
    case OpKind::kMaxPool2d:
      max_pool2d(n, *ins[0], out);
      break;
    case OpKind::kBilinearUpsample:
    case OpKind::kBilinearResize:
      bilinear(*ins[0], out);
      break;
    case OpKind::kPrelu:
    case OpKind::kBatchNorm:
      for (int c = 0; c < out.channels; ++c) {
        const float* src = ins[0]->plane(c);
        float* dst = out.plane(c);
        for (std::size_t i = 0; i < out.plane_size(); ++i) {
          const float v = src[i];
          dst[i] = n.op == OpKind::kPrelu ? (v < 0.0f ? v * step.weight[c] : v) : v * step.weight[c] + step.bias[c];
        }
      }
      break;
    case OpKind::kSqueezeExcite:
      squeeze_excite(step, *ins[0], out, scratch);
      break;
    case OpKind::kAdd:
      for (std::size_t i = 0; i < total; ++i) {
        float acc = ins[0]->data[i];
        for (std::size_t j = 1; j < ins.size(); ++j) acc += ins[j]->data[i];
        out.data[i] = acc;
      }
      break;
    case OpKind::kConcat: {
      std::size_t offset = 0;
      for (const FeatureMap* in : ins) {
        std::copy(in->data.begin(), in->data.end(), out.data.begin() + static_cast<std::ptrdiff_t>(offset));
        offset += in->data.size();
      }
      break;
    }
    case OpKind::kSlice:
      std::copy(ins[0]->plane(n.begin), ins[0]->plane(n.begin) + total, out.data.begin());
      break;
    case OpKind::kPixelShuffle: {
      const int r = n.scale;
      const FeatureMap& in = *ins[0];
      for (int c = 0; c < out.channels; ++c) {
        for (int y = 0; y < in.height; ++y) {
          for (int i = 0; i < r; ++i) {
            for (int x = 0; x < in.width; ++x) {
              for (int j = 0; j < r; ++j) out.at(c, y * r + i, x * r + j) = in.at(c * r * r + i * r + j, y, x);
            }
          }
        }
      }
      break;
    }
    case OpKind::kBicubicUpsample:
      bicubic(*ins[0], out, *vertical, *horizontal, scratch);
      break;
  }
}

Status LayerExecutor::prepare(const Program& program, int width, int height) {
  if (width < 1 || height < 1) return invalid_argument("input size must be at least 1x1");
  program_ = &program;
  width_ = width;
  height_ = height;
  maps_.assign(program.steps.size(), FeatureMap{});
  vertical_.assign(program.steps.size(), BicubicTable{});
  horizontal_.assign(program.steps.size(), BicubicTable{});
  std::size_t scratch = 0;
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& s = program.steps[i];
    const int f = s.shape.factor;
    if (static_cast<int64_t>(width) * f > kMaxImageSide || static_cast<int64_t>(height) * f > kMaxImageSide) {
      return resource_exhausted("feature map of step '" + s.node.name + "' would exceed the maximum image side");
    }
    const int64_t out_h = s.shape.extent(height), out_w = s.shape.extent(width);
    if (out_h < 1 || out_w < 1) {
      return invalid_argument("input " + std::to_string(width) + "x" + std::to_string(height) +
                              " is too small for step '" + s.node.name + "'");
    }
    maps_[i] = FeatureMap::zeros(s.shape.channels, static_cast<int>(out_h), static_cast<int>(out_w));
    if (s.node.op == OpKind::kBicubicUpsample) {
      const Step& in = program.steps[s.node.inputs[0]];
      const int in_w = width * in.shape.factor, in_h = height * in.shape.factor;
      LITESR_ASSIGN_OR_RETURN(vertical_[i], make_bicubic_table(in_h, s.node.scale, s.node.bicubic));
      LITESR_ASSIGN_OR_RETURN(horizontal_[i], make_bicubic_table(in_w, s.node.scale, s.node.bicubic));
      scratch = std::max(scratch, static_cast<std::size_t>(s.shape.channels) * in_h * s.node.scale * in_w);
    }
    if (s.node.op == OpKind::kSqueezeExcite) {
      scratch = std::max(scratch, static_cast<std::size_t>(s.shape.channels + s.node.se_hidden));
    }
  }
  scratch_.assign(scratch, 0.0f);
  return {};
}

void LayerExecutor::run() {
  const FeatureMap* ins[64];
  std::vector<const FeatureMap*> many;  // only for steps with more than 64 inputs (never in practice)
  for (std::size_t i = 0; i < program_->steps.size(); ++i) {
    const Step& s = program_->steps[i];
    if (s.node.op == OpKind::kInput) continue;
    std::span<const FeatureMap* const> span;
    if (s.node.inputs.size() <= 64) {
      for (std::size_t j = 0; j < s.node.inputs.size(); ++j) ins[j] = &maps_[s.node.inputs[j]];
      span = {ins, s.node.inputs.size()};
    } else {
      many.clear();
      for (int in : s.node.inputs) many.push_back(&maps_[in]);
      span = many;
    }
    run_step_reference(s, span, maps_[i], &vertical_[i], &horizontal_[i], scratch_);
  }
}

Result<std::vector<FeatureMap>> run_reference(const Graph& graph, const TensorMap& tensors,
                                              const std::vector<FeatureMap>& inputs) {
  CompileOptions options;
  options.fold_batch_norm = false;
  options.lower_conv_transpose = false;
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors, options));
  if (inputs.size() != program.inputs.size()) {
    return invalid_argument("graph has " + std::to_string(program.inputs.size()) + " inputs, got " +
                            std::to_string(inputs.size()));
  }
  const int w = inputs[0].width, h = inputs[0].height;
  LayerExecutor executor;
  LITESR_RETURN_IF_ERROR(executor.prepare(program, w, h));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const FeatureMap& in = inputs[i];
    if (in.width != w || in.height != h || in.channels != program.steps[program.inputs[i]].shape.channels ||
        in.data.size() != static_cast<std::size_t>(in.channels) * w * h) {
      return invalid_argument("input " + std::to_string(i) + " has the wrong shape");
    }
    executor.input(static_cast<int>(i)).data = in.data;
  }
  executor.run();
  std::vector<FeatureMap> outputs;
  for (std::size_t i = 0; i < program.outputs.size(); ++i) outputs.push_back(executor.output(static_cast<int>(i)));
  return outputs;
}

}  // namespace litesr
