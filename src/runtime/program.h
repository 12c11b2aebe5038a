// Program: a validated Graph with its weights resolved into per-step float arrays, ready to execute.
//
// compile_program() checks the graph against the tensors (validate_graph), copies every parameter out of
// the TensorMap (a Program owns its weights) and, with fold_batch_norm, folds each batch_norm into the
// conv2d that feeds it when that conv has no other consumer and is not an output:
//   s = gamma / sqrt(var + eps);  W'[o] = W[o] · s[o];  b'[o] = b[o] · s[o] + (beta[o] − mean[o] · s[o]).
// With lower_conv_transpose, each conv_transpose2d becomes two steps (a conv2d named "<name>.subpixel" and
// a pixel_shuffle named "<name>"). Steps keep the graph's topological order; Step::node.inputs are rewritten
// to step ids.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr {

struct Step {
  Node node;        // op and attributes; inputs are step ids
  NodeShape shape;  // output channels and factor
  int in_channels = 0;  // channels of inputs[0] (0 for kInput)
  // conv2d / conv_transpose2d: weight in PyTorch layout, bias [out] (zeros when the graph has none)
  // prelu: weight = slopes [C] (a [1] slope is broadcast)
  // batch_norm (not folded): weight = scale [C], bias = shift [C]: y = x · scale + shift
  // squeeze_excite: weight = fc1 [H, C], bias = [H]; weight2 = fc2 [C, H], bias2 = [C] (zeros when absent)
  std::vector<float> weight, bias, weight2, bias2;
};

struct Program {
  std::string arch;
  int scale = 1;
  int input_frames = 1;
  std::vector<Step> steps;
  std::vector<int> inputs;   // step ids
  std::vector<int> outputs;  // step ids
  std::vector<int> consumers;  // per step: how many step inputs (and graph outputs) read it
};

struct CompileOptions {
  bool fold_batch_norm = true;  // false: keep batch_norm steps (the reference oracle runs the graph as written)
  // conv_transpose2d (groups 1) -> conv2d (KxK "same", out_channels·s² outputs) + pixel_shuffle(s), the
  // sub-pixel form the band executor runs (program.cpp lower_conv_transpose has the weight mapping).
  bool lower_conv_transpose = true;
};

Result<Program> compile_program(const Graph& graph, const TensorMap& tensors, const CompileOptions& options = {});

}  // namespace litesr
