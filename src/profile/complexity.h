// Complexity of a network graph at a given input size: parameters, MACs / FLOPs under a counting
// convention (profile/counting_convention.h), activations and the peak feature-map memory, in total and
// per layer. docs/complexity.md documents every rule and compares the results with the papers.
//
// Definitions (DESIGN §5):
//   params       learnable parameters (PyTorch named_parameters: conv weight/bias, PReLU slopes, BN gamma
//                and beta, SE fc weights/biases; BN running statistics are buffers and excluded). A tensor
//                shared by several nodes counts once. Taken from `tensors` when present there, otherwise
//                from the shape the graph implies (PReLU: one slope per channel), so untrained
//                architecture configurations can be profiled without weights.
//   macs         MAC-style operation count under the convention (conv multiply-accumulates, plus what the
//                convention charges for bias, activations, BN, pooling, upsampling).
//   flops        2 x macs (one multiply-accumulate = two floating-point operations).
//   activations  total elements of all conv2d and conv_transpose2d outputs (AIM 2020 / KAIR "#Activations").
//   peak_memory_bytes   see profile/memory_plan.h.
// Counts are for one forward pass with batch 1 (a video model's graph: one step / one stacked input).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/image_size.h"
#include "base/status.h"
#include "profile/counting_convention.h"
#include "runtime/graph.h"
#include "runtime/tensor.h"

namespace litesr {

struct ComplexityOptions {
  int input_width = 256;   // LR input size in pixels (every graph input has this size)
  int input_height = 256;
  CountingConvention convention = CountingConvention::kPtflops;
};

struct LayerComplexity {
  int node = 0;           // graph node id
  std::string name;       // Node::name
  OpKind op = OpKind::kInput;
  int channels = 0;       // output shape C x H x W
  int height = 0;
  int width = 0;
  int64_t params = 0;
  int64_t macs = 0;       // under the convention
  int64_t activations = 0;  // output elements of conv layers, 0 for other ops
};

struct ComplexityReport {
  std::string arch;
  int scale = 1;
  int input_frames = 1;
  CountingConvention convention = CountingConvention::kPtflops;
  int input_width = 0, input_height = 0;    // LR pixels
  int output_width = 0, output_height = 0;  // size of the first graph output
  int64_t params = 0;
  int64_t macs = 0;
  int64_t flops = 0;  // 2 x macs
  int64_t activations = 0;
  int conv_layers = 0;  // conv2d + conv_transpose2d nodes (KAIR "#Conv")
  int64_t peak_memory_bytes = 0;
  std::vector<LayerComplexity> layers;  // one per graph node, graph order (inputs included, all zero)
};

// Profiles `graph` (validated with infer_shapes; `tensors` may be empty). kInvalidArgument for a malformed
// graph or a non-positive size; kResourceExhausted when a count would overflow int64.
Result<ComplexityReport> profile_complexity(const Graph& graph, const TensorMap& tensors,
                                            const ComplexityOptions& options);

// LR input size for a requested output size: output / scale, which must divide exactly.
Result<ImageSize> input_size_for_output(ImageSize output, int scale);

}  // namespace litesr
