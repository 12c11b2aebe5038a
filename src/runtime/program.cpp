#include "runtime/program.h"

#include <algorithm>
#include <cmath>

namespace litesr {
namespace {

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }  // b > 0

// conv_transpose2d (groups 1, output exactly s·H x s·W) as conv2d + pixel_shuffle(s): output pixel
// (y·s + a, x·s + b) of channel o = Σ_i Σ_{dy,dx} in[i][y − dy][x − dx] · W[i][o][dy·s + a + p][dx·s + b + p]
// (taps inside [0, k)), i.e. channel o·s² + a·s + b of a "same" KxK conv (K = 2r + 1, tap t = r − d) before
// the shuffle. Returns the conv step (inputs as given); the shuffle is the caller's.
Step lower_conv_transpose(const Node& node, int in_channels, int in_factor, const std::vector<float>& w,
                          const std::vector<float>& bias) {
  const int s = node.stride, k = node.kernel, p = node.padding, out = node.out_channels;
  int r = 0;
  for (int a = 0; a < s; ++a) {  // d with 0 <= d·s + a + p < k
    const int lo = -floor_div(a + p, s), hi = floor_div(k - 1 - a - p, s);
    r = std::max({r, -lo, hi});
  }
  const int kk = 2 * r + 1, outs = out * s * s;
  Step st;
  st.node = node;
  st.node.op = OpKind::kConv2d;
  st.node.out_channels = outs;
  st.node.kernel = kk;
  st.node.stride = 1;
  st.node.padding = r;
  st.node.output_padding = 0;
  st.shape = NodeShape(outs, in_factor);
  st.in_channels = in_channels;
  st.weight.assign(static_cast<std::size_t>(outs) * in_channels * kk * kk, 0.0f);
  st.bias.assign(outs, 0.0f);
  for (int o = 0; o < out; ++o) {
    for (int a = 0; a < s; ++a) {
      for (int b = 0; b < s; ++b) {
        const int oc = o * s * s + a * s + b;
        st.bias[oc] = bias[o];
        for (int i = 0; i < in_channels; ++i) {
          for (int ty = 0; ty < kk; ++ty) {
            const int ky = (r - ty) * s + a + p;
            if (ky < 0 || ky >= k) continue;
            for (int tx = 0; tx < kk; ++tx) {
              const int kx = (r - tx) * s + b + p;
              if (kx < 0 || kx >= k) continue;
              st.weight[((static_cast<std::size_t>(oc) * in_channels + i) * kk + ty) * kk + tx] =
                  w[((static_cast<std::size_t>(i) * out + o) * k + ky) * k + kx];
            }
          }
        }
      }
    }
  }
  return st;
}

}  // namespace

Result<Program> compile_program(const Graph& graph, const TensorMap& tensors, const CompileOptions& options) {
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  const int n = static_cast<int>(graph.nodes.size());
  std::vector<int> node_consumers(n, 0);
  for (const Node& node : graph.nodes) {
    for (int in : node.inputs) ++node_consumers[in];
  }
  for (int out : graph.outputs) ++node_consumers[out];

  auto values = [&](const std::string& name) -> std::vector<float> {
    return name.empty() ? std::vector<float>{} : tensors.at(name).data;
  };

  Program p;
  p.arch = graph.arch;
  p.scale = graph.scale;
  p.input_frames = graph.input_frames;
  std::vector<int> step_of(n, -1);
  for (int id = 0; id < n; ++id) {
    const Node& node = graph.nodes[id];
    const int in_channels = node.inputs.empty() ? 0 : shapes[node.inputs[0]].channels;
    if (node.op == OpKind::kBatchNorm) {
      const std::vector<float> gamma = values(node.weight), beta = values(node.bias);
      const std::vector<float> mean = values(node.running_mean), var = values(node.running_var);
      std::vector<float> scale(in_channels), shift(in_channels);
      for (int c = 0; c < in_channels; ++c) {
        scale[c] = gamma[c] / std::sqrt(var[c] + node.eps);
        shift[c] = beta[c] - mean[c] * scale[c];
      }
      const int src = step_of[node.inputs[0]];
      Step& prev = p.steps[src];
      if (options.fold_batch_norm && prev.node.op == OpKind::kConv2d && node_consumers[node.inputs[0]] == 1) {
        const std::size_t per_out = prev.weight.size() / prev.shape.channels;
        for (int o = 0; o < prev.shape.channels; ++o) {
          for (std::size_t k = 0; k < per_out; ++k) prev.weight[o * per_out + k] *= scale[o];
          prev.bias[o] = prev.bias[o] * scale[o] + shift[o];
        }
        step_of[id] = src;  // consumers of the BN read the folded conv
        continue;
      }
      Step s;
      s.node = node;
      s.shape = shapes[id];
      s.in_channels = in_channels;
      s.weight = std::move(scale);
      s.bias = std::move(shift);
      s.node.inputs = {src};
      p.steps.push_back(std::move(s));
      step_of[id] = static_cast<int>(p.steps.size()) - 1;
      continue;
    }
    if (node.op == OpKind::kConvTranspose2d && options.lower_conv_transpose && node.groups == 1 &&
        shapes[id].windows.empty() && shapes[node.inputs[0]].windows.empty()) {
      const std::vector<float> bias =
          node.bias.empty() ? std::vector<float>(node.out_channels, 0.0f) : values(node.bias);
      Step conv = lower_conv_transpose(node, in_channels, shapes[node.inputs[0]].factor, values(node.weight), bias);
      conv.node.name = node.name + ".subpixel";
      conv.node.inputs = {step_of[node.inputs[0]]};
      p.steps.push_back(std::move(conv));
      Step shuffle;
      shuffle.node = node;
      shuffle.node.op = OpKind::kPixelShuffle;
      shuffle.node.scale = node.stride;
      shuffle.node.weight.clear();
      shuffle.node.bias.clear();
      shuffle.node.inputs = {static_cast<int>(p.steps.size()) - 1};
      shuffle.shape = shapes[id];
      shuffle.in_channels = p.steps.back().shape.channels;
      p.steps.push_back(std::move(shuffle));
      step_of[id] = static_cast<int>(p.steps.size()) - 1;
      continue;
    }
    Step s;
    s.node = node;
    s.shape = shapes[id];
    s.in_channels = in_channels;
    for (int& in : s.node.inputs) in = step_of[in];
    switch (node.op) {
      case OpKind::kConv2d:
      case OpKind::kConvTranspose2d:
        s.weight = values(node.weight);
        s.bias = node.bias.empty() ? std::vector<float>(node.out_channels, 0.0f) : values(node.bias);
        break;
      case OpKind::kPrelu:
        s.weight = values(node.weight);
        if (s.weight.size() == 1) s.weight.assign(in_channels, s.weight[0]);
        break;
      case OpKind::kSqueezeExcite:
        s.weight = values(node.weight);
        s.weight2 = values(node.weight2);
        s.bias = node.bias.empty() ? std::vector<float>(node.se_hidden, 0.0f) : values(node.bias);
        s.bias2 = node.bias2.empty() ? std::vector<float>(in_channels, 0.0f) : values(node.bias2);
        break;
      default:
        break;
    }
    p.steps.push_back(std::move(s));
    step_of[id] = static_cast<int>(p.steps.size()) - 1;
  }
  for (int in : graph.inputs) p.inputs.push_back(step_of[in]);
  for (int out : graph.outputs) p.outputs.push_back(step_of[out]);
  p.consumers.assign(p.steps.size(), 0);
  for (const Step& s : p.steps) {
    for (int in : s.node.inputs) ++p.consumers[in];
  }
  for (int out : p.outputs) ++p.consumers[out];
  return p;
}

}  // namespace litesr
