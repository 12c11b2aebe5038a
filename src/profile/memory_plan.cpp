#include "profile/memory_plan.h"

#include <algorithm>
#include <limits>

namespace litesr {

Result<MemoryPlan> plan_memory(const Graph& graph, const std::vector<NodeShape>& shapes, int input_width,
                               int input_height) {
  const int n = static_cast<int>(graph.nodes.size());
  if (static_cast<int>(shapes.size()) != n) return invalid_argument("plan_memory: shapes do not match the graph");
  if (input_width < 1 || input_height < 1) return invalid_argument("plan_memory: input size must be positive");

  // Consumers per node (graph outputs count as a consumer that lives to the end).
  std::vector<int> consumers(n, 0);
  for (const Node& node : graph.nodes) {
    for (int in : node.inputs) ++consumers[in];
  }
  std::vector<bool> is_output(n, false);
  for (int id : graph.outputs) is_output[id] = true;

  // buffer[i]: the node whose allocation holds node i's output (itself, or the conv a batch_norm folds into).
  std::vector<int> buffer(n);
  std::vector<int64_t> bytes(n, 0);
  constexpr int64_t kFloatBytes = 4;
  for (int i = 0; i < n; ++i) {
    buffer[i] = i;
    const Node& node = graph.nodes[i];
    if (node.op == OpKind::kBatchNorm) {
      const int src = node.inputs[0];
      if (graph.nodes[src].op == OpKind::kConv2d && consumers[src] == 1 && !is_output[src]) {
        buffer[i] = buffer[src];
        continue;  // folded: no allocation of its own
      }
    }
    const int64_t elements =
        static_cast<int64_t>(shapes[i].channels) * shapes[i].extent(input_height) * shapes[i].extent(input_width);
    if (elements < 0 || elements > std::numeric_limits<int64_t>::max() / kFloatBytes) {
      return resource_exhausted("plan_memory: feature map of node '" + node.name + "' is too large");
    }
    bytes[i] = elements * kFloatBytes;
  }

  // Lifetime of each allocation: [first, last] in node order.
  std::vector<int> last(n, -1);
  for (int i = 0; i < n; ++i) {
    last[buffer[i]] = std::max(last[buffer[i]], i);
    for (int in : graph.nodes[i].inputs) last[buffer[in]] = std::max(last[buffer[in]], i);
  }
  for (int id : graph.outputs) last[buffer[id]] = n - 1;
  for (int id : graph.inputs) {
    // inputs exist before the first node runs
    last[buffer[id]] = std::max(last[buffer[id]], id);
  }

  MemoryPlan plan;
  plan.live_bytes.assign(n, 0);
  for (int b = 0; b < n; ++b) {
    if (buffer[b] != b || bytes[b] == 0) continue;
    const bool is_input = graph.nodes[b].op == OpKind::kInput;
    const int first = is_input ? 0 : b;
    for (int i = first; i <= last[b]; ++i) plan.live_bytes[i] += bytes[b];
  }
  for (int i = 0; i < n; ++i) {
    if (plan.live_bytes[i] > plan.peak_bytes) {
      plan.peak_bytes = plan.live_bytes[i];
      plan.peak_node = i;
    }
  }
  return plan;
}

}  // namespace litesr
