#include "runtime/program.h"

#include <cmath>

namespace litesr {

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
