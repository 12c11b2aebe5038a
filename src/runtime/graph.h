// Graph: the explicit network description the runtime executes (docs/runtime.md, docs/architectures.md).
//
// A Graph is a list of nodes in topological order (a node's inputs are earlier nodes). Feature maps are
// NCHW float with N = 1. A node's spatial size is usually `factor` times the LR input size (factor 1 at LR
// resolution; pixel_shuffle, conv_transpose2d, bicubic/bilinear_upsample multiply it). Strided convs and
// max_pool2d make sizes that are not multiples (rfdn's ESA branch): NodeShape then has factor 0 and a list
// of windows applied to base_factor × the LR size (NodeShape::extent). Either way shapes are known for every
// input size once inferred (infer_shapes); bilinear_resize returns to the size of a reference node.
//
// Hyper-parameters live in the nodes (built from `litesr.config` by src/models); parameters are referenced
// by tensor name and validated against a TensorMap (validate_graph) — never inferred from tensor shapes.
//
// Ops and their parameters (PyTorch shapes, C = input channels, O = out_channels):
//   input              channels                                          no tensors
//   conv2d             out_channels, kernel k (odd), stride s >= 1, padding p >= 0, groups; size
//                      n -> (n + 2p − k)/s + 1 (floor); s = 1, p = (k−1)/2 keeps the size ("same")
//                      weight [O, C/groups, k, k], bias [O] (optional)
//   conv_transpose2d   out_channels, kernel k, stride s, padding p, output_padding op with k + op == s + 2p
//                      (output exactly s·H x s·W), groups 1; weight [C, O, k, k], bias [O] (optional)
//   relu, tanh, sigmoid —   (sigmoid(v) = 1/(1+e^−v))
//   leaky_relu         alpha (negative slope)
//   prelu              weight [C] or [1] (one slope broadcast)
//   batch_norm         eps; weight (gamma) [C], bias (beta) [C], running_mean [C], running_var [C]
//                      y = (x − mean) / sqrt(var + eps) · gamma + beta; folded into a preceding conv at load
//   squeeze_excite     se_hidden H, se_gate, se_pool; weight = fc1 [H, C], weight2 = fc2 [C, H] (or, with
//                      se_conv_weights, 1x1 conv tensors [H, C, 1, 1] / [C, H, 1, 1]), optional bias [H], bias2 [C]
//                      s = gate(fc2(relu(fc1(pool_hw(x))))); y = x · s[c]; pool = mean, or mean + population
//                      std (IMDN's CCA: sqrt(mean_hw((x − mean)²)) + mean)
//                      hard_sigmoid(v) = clamp(v + 3, 0, 6) / 6 (PyTorch Hardsigmoid); sigmoid(v) = 1/(1+e^−v)
//   add                2+ inputs, same channels and size
//   mul                2 inputs, same size; same channels, or input 1 has 1 channel (broadcast over channels)
//   max_pool2d         kernel k, stride s, padding p (implicit −inf); n -> (n + 2p − k)/s + 1 (floor)
//   concat             2+ inputs, channels concatenated in input order, same factor
//   slice              channels [begin, end) of the input
//   pixel_shuffle      scale r: out[c, h·r+i, w·r+j] = in[c·r² + i·r + j, h, w]
//   bicubic_upsample   scale r (integer); bicubic = kMatlab (a = −0.5, symmetric borders, MATLAB imresize)
//                      or kPytorch (a = −0.75, replicate borders, F.interpolate(align_corners=False))
//   bilinear_upsample  scale r (integer); PyTorch F.interpolate(mode="bilinear", align_corners=False):
//                      src = max((dst + 0.5)·(in/out) − 0.5, 0), i0 = ⌊src⌋, i1 = min(i0 + 1, in − 1), λ = src − i0
//   bilinear_resize    2 inputs: data, reference; resizes input 0 to input 1's H x W (same formula, in/out
//                      per axis) — F.interpolate(x, size=ref.shape[2:], mode="bilinear", align_corners=False)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/tensor.h"

namespace litesr {

enum class OpKind : uint8_t {
  kInput,
  kConv2d,
  kConvTranspose2d,
  kRelu,
  kLeakyRelu,
  kPrelu,
  kTanh,
  kBatchNorm,
  kSqueezeExcite,
  kAdd,
  kConcat,
  kSlice,
  kPixelShuffle,
  kBicubicUpsample,
  kSigmoid,
  kMul,
  kMaxPool2d,
  kBilinearUpsample,
  kBilinearResize,
};
std::string_view op_kind_name(OpKind op);  // "conv2d", "pixel_shuffle", ...

enum class SeGate : uint8_t { kHardSigmoid, kSigmoid };
enum class SePool : uint8_t {
  kMean,     // global average (squeeze-excite)
  kMeanStd,  // mean + population standard deviation (IMDN's contrast-aware channel attention)
};
enum class BicubicKind : uint8_t {
  kMatlab,   // a = −0.5, symmetric borders
  kPytorch,  // a = −0.75, replicate (clamped) borders
};

struct Node {
  OpKind op = OpKind::kInput;
  std::string name;         // unique; used in errors and profiles ("conv1", "blocks.3.se")
  std::vector<int> inputs;  // node ids, all smaller than this node's id

  int channels = 0;         // kInput: channel count
  int out_channels = 0;     // convs
  int kernel = 1;           // convs: square kernel size
  int stride = 1;           // convs, max_pool2d
  int padding = 0;          // convs, max_pool2d
  int output_padding = 0;   // conv_transpose2d
  int groups = 1;           // conv2d (groups == in channels == out_channels: depthwise)
  float alpha = 0.0f;       // leaky_relu negative slope
  float eps = 1e-5f;        // batch_norm
  int scale = 1;            // pixel_shuffle, bicubic_upsample, bilinear_upsample
  BicubicKind bicubic = BicubicKind::kMatlab;
  SeGate se_gate = SeGate::kHardSigmoid;
  int se_hidden = 0;        // squeeze_excite hidden width
  SePool se_pool = SePool::kMean;
  bool se_conv_weights = false;  // squeeze_excite: fc tensors are 1x1 convs [H, C, 1, 1] / [C, H, 1, 1]
  int begin = 0, end = 0;   // slice: channel range [begin, end)

  // Parameter tensor names ("" = absent); roles per op in the file comment.
  std::string weight, bias, weight2, bias2, running_mean, running_var;
};

struct Graph {
  std::string arch;         // litesr.arch, for messages
  int scale = 1;            // output size / input size
  int input_frames = 1;     // frames stacked on the input channels (frame_channels() per frame)
  std::vector<Node> nodes;
  std::vector<int> inputs;   // node ids of kInput nodes, in argument order
  std::vector<int> outputs;  // node ids, in result order
};

// The colour of one frame, from the channels of the graph's first input: 3 = RGB, 1 = luma (the SR
// literature's Y: BT.601 limited range, Y/255 in [16/255, 235/255]; DESIGN §5). frame_color() is the model
// file's litesr.color value: "rgb" or "y" ("" for any other count, which no executor runs).
int frame_channels(const Graph& graph);
std::string_view frame_color(const Graph& graph);

// One size-reducing window (strided conv2d, max_pool2d): n -> ⌊(n + 2·padding − kernel) / stride⌋ + 1.
struct SizeWindow {
  int kernel = 1, stride = 1, padding = 0;
  bool operator==(const SizeWindow&) const = default;
};

// Inferred per-node output shape: `channels` x (factor·H) x (factor·W) for an H x W input, or, when
// `windows` is not empty, factor = 0 (not a multiple of the input; executors that only know factors
// reject such nodes) and each extent is the windows applied in order to base_factor × the LR extent.
struct NodeShape {
  NodeShape() = default;
  NodeShape(int channels_, int factor_) : channels(channels_), factor(factor_) {}

  int channels = 0;
  int factor = 1;
  int base_factor = 1;              // with windows: the factor before them
  std::vector<SizeWindow> windows;  // empty: a factor size

  // Output extent (height or width) for an LR extent; < 1 when the input is too small for the windows.
  int64_t extent(int64_t lr) const {
    if (windows.empty()) return factor * lr;
    int64_t n = base_factor * lr;
    for (const SizeWindow& w : windows) {
      const int64_t span = n + 2 * w.padding - w.kernel;
      if (span < 0) return 0;
      n = span / w.stride + 1;
    }
    return n;
  }
  bool same_size(const NodeShape& o) const {
    return factor == o.factor && (windows.empty() || (base_factor == o.base_factor && windows == o.windows));
  }
};

// Checks structure (topological order, arity, attributes, channel/factor consistency) and returns every
// node's shape. kInvalidArgument naming the node on any inconsistency.
Result<std::vector<NodeShape>> infer_shapes(const Graph& graph);

// infer_shapes plus: every referenced tensor exists in `tensors` with exactly the expected shape.
Status validate_graph(const Graph& graph, const TensorMap& tensors);

// Learnable parameters the graph references (PyTorch named_parameters: BN running statistics are
// buffers and not counted). Tensors are looked up in `tensors`; missing ones count 0.
int64_t count_parameters(const Graph& graph, const TensorMap& tensors);

// Every tensor the graph references, with its expected shape (prelu: [C]; [1] is also accepted by
// validate_graph) and whether it is a learnable parameter (false: BN running statistics).
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  OpKind op = OpKind::kInput;  // the op that reads it
  bool parameter = true;
};
Result<std::vector<TensorSpec>> expected_tensors(const Graph& graph);

// Convenience for builders (src/models): appends a node and returns its id.
class GraphBuilder {
 public:
  GraphBuilder(std::string arch, int scale, int input_frames = 1);

  int input(std::string name, int channels);
  // conv2d with "same" padding (kernel−1)/2; tensors `<prefix>.weight` and, if has_bias, `<prefix>.bias`.
  int conv(int in, const std::string& prefix, int out_channels, int kernel, bool has_bias = true, int groups = 1);
  // conv2d with explicit stride and padding (rfdn's ESA: 3x3, stride 2, padding 0).
  int conv_strided(int in, const std::string& prefix, int out_channels, int kernel, int stride, int padding,
                   bool has_bias = true);
  int conv_transpose(int in, const std::string& prefix, int out_channels, int kernel, int stride, int padding,
                     int output_padding, bool has_bias = true);
  int relu(int in, std::string name = "");
  int leaky_relu(int in, float alpha, std::string name = "");
  int prelu(int in, const std::string& prefix);  // tensor `<prefix>.weight`
  int tanh(int in, std::string name = "");
  int sigmoid(int in, std::string name = "");
  int batch_norm(int in, const std::string& prefix, float eps = 1e-5f);  // `<prefix>.{weight,bias,running_*}`
  // fc tensors `<prefix>.fc1.weight`, `<prefix>.fc2.weight` (+ .bias when has_bias).
  int squeeze_excite(int in, const std::string& prefix, int hidden, SeGate gate, bool has_bias = false);
  // Channel attention with 1x1-conv fc tensors and biases: `<fc1>.weight` [H, C, 1, 1], `<fc1>.bias` [H],
  // `<fc2>.weight` [C, H, 1, 1], `<fc2>.bias` [C] (IMDN CCA: pool kMeanStd, gate kSigmoid).
  int channel_attention(int in, std::string name, const std::string& fc1, const std::string& fc2, int hidden,
                        SePool pool, SeGate gate);
  int add(std::vector<int> ins, std::string name = "");
  int concat(std::vector<int> ins, std::string name = "");
  int slice(int in, int begin, int end, std::string name = "");
  int mul(int a, int b, std::string name = "");
  int max_pool(int in, int kernel, int stride, int padding = 0, std::string name = "");
  int pixel_shuffle(int in, int scale, std::string name = "");
  int bicubic_upsample(int in, int scale, BicubicKind kind, std::string name = "");
  int bilinear_upsample(int in, int scale, std::string name = "");
  int bilinear_resize(int in, int size_like, std::string name = "");
  void output(int node);

  Graph& graph() { return graph_; }
  Graph finish() && { return std::move(graph_); }

 private:
  int push(Node node);
  Graph graph_;
};

}  // namespace litesr
