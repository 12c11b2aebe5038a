// GraphForward: a runtime Graph (runtime/graph.h) executed op by op with LibTorch functional ops, shared by the
// LibTorch inference peer (torch_graph_runner.h) and quantization-aware training (qat_network.h), so the two
// compute one definition of every op. Internal to src/train (includes LibTorch).
//
// The tensors come from a callback (the peer passes copies of the model's tensors; QAT passes its trainable
// parameters, fake-quantized), and an optional callback sees every node's output and may replace it (QAT
// fake-quantizes activations there). Autograd follows whatever mode the caller runs in.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/graph.h"
#include "runtime/tensor.h"

namespace litesr::train {

// A model-file tensor as a float32 LibTorch tensor of its shape (a copy: `t` may go away).
torch::Tensor torch_tensor_copy(const Tensor& t);

class GraphForward {
 public:
  // The tensor `name` (one of node's weight / bias / ... fields) as node uses it.
  using ParamFn = std::function<torch::Tensor(const Node& node, const std::string& name)>;
  // Node `id`'s output -> the value later nodes and the outputs see.
  using AfterFn = std::function<torch::Tensor(int id, const torch::Tensor& value)>;
  // A squeeze-excite's internal values ([B, C] / [B, H]) -> the values it goes on with (QAT fake-quantizes them as
  // the INT8 form rounds them, runtime/int8_program.h).
  enum class SeValue { kPooled, kHidden, kGate };
  using InsideFn = std::function<torch::Tensor(int id, SeValue which, const torch::Tensor& value)>;

  explicit GraphForward(Graph graph);  // the graph must already be validated (validate_graph)
  const Graph& graph() const { return graph_; }

  // Runs the graph on one float32 NCHW tensor per graph input (Graph::inputs order); returns the tensors of
  // Graph::outputs, as computed (not clamped). Throws LibTorch's exceptions.
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& xs, const ParamFn& p, const AfterFn& after = {},
                                     const InsideFn& inside = {});

 private:
  const std::pair<torch::Tensor, torch::Tensor>& taps(int in_len, int scale);
  torch::Tensor matlab_bicubic_axis(const torch::Tensor& x, int dim, int scale);

  Graph graph_;
  std::vector<int> input_index_;  // node id -> position in graph.inputs (−1: not an input)
  // MATLAB bicubic taps per (input length, scale): index [out_len, taps] int64, weight [out_len, taps].
  std::map<std::pair<int, int>, std::pair<torch::Tensor, torch::Tensor>> matlab_taps_;
};

}  // namespace litesr::train
