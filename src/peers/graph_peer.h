// GraphPeer: a `litesr bench` peer that runs a runtime Graph inside this process through another inference
// library (XNNPACK: peers/xnnpack_peer.h, oneDNN: peers/dnnl_peer.h), on one fixed input given at creation.
//
// A peer is built from the same Graph and TensorMap LiteSR runs (models::build_graph + the model file's
// tensors), op by op in the library's own API; an op the library cannot express makes creation fail with
// kUnsupported naming the op and the reason (the bench prints it as the peer's skip line).
//
// One run is what the bench times for LiteSR (cmd_bench.cpp):
//  * a single-input graph: one forward pass over a batch of `frames` frames (N = frames; 1 for photo models,
//    the window of a frame-parallel video model);
//  * a recurrent step (runtime/multi_frame_session.h contract: inputs x_prev, x_t, states 1..k; outputs frame,
//    states 1..k'): one window of `frames` steps, step t fed x_prev = frame max(t − 1, 0), x_t = frame t and
//    the previous step's state outputs (zeros at t = 0).
// Output 0 is clamped to [0, 1] inside the run (as the LibTorch and ONNX Runtime peers do); state outputs are
// not. Layout conversions of the fixed input into the library's layout happen once at creation (untimed: the
// LibTorch and ONNX Runtime peers are handed f32 NCHW in their native layout too).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"

namespace litesr::peers {

// The bench's LR input: float32 NCHW [frames, channels, height, width] in [0, 1] (not copied by the caller's
// peer creation beyond what the peer needs; must stay valid during create()).
struct PeerInput {
  const float* nchw = nullptr;
  int frames = 1;
  int channels = 3;
  int height = 0, width = 0;
};

// Sees output 0 of frame `frame` as float32 CHW [C', s·H, s·W] (clamped to [0, 1]; valid during the call).
using PeerFrameCallback = std::function<void(int frame, const float* chw)>;

class GraphPeer {
 public:
  virtual ~GraphPeer() = default;

  // One run (see the file comment). With `on_frame`, output 0 of every frame is also converted to CHW and
  // passed to it after the run's step that made it (the untimed equality check); without, nothing is copied.
  virtual Status run(const PeerFrameCallback& on_frame = {}) = 0;

  // The library and how it is driven, one line (e.g. "XNNPACK 0.0~git20220216 subgraph API, NHWC f32").
  virtual std::string description() const = 0;
};

// How a graph maps onto a peer run, from its inputs and outputs (shared by the peers' builders).
struct PeerGraphPlan {
  bool recurrent = false;                   // >= 2 inputs: the recurrent step contract
  std::vector<NodeShape> shapes;            // infer_shapes(graph)
  std::vector<std::vector<int>> consumers;  // node id -> ids of the nodes reading it, in order
  std::vector<bool> is_output;              // node id -> is one of graph.outputs
};

// validate_graph + infer_shapes, the consumer lists, and the contract checks against `input`: one input of
// `input.channels` channels, or the recurrent contract (x_prev and x_t of `input.channels` channels, each state
// input matching the state output after it in channels and size). Every shape must be a factor of the input
// size (strided convs and pools: kUnsupported). kInvalidArgument for an empty input or a malformed graph.
Result<PeerGraphPlan> plan_peer_graph(const Graph& graph, const TensorMap& tensors, const PeerInput& input);

// An INT8 model's integer form for an INT8 peer: compile_program, then compile_int8_program.
Result<Int8Program> peer_int8_program(const Graph& graph, const TensorMap& tensors,
                                      const ModelQuantization& quantization);

// "<engine> does not support op <op> (node '<name>'): <why>" as kUnsupported.
Status peer_unsupported_op(const char* engine, const Node& node, const std::string& why);

// An INT8 peer's lookup from a node of `graph` to its integer step in `program` (by name). kUnsupported
// (peer_unsupported_op) for the first node without one.
Result<std::map<std::string, const Int8Step*>> int8_steps_by_node(const char* engine, const Graph& graph,
                                                                  const Int8Program& program);

// Copies float32 NHWC [n, h, w, c] into NCHW (and back): the peers' untimed input / output conversions.
void nchw_to_nhwc(const float* nchw, float* nhwc, int n, int c, int h, int w);
void nhwc_to_nchw(const float* nhwc, float* nchw, int n, int c, int h, int w);

}  // namespace litesr::peers
