// Peak feature-map memory of one forward pass: a layer-by-layer liveness estimate.
//
// Model: nodes run one at a time in graph order, without tiling. Each node's output is one float32 buffer
// of C·H·W·4 bytes, allocated when the node runs and freed after its last consumer has run; graph inputs
// are live from the start and graph outputs to the end. A batch_norm that the runtime folds into its conv
// (runtime/program.h rule: the conv feeds only that batch_norm and is not an output) allocates nothing.
// The peak is the maximum, over nodes, of the bytes live while that node runs (its inputs and output
// both count). Weights are not included. This is an estimate of the untiled reference execution; the
// fused band-tiled runtime (DESIGN §6) needs less.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr {

struct MemoryPlan {
  int64_t peak_bytes = 0;
  int peak_node = -1;                // node running at the peak
  std::vector<int64_t> live_bytes;   // per node: bytes live while it runs
};

// `shapes` from infer_shapes(graph); input_width/height: the LR size.
Result<MemoryPlan> plan_memory(const Graph& graph, const std::vector<NodeShape>& shapes, int input_width,
                               int input_height);

}  // namespace litesr
