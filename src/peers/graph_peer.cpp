#include "peers/graph_peer.h"

#include <cstddef>
#include <string>

namespace litesr::peers {

Result<PeerGraphPlan> plan_peer_graph(const Graph& graph, const TensorMap& tensors, const PeerInput& input) {
  if (input.nchw == nullptr || input.frames < 1 || input.channels < 1 || input.height < 1 || input.width < 1) {
    return invalid_argument("bench peer: empty input");
  }
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  PeerGraphPlan plan;
  LITESR_ASSIGN_OR_RETURN(plan.shapes, infer_shapes(graph));
  if (graph.inputs.empty() || graph.outputs.empty()) {
    return unsupported("bench peer: the graph of " + graph.arch + " has no inputs or no outputs");
  }
  plan.consumers.assign(graph.nodes.size(), {});
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    for (int in : graph.nodes[i].inputs) plan.consumers[in].push_back(static_cast<int>(i));
  }
  plan.is_output.assign(graph.nodes.size(), false);
  for (int id : graph.outputs) plan.is_output[id] = true;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (plan.shapes[i].factor == 0) {
      return unsupported("bench peer: node '" + graph.nodes[i].name + "' (" +
                         std::string(op_kind_name(graph.nodes[i].op)) +
                         ") has a size that is not a multiple of the input's (strided conv or pooling)");
    }
  }

  plan.recurrent = graph.inputs.size() > 1;
  const auto channels_of = [&](int id) { return plan.shapes[id].channels; };
  if (!plan.recurrent) {
    if (channels_of(graph.inputs[0]) != input.channels) {
      return invalid_argument("bench peer: the graph's input has " + std::to_string(channels_of(graph.inputs[0])) +
                              " channels, the input " + std::to_string(input.channels));
    }
    return plan;
  }
  const std::size_t states = graph.inputs.size() - 2;
  if (graph.outputs.size() != states + 1) {
    return unsupported("bench peer: " + graph.arch + " is not a recurrent step (" +
                       std::to_string(graph.inputs.size()) + " inputs, " + std::to_string(graph.outputs.size()) +
                       " outputs; want x_prev, x_t, k states -> frame, k states)");
  }
  for (int k = 0; k < 2; ++k) {
    if (channels_of(graph.inputs[k]) != input.channels) {
      return invalid_argument("bench peer: recurrent input " + std::to_string(k) + " has " +
                              std::to_string(channels_of(graph.inputs[k])) + " channels, the frames " +
                              std::to_string(input.channels));
    }
  }
  for (std::size_t j = 0; j < states; ++j) {
    const NodeShape& in = plan.shapes[graph.inputs[2 + j]];
    const NodeShape& out = plan.shapes[graph.outputs[1 + j]];
    if (in.channels != out.channels || !in.same_size(out)) {
      return unsupported("bench peer: state output " + std::to_string(1 + j) + " of " + graph.arch +
                         " does not match state input " + std::to_string(2 + j));
    }
  }
  return plan;
}

Result<Int8Program> peer_int8_program(const Graph& graph, const TensorMap& tensors,
                                      const ModelQuantization& quantization) {
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors));
  return compile_int8_program(program, quantization);
}

Status peer_unsupported_op(const char* engine, const Node& node, const std::string& why) {
  return unsupported(std::string(engine) + " does not support op " + std::string(op_kind_name(node.op)) + " (node '" +
                     node.name + "'): " + why);
}

Result<std::map<std::string, const Int8Step*>> int8_steps_by_node(const char* engine, const Graph& graph,
                                                                  const Int8Program& program) {
  std::map<std::string, const Int8Step*> step_of;
  for (const Int8Step& st : program.steps) step_of[st.name] = &st;
  for (const Node& n : graph.nodes) {
    if (step_of.count(n.name) == 0) {
      return peer_unsupported_op(engine, n,
                                 "no integer step of that name (batch norms and transposed convs are "
                                 "rewritten in the INT8 program; not mapped in INT8)");
    }
  }
  return step_of;
}

void nchw_to_nhwc(const float* nchw, float* nhwc, int n, int c, int h, int w) {
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  for (std::size_t b = 0; b < static_cast<std::size_t>(n); ++b) {
    const float* src = nchw + b * c * plane;
    float* dst = nhwc + b * c * plane;
    for (std::size_t i = 0; i < plane; ++i)
      for (std::size_t k = 0; k < static_cast<std::size_t>(c); ++k) dst[i * c + k] = src[k * plane + i];
  }
}

void nhwc_to_nchw(const float* nhwc, float* nchw, int n, int c, int h, int w) {
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  for (std::size_t b = 0; b < static_cast<std::size_t>(n); ++b) {
    const float* src = nhwc + b * c * plane;
    float* dst = nchw + b * c * plane;
    for (std::size_t k = 0; k < static_cast<std::size_t>(c); ++k)
      for (std::size_t i = 0; i < plane; ++i) dst[k * plane + i] = src[i * c + k];
  }
}

}  // namespace litesr::peers
