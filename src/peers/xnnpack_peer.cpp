#include "peers/xnnpack_peer.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/int8_program.h"
#include "runtime/program.h"

namespace litesr::peers {
namespace {

constexpr const char* kEngine = "XNNPACK";
constexpr float kInf = std::numeric_limits<float>::infinity();
// Floats of slack after every external buffer: XNNPACK may read XNN_EXTRA_BYTES past the end of its inputs.
constexpr std::size_t kSlack = (XNN_EXTRA_BYTES + sizeof(float) - 1) / sizeof(float);

const char* status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid parameter";
    case xnn_status_invalid_state:
      return "invalid state";
    case xnn_status_unsupported_parameter:
      return "unsupported parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported hardware";
    case xnn_status_out_of_memory:
      return "out of memory";
  }
  return "unknown status";
}

Status check(xnn_status s, const std::string& what) {
  if (s == xnn_status_success) return {};
  return internal_error(std::string(kEngine) + ": " + what + " failed (" + status_name(s) + ")");
}

// Channel permutations: a value whose permutation is p holds graph channel p[k] at XNNPACK channel k (empty:
// the identity).
using Perm = std::vector<int>;
int perm_at(const Perm& p, int k) { return p.empty() ? k : p[k]; }
bool same_perm(const Perm& a, const Perm& b, int channels) {
  for (int k = 0; k < channels; ++k)
    if (perm_at(a, k) != perm_at(b, k)) return false;
  return true;
}
// The DCR order depth_to_space reads, for a PixelShuffle(r) to `c` channels: XNNPACK channel (i·r + j)·c + ch
// must hold PyTorch's (CRD) channel ch·r² + i·r + j.
Perm dcr_perm(int c, int r) {
  Perm p(static_cast<std::size_t>(c) * r * r);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < r; ++j)
      for (int ch = 0; ch < c; ++ch) p[(i * r + j) * c + ch] = ch * r * r + i * r + j;
  return p;
}

bool is_depthwise(const Node& n, int in_channels) {
  return n.op == OpKind::kConv2d && n.groups > 1 && n.groups == in_channels && n.out_channels == in_channels;
}

// One source of the recurrent step input, copied into channels [offset, offset + channels) of every pixel.
struct PackSegment {
  int offset = 0, channels = 0;
  int source = 0;  // 0: x_prev (a frame), 1: x_t (a frame), 2 + j: state j (graph output 1 + j)
};

class XnnpackPeer final : public GraphPeer {
 public:
  ~XnnpackPeer() override {
    if (runtime_ != nullptr) xnn_delete_runtime(runtime_);
    if (pool_ != nullptr) pthreadpool_destroy(pool_);
    if (initialized_) xnn_deinitialize();
  }

  Status run(const PeerFrameCallback& on_frame) override;
  std::string description() const override {
    return std::string("XNNPACK ") + xnnpack_version() + " subgraph API, NHWC " +
           (int8_ ? "QS8 (per-channel int8 convs, int8 adds; f32 islands for prelu / leaky_relu / depth_to_space)"
                  : "f32") +
           ", pthreadpool of " + std::to_string(threads_) + " thread" + (threads_ == 1 ? "" : "s");
  }

  // int8: the model's integer form (INT8 model files): see create_xnnpack_int8_peer.
  Status build(const Graph& graph, const TensorMap& tensors, const PeerInput& input, int threads,
               const Int8Program* int8 = nullptr);

 private:
  // Static weights and constants: XNNPACK keeps pointers to them for the runtime's lifetime.
  uint32_t define_static(xnn_subgraph_t sg, std::vector<float> data, std::vector<std::size_t> dims, Status& status);
  void pack_row(std::size_t row);
  void emit_frame(const PeerFrameCallback& on_frame, int frame, int batch_index);

  bool initialized_ = false;
  bool int8_ = false;
  std::vector<std::vector<int8_t>> statics8_;    // INT8 filters
  std::vector<std::vector<int32_t>> statics32_;  // INT8 biases
  std::vector<std::vector<float>> scales_;       // their per-channel scales
  pthreadpool_t pool_ = nullptr;
  xnn_runtime_t runtime_ = nullptr;
  int threads_ = 1;
  std::vector<std::vector<float>> statics_;

  bool recurrent_ = false;
  int batch_ = 1, frames_ = 1, height_ = 0, width_ = 0, in_channels_ = 3;
  std::vector<float> input_;                 // external value 0: [N, H, W, C] (recurrent: the packed step input)
  std::vector<float> frames_nhwc_;           // recurrent: the window's frames, [T, H, W, C]
  std::vector<std::vector<float>> outputs_;  // external values 1 + k: graph output k, NHWC
  std::vector<Perm> output_perms_;
  std::vector<int> output_channels_, output_h_, output_w_;
  std::vector<PackSegment> segments_;  // recurrent
  int packed_channels_ = 0;
  int step_ = 0;            // recurrent: the step pack_row fills
  std::vector<float> chw_;  // on_frame scratch
};

uint32_t XnnpackPeer::define_static(xnn_subgraph_t sg, std::vector<float> data, std::vector<std::size_t> dims,
                                    Status& status) {
  statics_.push_back(std::move(data));  // moving a vector keeps its buffer, so earlier pointers stay valid
  uint32_t id = XNN_INVALID_VALUE_ID;
  const xnn_status s = xnn_define_tensor_value(sg, xnn_datatype_fp32, dims.size(), dims.data(), statics_.back().data(),
                                               XNN_INVALID_VALUE_ID, 0, &id);
  if (status.ok()) status = check(s, "defining a static tensor");
  return id;
}

// The subgraph under construction; deleted when building ends (the runtime does not need it).
struct SubgraphHolder {
  xnn_subgraph_t sg = nullptr;
  ~SubgraphHolder() {
    if (sg != nullptr) xnn_delete_subgraph(sg);
  }
};

Status XnnpackPeer::build(const Graph& graph, const TensorMap& tensors, const PeerInput& input, int threads,
                          const Int8Program* int8) {
  LITESR_ASSIGN_OR_RETURN(PeerGraphPlan plan, plan_peer_graph(graph, tensors, input));
  int8_ = int8 != nullptr;
  std::map<std::string, const Int8Step*> int8_step;  // INT8: node name -> its integer step
  if (int8_) {
    if (plan.recurrent || graph.outputs.size() != 1) {
      return unsupported("XNNPACK INT8 peer: single-input, single-output graphs only");
    }
    LITESR_ASSIGN_OR_RETURN(int8_step, int8_steps_by_node(kEngine, graph, *int8));
  }
  const std::vector<Node>& nodes = graph.nodes;
  const std::size_t count = nodes.size();
  const auto& shapes = plan.shapes;
  recurrent_ = plan.recurrent;
  frames_ = input.frames;
  batch_ = recurrent_ ? 1 : input.frames;
  height_ = input.height;
  width_ = input.width;
  in_channels_ = input.channels;
  threads_ = std::max(1, threads);
  const auto channels = [&](int id) { return shapes[id].channels; };
  const auto tensor = [&](const std::string& name) -> const Tensor& { return tensors.at(name); };

  // The recurrent step's concat of its inputs becomes the one packed external input.
  int packed = -1;
  if (recurrent_) {
    const int first = graph.inputs[0];
    const int c = plan.consumers[first].size() == 1 ? plan.consumers[first][0] : -1;
    bool ok = c >= 0 && nodes[c].op == OpKind::kConcat && nodes[c].inputs.size() == graph.inputs.size();
    for (int in : graph.inputs) {
      ok = ok && plan.consumers[in].size() == 1 && plan.consumers[in][0] == c;
    }
    if (!ok) {
      return unsupported(std::string(kEngine) +
                         " (2022-02) has no concatenate node: a recurrent step is supported when its inputs feed one "
                         "concat and nothing else, which becomes one packed step input (" +
                         graph.arch + ")");
    }
    packed = c;
  }
  for (int id : graph.outputs) {
    if (nodes[id].op == OpKind::kInput || std::count(graph.outputs.begin(), graph.outputs.end(), id) > 1) {
      return unsupported(std::string(kEngine) + " peer: output node '" + nodes[id].name + "' is an input or repeated");
    }
  }

  // Convolutions that feed a pixel_shuffle (through per-channel ops) write their channels in DCR order.
  std::vector<Perm> want(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (nodes[i].op != OpKind::kPixelShuffle) continue;
    const int r = nodes[i].scale;
    int cur = nodes[i].inputs[0];
    for (;;) {
      const Node& n = nodes[cur];
      const bool per_channel = n.op == OpKind::kRelu || n.op == OpKind::kLeakyRelu || n.op == OpKind::kPrelu ||
                               n.op == OpKind::kSigmoid || n.op == OpKind::kBatchNorm ||
                               (!n.inputs.empty() && is_depthwise(n, channels(n.inputs[0])));
      if (!per_channel) break;
      cur = n.inputs[0];
    }
    const Node& src = nodes[cur];
    if (!((src.op == OpKind::kConv2d && src.groups == 1) || src.op == OpKind::kConvTranspose2d)) {
      return peer_unsupported_op(kEngine, nodes[i],
                                 "its input is not made by a dense convolution whose output channels could be "
                                 "written in depth_to_space's DCR order");
    }
    const Perm p = dcr_perm(channels(static_cast<int>(i)), r);
    if (!want[cur].empty() && want[cur] != p) {
      return peer_unsupported_op(kEngine, nodes[i], "'" + src.name + "' feeds two different pixel shuffles");
    }
    want[cur] = p;
  }
  // Every value's channel permutation (the packed step input's depends on the state outputs': iterate).
  std::vector<Perm> perm(count);
  for (int pass = 0; pass < 3; ++pass) {
    std::vector<Perm> next(count);
    for (std::size_t i = 0; i < count; ++i) {
      const Node& n = nodes[i];
      switch (n.op) {
        case OpKind::kConv2d:
          next[i] = n.groups == 1 ? want[i] : is_depthwise(n, channels(n.inputs[0])) ? next[n.inputs[0]] : Perm();
          break;
        case OpKind::kConvTranspose2d:
          next[i] = want[i];
          break;
        case OpKind::kRelu:
        case OpKind::kLeakyRelu:
        case OpKind::kPrelu:
        case OpKind::kSigmoid:
        case OpKind::kBatchNorm:
        case OpKind::kSqueezeExcite:
        case OpKind::kAdd:
        case OpKind::kMul:
          next[i] = next[n.inputs[0]];
          break;
        case OpKind::kConcat:
          if (static_cast<int>(i) == packed) {
            for (int in : n.inputs) {
              const auto k = std::find(graph.inputs.begin(), graph.inputs.end(), in) - graph.inputs.begin();
              const int base = static_cast<int>(next[i].size());
              for (int ch = 0; ch < channels(in); ++ch)
                next[i].push_back(base + (k >= 2 ? perm_at(perm[graph.outputs[k - 1]], ch) : ch));
            }
          }
          break;
        default:
          break;
      }
    }
    const bool stable = next == perm;
    perm = std::move(next);
    if (stable) break;
    if (pass == 2) {
      return unsupported(std::string(kEngine) + " peer: the channel orders of " + graph.arch +
                         "'s state values do not settle");
    }
  }

  // Fusions: a ReLU into the conv / add before it; the output clamp into the conv feeding the final shuffle.
  std::vector<int> fused_relu(count, -1), alias(count, -1);
  for (std::size_t i = 0; i < count; ++i) {
    const OpKind op = nodes[i].op;
    if ((op == OpKind::kConv2d || op == OpKind::kConvTranspose2d || op == OpKind::kAdd) && !plan.is_output[i] &&
        plan.consumers[i].size() == 1 && nodes[plan.consumers[i][0]].op == OpKind::kRelu) {
      fused_relu[i] = plan.consumers[i][0];
      alias[plan.consumers[i][0]] = static_cast<int>(i);
    }
  }
  const int out0 = graph.outputs[0];
  int clamp_into = -1;  // the producer whose output range becomes [0, 1]
  {
    int x = out0;
    if (nodes[x].op == OpKind::kPixelShuffle) {
      const int v = nodes[x].inputs[0];
      const int producer = alias[v] >= 0 ? alias[v] : v;
      if (plan.consumers[v].size() == 1 && !plan.is_output[v]) x = producer;
    }
    const OpKind op = nodes[x].op;
    if (op == OpKind::kConv2d || op == OpKind::kConvTranspose2d || op == OpKind::kAdd) clamp_into = x;
  }

  const xnn_status init = xnn_initialize(nullptr);
  if (init == xnn_status_unsupported_hardware) return unsupported("XNNPACK does not support this CPU");
  LITESR_RETURN_IF_ERROR(check(init, "xnn_initialize"));
  initialized_ = true;
  SubgraphHolder holder;
  const uint32_t externals = 1 + static_cast<uint32_t>(graph.outputs.size());
  LITESR_RETURN_IF_ERROR(check(xnn_create_subgraph(externals, 0, &holder.sg), "xnn_create_subgraph"));
  xnn_subgraph_t sg = holder.sg;
  Status status;  // the first failure of a define call

  const auto dims_of = [&](int id) -> std::vector<std::size_t> {
    return {static_cast<std::size_t>(batch_), static_cast<std::size_t>(shapes[id].extent(height_)),
            static_cast<std::size_t>(shapes[id].extent(width_)), static_cast<std::size_t>(channels(id))};
  };
  const auto define = [&](std::vector<std::size_t> dims, uint32_t external, uint32_t flags) {
    uint32_t id = XNN_INVALID_VALUE_ID;
    const xnn_status s =
        xnn_define_tensor_value(sg, xnn_datatype_fp32, dims.size(), dims.data(), nullptr, external, flags, &id);
    if (status.ok()) status = check(s, "defining a value");
    return id;
  };
  const auto output_index = [&](int id) {
    return static_cast<uint32_t>(std::find(graph.outputs.begin(), graph.outputs.end(), id) - graph.outputs.begin());
  };
  const bool clamp_node = clamp_into < 0;  // output 0 needs its own clamp node
  // The value node `id` writes: external output 1 + k when it is graph output k (output 0: unless a clamp
  // node follows), otherwise internal. `as` names the node whose value it is (a fused ReLU's).
  const auto node_value = [&](int id) {
    if (plan.is_output[id] && !(id == out0 && clamp_node)) {
      return define(dims_of(id), 1 + output_index(id), XNN_VALUE_FLAG_EXTERNAL_OUTPUT);
    }
    return define(dims_of(id), XNN_INVALID_VALUE_ID, 0);
  };

  std::vector<uint32_t> value(count, XNN_INVALID_VALUE_ID);

  // INT8: each node's value is QS8 at its step's parameters, or f32 where XNNPACK (2022-02) has no QS8 operator
  // (prelu, leaky_relu, depth_to_space: x32 only) — converted where a reader needs the other type (exact for
  // f32 -> QS8 of a dequantized value at the same parameters).
  std::vector<bool> is_f32(count, false);
  std::vector<uint32_t> other(count, XNN_INVALID_VALUE_ID);  // the converted twin of value[i]
  const auto params_of = [&](int id) { return int8_step.at(nodes[id].name)->output; };
  const auto define_q8 = [&](int id) {
    const std::vector<std::size_t> dims = dims_of(id);
    const QuantParams q = params_of(id);
    uint32_t vid = XNN_INVALID_VALUE_ID;
    const xnn_status s8 = xnn_define_quantized_tensor_value(sg, xnn_datatype_qint8, q.zero_point, q.scale, dims.size(),
                                                            dims.data(), nullptr, XNN_INVALID_VALUE_ID, 0, &vid);
    if (status.ok()) status = check(s8, "defining an int8 value");
    return vid;
  };
  const auto as_type = [&](int id, bool f32) -> uint32_t {
    if (is_f32[id] == f32) return value[id];
    if (other[id] == XNN_INVALID_VALUE_ID) {
      other[id] = f32 ? define(dims_of(id), XNN_INVALID_VALUE_ID, 0) : define_q8(id);
      if (status.ok())
        status = check(xnn_define_convert(sg, value[id], other[id], 0), "convert '" + nodes[id].name + "'");
    }
    return other[id];
  };
  const auto int8_node = [&](int i) -> Status {
    const Node& n = nodes[i];
    const int in = n.inputs.empty() ? -1 : n.inputs[0];
    const Perm& pin = in >= 0 ? perm[in] : perm[i];
    const QuantParams q = params_of(i);
    const float q_lo = q.scale * static_cast<float>(-128 - q.zero_point);
    const float q_hi = q.scale * static_cast<float>(127 - q.zero_point);
    switch (n.op) {
      case OpKind::kInput:  // the f32 external input; readers convert it at the input's parameters
        value[i] = define(dims_of(i), 0, XNN_VALUE_FLAG_EXTERNAL_INPUT);
        is_f32[i] = true;
        return {};
      case OpKind::kConv2d: {
        const Int8Step& st = *int8_step.at(n.name);
        const QuantizedConv2d& qc = st.conv;
        const int c = channels(in), o = n.out_channels, k = n.kernel, g = n.groups;
        const bool depthwise = is_depthwise(n, c);
        if (g != 1 && !depthwise) return peer_unsupported_op(kEngine, n, "grouped INT8 convs are not mapped");
        const Perm& pout = perm[i];
        const float in_scale = params_of(in).scale;
        std::vector<float> w_scales(o), b_scales(o);
        std::vector<int32_t> bias(o, 0);
        for (int oc = 0; oc < o; ++oc) {
          const int src = depthwise ? perm_at(pin, oc) : perm_at(pout, oc);
          w_scales[oc] = qc.weight_scales[src];
          b_scales[oc] = in_scale * qc.weight_scales[src];
          if (!qc.bias.empty()) bias[oc] = qc.bias[src];
        }
        std::vector<int8_t> f;
        std::vector<std::size_t> fdims;
        if (depthwise) {  // [C, 1, k, k] -> [1, k, k, C]
          f.resize(static_cast<std::size_t>(k) * k * c);
          for (int y = 0; y < k; ++y)
            for (int x = 0; x < k; ++x)
              for (int ch = 0; ch < c; ++ch)
                f[(static_cast<std::size_t>(y) * k + x) * c + ch] =
                    qc.weight[(static_cast<std::size_t>(perm_at(pin, ch)) * k + y) * k + x];
          fdims = {1, static_cast<std::size_t>(k), static_cast<std::size_t>(k), static_cast<std::size_t>(c)};
        } else {  // [O, C, k, k] -> [O, k, k, C]
          f.resize(static_cast<std::size_t>(o) * k * k * c);
          for (int oc = 0; oc < o; ++oc)
            for (int y = 0; y < k; ++y)
              for (int x = 0; x < k; ++x)
                for (int ic = 0; ic < c; ++ic)
                  f[((static_cast<std::size_t>(oc) * k + y) * k + x) * c + ic] =
                      qc.weight[((static_cast<std::size_t>(perm_at(pout, oc)) * c + perm_at(pin, ic)) * k + y) * k + x];
          fdims = {static_cast<std::size_t>(o), static_cast<std::size_t>(k), static_cast<std::size_t>(k),
                   static_cast<std::size_t>(c)};
        }
        statics8_.push_back(std::move(f));
        statics32_.push_back(std::move(bias));
        scales_.push_back(std::move(w_scales));
        const float* wscale = scales_.back().data();
        scales_.push_back(std::move(b_scales));
        const float* bscale = scales_.back().data();
        uint32_t fid = XNN_INVALID_VALUE_ID, bid = XNN_INVALID_VALUE_ID;
        const std::size_t bdims[1] = {static_cast<std::size_t>(o)};
        LITESR_RETURN_IF_ERROR(check(xnn_define_channelwise_quantized_tensor_value(
                                         sg, xnn_datatype_qcint8, wscale, fdims.size(), depthwise ? 3 : 0, fdims.data(),
                                         statics8_.back().data(), XNN_INVALID_VALUE_ID, 0, &fid),
                                     "int8 filter '" + n.name + "'"));
        LITESR_RETURN_IF_ERROR(check(
            xnn_define_channelwise_quantized_tensor_value(sg, xnn_datatype_qcint32, bscale, 1, 0, bdims,
                                                          statics32_.back().data(), XNN_INVALID_VALUE_ID, 0, &bid),
            "int32 bias '" + n.name + "'"));
        const uint32_t x = as_type(in, false);
        value[i] = define_q8(i);
        const uint32_t p = static_cast<uint32_t>(n.padding), kk = static_cast<uint32_t>(k);
        if (depthwise) {
          return check(xnn_define_depthwise_convolution_2d(sg, p, p, p, p, kk, kk, 1, 1, 1, 1, 1, c, q_lo, q_hi, x, fid,
                                                           bid, value[i], 0),
                       "int8 depthwise convolution '" + n.name + "'");
        }
        return check(xnn_define_convolution_2d(sg, p, p, p, p, kk, kk, 1, 1, 1, 1, 1, c, o, q_lo, q_hi, x, fid, bid,
                                               value[i], 0),
                     "int8 convolution '" + n.name + "'");
      }
      case OpKind::kAdd: {
        for (int other_in : n.inputs) {
          if (!same_perm(perm[other_in], pin, channels(i))) {
            return peer_unsupported_op(kEngine, n, "its inputs hold their channels in different orders");
          }
        }
        uint32_t acc = as_type(n.inputs[0], false);
        for (std::size_t j = 1; j < n.inputs.size(); ++j) {  // partial sums at the output's parameters
          const uint32_t dst = define_q8(i);
          LITESR_RETURN_IF_ERROR(check(xnn_define_add2(sg, q_lo, q_hi, acc, as_type(n.inputs[j], false), dst, 0),
                                       "int8 add '" + n.name + "'"));
          acc = dst;
        }
        value[i] = acc;
        return {};
      }
      case OpKind::kSigmoid:
        value[i] = define_q8(i);
        return check(xnn_define_sigmoid(sg, as_type(in, false), value[i], 0), "int8 sigmoid '" + n.name + "'");
      case OpKind::kRelu:  // f32 clamp of the dequantized input, then quantized at the relu's own parameters
        value[i] = define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
        is_f32[i] = true;
        return check(xnn_define_clamp(sg, 0.0f, kInf, as_type(in, true), value[i], 0), "relu '" + n.name + "'");
      case OpKind::kLeakyRelu:
        value[i] = define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
        is_f32[i] = true;
        return check(xnn_define_leaky_relu(sg, n.alpha, as_type(in, true), value[i], 0), "leaky_relu '" + n.name + "'");
      case OpKind::kPrelu: {  // f32 prelu with the dequantized int8 slopes
        const Int8Step& st = *int8_step.at(n.name);
        const int c = channels(in);
        std::vector<float> slope(static_cast<std::size_t>(c));
        for (int ch = 0; ch < c; ++ch) {
          const int8_t a = st.alpha[st.alpha.size() == 1 ? 0 : perm_at(pin, ch)];
          slope[ch] = st.alpha_params.scale * static_cast<float>(a - st.alpha_params.zero_point);
        }
        const uint32_t sid = define_static(sg, std::move(slope), {static_cast<std::size_t>(c)}, status);
        value[i] = define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
        is_f32[i] = true;
        return check(xnn_define_prelu(sg, as_type(in, true), sid, value[i], 0), "prelu '" + n.name + "'");
      }
      case OpKind::kPixelShuffle: {  // depth_to_space is x32 only: on the dequantized values
        if (!same_perm(pin, dcr_perm(channels(i), n.scale), channels(in))) {
          return peer_unsupported_op(kEngine, n, "its input's channels are not in depth_to_space's DCR order");
        }
        const bool direct = i == out0;  // the output shuffle writes the f32 external output (already in [0, 1]
                                        // when the output has the image parameters; clamped below otherwise)
        value[i] = direct && q.scale == 1.0f / 255.0f && q.zero_point == -128
                       ? define(dims_of(i), 1, XNN_VALUE_FLAG_EXTERNAL_OUTPUT)
                       : define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
        is_f32[i] = true;
        return check(xnn_define_depth_to_space(sg, as_type(in, true), value[i], static_cast<uint32_t>(n.scale), 0),
                     "depth_to_space '" + n.name + "'");
      }
      default:
        return peer_unsupported_op(kEngine, n, "not mapped in INT8 by this peer");
    }
  };

  for (std::size_t idx = 0; idx < count && status.ok() && int8_; ++idx) {
    const int i = static_cast<int>(idx);
    LITESR_RETURN_IF_ERROR(int8_node(i));
    LITESR_RETURN_IF_ERROR(status);
    if (i == out0) {  // into the f32 external output, clamped to [0, 1] (unless the shuffle wrote it directly)
      const bool written = nodes[i].op == OpKind::kPixelShuffle && params_of(i).scale == 1.0f / 255.0f &&
                           params_of(i).zero_point == -128;
      if (!written) {
        const uint32_t ext = define(dims_of(i), 1, XNN_VALUE_FLAG_EXTERNAL_OUTPUT);
        LITESR_RETURN_IF_ERROR(check(xnn_define_clamp(sg, 0.0f, 1.0f, as_type(i, true), ext, 0), "output clamp"));
      }
    }
  }
  for (std::size_t idx = 0; idx < count && status.ok() && !int8_; ++idx) {
    const int i = static_cast<int>(idx);
    const Node& n = nodes[i];
    const int in = n.inputs.empty() ? -1 : n.inputs[0];
    const Perm& pin = in >= 0 ? perm[in] : perm[i];
    const int relu = fused_relu[i];
    const int out_node = relu >= 0 ? relu : i;  // whose value this node's op writes
    float lo = relu >= 0 ? 0.0f : -kInf, hi = kInf;
    if (clamp_into == i) lo = 0.0f, hi = 1.0f;
    uint32_t out = XNN_INVALID_VALUE_ID;
    switch (n.op) {
      case OpKind::kInput:
        if (!recurrent_) {
          value[i] = define({static_cast<std::size_t>(batch_), static_cast<std::size_t>(height_),
                             static_cast<std::size_t>(width_), static_cast<std::size_t>(channels(i))},
                            0, XNN_VALUE_FLAG_EXTERNAL_INPUT);
        }
        continue;
      case OpKind::kConcat: {
        if (i != packed) return peer_unsupported_op(kEngine, n, "XNNPACK (2022-02) has no concatenate node");
        packed_channels_ = channels(i);
        for (int src : n.inputs) {
          const auto k = std::find(graph.inputs.begin(), graph.inputs.end(), src) - graph.inputs.begin();
          const int offset = segments_.empty() ? 0 : segments_.back().offset + segments_.back().channels;
          segments_.push_back({offset, channels(src), static_cast<int>(k)});
        }
        value[i] = define({1, static_cast<std::size_t>(height_), static_cast<std::size_t>(width_),
                           static_cast<std::size_t>(packed_channels_)},
                          0, XNN_VALUE_FLAG_EXTERNAL_INPUT);
        continue;
      }
      case OpKind::kConv2d: {
        const int c = channels(in), o = n.out_channels, k = n.kernel, g = n.groups;
        const Tensor& w = tensor(n.weight);
        std::vector<float> bias(static_cast<std::size_t>(o), 0.0f);
        const Perm& pout = perm[i];
        for (int oc = 0; oc < o; ++oc) bias[oc] = n.bias.empty() ? 0.0f : tensor(n.bias).data[perm_at(pout, oc)];
        out = node_value(out_node);
        const uint32_t b = define_static(sg, std::move(bias), {static_cast<std::size_t>(o)}, status);
        const uint32_t p = static_cast<uint32_t>(n.padding), kk = static_cast<uint32_t>(k),
                       s = static_cast<uint32_t>(n.stride);
        if (g == 1) {  // [O, C, kh, kw] -> [O, kh, kw, C], both channel axes in the values' orders
          std::vector<float> f(static_cast<std::size_t>(o) * k * k * c);
          for (int oc = 0; oc < o; ++oc)
            for (int y = 0; y < k; ++y)
              for (int x = 0; x < k; ++x)
                for (int ic = 0; ic < c; ++ic)
                  f[((static_cast<std::size_t>(oc) * k + y) * k + x) * c + ic] =
                      w.data[((static_cast<std::size_t>(perm_at(pout, oc)) * c + perm_at(pin, ic)) * k + y) * k + x];
          const uint32_t fid = define_static(
              sg, std::move(f), {static_cast<std::size_t>(o), kk, kk, static_cast<std::size_t>(c)}, status);
          if (status.ok()) {
            status = check(xnn_define_convolution_2d(sg, p, p, p, p, kk, kk, s, s, 1, 1, 1, c, o, lo, hi, value[in],
                                                     fid, b, out, 0),
                           "convolution '" + n.name + "'");
          }
        } else if (is_depthwise(n, c)) {  // [C, 1, kh, kw] -> [1, kh, kw, C]
          std::vector<float> f(static_cast<std::size_t>(k) * k * c);
          for (int y = 0; y < k; ++y)
            for (int x = 0; x < k; ++x)
              for (int ch = 0; ch < c; ++ch)
                f[(static_cast<std::size_t>(y) * k + x) * c + ch] =
                    w.data[(static_cast<std::size_t>(perm_at(pin, ch)) * k + y) * k + x];
          const uint32_t fid = define_static(sg, std::move(f), {1, kk, kk, static_cast<std::size_t>(c)}, status);
          if (status.ok()) {
            status = check(xnn_define_depthwise_convolution_2d(sg, p, p, p, p, kk, kk, s, s, 1, 1, 1, c, lo, hi,
                                                               value[in], fid, b, out, 0),
                           "depthwise convolution '" + n.name + "'");
          }
        } else {  // grouped: [O, C/g, kh, kw] -> [O, kh, kw, C/g]; channel orders must be the identity
          if (!pin.empty()) return peer_unsupported_op(kEngine, n, "a grouped conv on a permuted value");
          const int cg = c / g;
          std::vector<float> f(static_cast<std::size_t>(o) * k * k * cg);
          for (int oc = 0; oc < o; ++oc)
            for (int y = 0; y < k; ++y)
              for (int x = 0; x < k; ++x)
                for (int ic = 0; ic < cg; ++ic)
                  f[((static_cast<std::size_t>(oc) * k + y) * k + x) * cg + ic] =
                      w.data[((static_cast<std::size_t>(oc) * cg + ic) * k + y) * k + x];
          const uint32_t fid = define_static(
              sg, std::move(f), {static_cast<std::size_t>(o), kk, kk, static_cast<std::size_t>(cg)}, status);
          if (status.ok()) {
            status = check(xnn_define_convolution_2d(sg, p, p, p, p, kk, kk, s, s, 1, 1, static_cast<uint32_t>(g), cg,
                                                     o / g, lo, hi, value[in], fid, b, out, 0),
                           "grouped convolution '" + n.name + "'");
          }
        }
        break;
      }
      case OpKind::kConvTranspose2d: {  // PyTorch [C, O, kh, kw] -> [O, kh, kw, C]
        const int c = channels(in), o = n.out_channels, k = n.kernel;
        const Tensor& w = tensor(n.weight);
        const Perm& pout = perm[i];
        std::vector<float> f(static_cast<std::size_t>(o) * k * k * c);
        for (int oc = 0; oc < o; ++oc)
          for (int y = 0; y < k; ++y)
            for (int x = 0; x < k; ++x)
              for (int ic = 0; ic < c; ++ic)
                f[((static_cast<std::size_t>(oc) * k + y) * k + x) * c + ic] =
                    w.data[((static_cast<std::size_t>(perm_at(pin, ic)) * o + perm_at(pout, oc)) * k + y) * k + x];
        out = node_value(out_node);
        const uint32_t kk = static_cast<uint32_t>(k), p = static_cast<uint32_t>(n.padding),
                       s = static_cast<uint32_t>(n.stride), a = static_cast<uint32_t>(n.output_padding);
        const uint32_t fid =
            define_static(sg, std::move(f), {static_cast<std::size_t>(o), kk, kk, static_cast<std::size_t>(c)}, status);
        uint32_t b = XNN_INVALID_VALUE_ID;
        if (!n.bias.empty()) {
          std::vector<float> bias(static_cast<std::size_t>(o));
          for (int oc = 0; oc < o; ++oc) bias[oc] = tensor(n.bias).data[perm_at(pout, oc)];
          b = define_static(sg, std::move(bias), {static_cast<std::size_t>(o)}, status);
        }
        if (status.ok()) {
          status = check(xnn_define_deconvolution_2d(sg, p, p, p, p, a, a, kk, kk, s, s, 1, 1, 1, c, o, lo, hi,
                                                     value[in], fid, b, out, 0),
                         "deconvolution '" + n.name + "'");
        }
        break;
      }
      case OpKind::kRelu:
        if (alias[i] >= 0) {  // fused into its producer, which wrote this node's value
          value[i] = value[alias[i]];
          continue;
        }
        out = node_value(i);
        if (status.ok()) status = check(xnn_define_clamp(sg, 0.0f, kInf, value[in], out, 0), "relu '" + n.name + "'");
        break;
      case OpKind::kLeakyRelu:
        out = node_value(i);
        if (status.ok()) {
          status = check(xnn_define_leaky_relu(sg, n.alpha, value[in], out, 0), "leaky_relu '" + n.name + "'");
        }
        break;
      case OpKind::kSigmoid:
        out = node_value(i);
        if (status.ok()) status = check(xnn_define_sigmoid(sg, value[in], out, 0), "sigmoid '" + n.name + "'");
        break;
      case OpKind::kPrelu: {
        const int c = channels(in);
        const Tensor& w = tensor(n.weight);
        std::vector<float> slope(static_cast<std::size_t>(c));
        for (int ch = 0; ch < c; ++ch) slope[ch] = w.data.size() == 1 ? w.data[0] : w.data[perm_at(pin, ch)];
        const uint32_t sid = define_static(sg, std::move(slope), {static_cast<std::size_t>(c)}, status);
        out = node_value(i);
        if (status.ok()) status = check(xnn_define_prelu(sg, value[in], sid, out, 0), "prelu '" + n.name + "'");
        break;
      }
      case OpKind::kBatchNorm: {  // y = x · scale + shift, scale = γ / sqrt(var + eps), shift = β − mean · scale
        const int c = channels(in);
        std::vector<float> scale(static_cast<std::size_t>(c)), shift(static_cast<std::size_t>(c));
        for (int ch = 0; ch < c; ++ch) {
          const int g = perm_at(pin, ch);
          scale[ch] = tensor(n.weight).data[g] / std::sqrt(tensor(n.running_var).data[g] + n.eps);
          shift[ch] = tensor(n.bias).data[g] - tensor(n.running_mean).data[g] * scale[ch];
        }
        const uint32_t sid = define_static(sg, std::move(scale), {static_cast<std::size_t>(c)}, status);
        const uint32_t tid = define_static(sg, std::move(shift), {static_cast<std::size_t>(c)}, status);
        const uint32_t tmp = define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
        out = node_value(i);
        if (status.ok()) {
          status = check(xnn_define_multiply2(sg, -kInf, kInf, value[in], sid, tmp, 0), "batch_norm '" + n.name + "'");
        }
        if (status.ok()) {
          status = check(xnn_define_add2(sg, -kInf, kInf, tmp, tid, out, 0), "batch_norm '" + n.name + "'");
        }
        break;
      }
      case OpKind::kSqueezeExcite: {
        if (n.se_pool != SePool::kMean) {
          return peer_unsupported_op(kEngine, n, "the mean + standard deviation pool has no XNNPACK node");
        }
        const int c = channels(in), hdim = n.se_hidden;
        const std::size_t nb = static_cast<std::size_t>(batch_);
        const uint32_t pooled = define({nb, 1, 1, static_cast<std::size_t>(c)}, XNN_INVALID_VALUE_ID, 0);
        const uint32_t hidden = define({nb, 1, 1, static_cast<std::size_t>(hdim)}, XNN_INVALID_VALUE_ID, 0);
        const uint32_t gate = define({nb, 1, 1, static_cast<std::size_t>(c)}, XNN_INVALID_VALUE_ID, 0);
        // fc1 [H, C] (or [H, C, 1, 1]) reads the pooled channels in the input's order; fc2 [C, H] writes them.
        const bool hard = n.se_gate == SeGate::kHardSigmoid;
        const float g = hard ? 1.0f / 6.0f : 1.0f;  // hard_sigmoid(v) = clamp(v / 6 + 0.5, 0, 1)
        std::vector<float> w1(static_cast<std::size_t>(hdim) * c), w2(static_cast<std::size_t>(c) * hdim);
        for (int h = 0; h < hdim; ++h)
          for (int ch = 0; ch < c; ++ch)
            w1[static_cast<std::size_t>(h) * c + ch] =
                tensor(n.weight).data[static_cast<std::size_t>(h) * c + perm_at(pin, ch)];
        for (int ch = 0; ch < c; ++ch)
          for (int h = 0; h < hdim; ++h)
            w2[static_cast<std::size_t>(ch) * hdim + h] =
                g * tensor(n.weight2).data[static_cast<std::size_t>(perm_at(pin, ch)) * hdim + h];
        std::vector<float> b2(static_cast<std::size_t>(c));
        for (int ch = 0; ch < c; ++ch) {
          b2[ch] = g * (n.bias2.empty() ? 0.0f : tensor(n.bias2).data[perm_at(pin, ch)]) + (hard ? 0.5f : 0.0f);
        }
        const uint32_t w1id =
            define_static(sg, std::move(w1), {static_cast<std::size_t>(hdim), static_cast<std::size_t>(c)}, status);
        const uint32_t w2id =
            define_static(sg, std::move(w2), {static_cast<std::size_t>(c), static_cast<std::size_t>(hdim)}, status);
        const uint32_t b1id = n.bias.empty()
                                  ? XNN_INVALID_VALUE_ID
                                  : define_static(sg, tensor(n.bias).data, {static_cast<std::size_t>(hdim)}, status);
        const uint32_t b2id = define_static(sg, std::move(b2), {static_cast<std::size_t>(c)}, status);
        out = node_value(i);
        if (status.ok()) {
          status = check(xnn_define_global_average_pooling_2d(sg, -kInf, kInf, value[in], pooled, 0),
                         "squeeze_excite pool '" + n.name + "'");
        }
        if (status.ok()) {
          status = check(xnn_define_fully_connected(sg, 0.0f, kInf, pooled, w1id, b1id, hidden, 0),
                         "squeeze_excite fc1 '" + n.name + "'");
        }
        if (status.ok() && hard) {
          status = check(xnn_define_fully_connected(sg, 0.0f, 1.0f, hidden, w2id, b2id, gate, 0),
                         "squeeze_excite fc2 '" + n.name + "'");
        } else if (status.ok()) {
          const uint32_t logits = define({nb, 1, 1, static_cast<std::size_t>(c)}, XNN_INVALID_VALUE_ID, 0);
          status = check(xnn_define_fully_connected(sg, -kInf, kInf, hidden, w2id, b2id, logits, 0),
                         "squeeze_excite fc2 '" + n.name + "'");
          if (status.ok()) status = check(xnn_define_sigmoid(sg, logits, gate, 0), "squeeze_excite gate");
        }
        if (status.ok()) {
          status = check(xnn_define_multiply2(sg, -kInf, kInf, value[in], gate, out, 0),
                         "squeeze_excite scale '" + n.name + "'");
        }
        break;
      }
      case OpKind::kAdd: {
        for (int other : n.inputs) {
          if (!same_perm(perm[other], pin, channels(i))) {
            return peer_unsupported_op(kEngine, n, "its inputs hold their channels in different orders");
          }
        }
        uint32_t acc = value[n.inputs[0]];
        for (std::size_t j = 1; j < n.inputs.size() && status.ok(); ++j) {
          const bool last = j + 1 == n.inputs.size();
          const uint32_t dst = last ? node_value(out_node) : define(dims_of(i), XNN_INVALID_VALUE_ID, 0);
          status = check(xnn_define_add2(sg, last ? lo : -kInf, last ? hi : kInf, acc, value[n.inputs[j]], dst, 0),
                         "add '" + n.name + "'");
          acc = dst;
        }
        out = acc;
        break;
      }
      case OpKind::kMul: {
        const int b = n.inputs[1];
        if (channels(b) != 1 && !same_perm(perm[b], pin, channels(i))) {
          return peer_unsupported_op(kEngine, n, "its inputs hold their channels in different orders");
        }
        out = node_value(i);
        if (status.ok()) {
          status = check(xnn_define_multiply2(sg, -kInf, kInf, value[in], value[b], out, 0), "mul '" + n.name + "'");
        }
        break;
      }
      case OpKind::kPixelShuffle: {
        if (!same_perm(pin, dcr_perm(channels(i), n.scale), channels(in))) {
          return peer_unsupported_op(kEngine, n, "its input's channels are not in depth_to_space's DCR order");
        }
        out = node_value(i);
        if (status.ok()) {
          status = check(xnn_define_depth_to_space(sg, value[in], out, static_cast<uint32_t>(n.scale), 0),
                         "depth_to_space '" + n.name + "'");
        }
        break;
      }
      case OpKind::kTanh:
        return peer_unsupported_op(kEngine, n, "XNNPACK (2022-02) has no f32 tanh node");
      case OpKind::kSlice:
        return peer_unsupported_op(kEngine, n, "XNNPACK (2022-02) has no slice or split node");
      case OpKind::kBicubicUpsample:
        return peer_unsupported_op(kEngine, n, "XNNPACK resizes bilinearly only (no bicubic resize node)");
      case OpKind::kBilinearUpsample:
      case OpKind::kBilinearResize:
      case OpKind::kMaxPool2d:
        return peer_unsupported_op(kEngine, n, "not mapped by this peer (no shipped bench model uses it)");
    }
    value[i] = out;
    if (relu >= 0) value[relu] = out;
    if (i == out0 && clamp_node && status.ok()) {  // output 0's own clamp to [0, 1]
      const uint32_t ext = define(dims_of(i), 1, XNN_VALUE_FLAG_EXTERNAL_OUTPUT);
      if (status.ok()) status = check(xnn_define_clamp(sg, 0.0f, 1.0f, out, ext, 0), "output clamp");
    }
  }
  LITESR_RETURN_IF_ERROR(status);

  pool_ = pthreadpool_create(static_cast<std::size_t>(threads_));
  if (pool_ == nullptr) return resource_exhausted("XNNPACK peer: cannot create a pthreadpool");
  LITESR_RETURN_IF_ERROR(
      check(xnn_create_runtime_v2(sg, pool_, XNN_FLAG_YIELD_WORKERS, &runtime_), "xnn_create_runtime_v2"));

  // External buffers: the input (NHWC, or the packed step input), every output.
  std::vector<xnn_external_value> externals_list;
  if (recurrent_) {
    input_.assign(static_cast<std::size_t>(height_) * width_ * packed_channels_ + kSlack, 0.0f);
    frames_nhwc_.assign(static_cast<std::size_t>(frames_) * height_ * width_ * in_channels_ + kSlack, 0.0f);
    nchw_to_nhwc(input.nchw, frames_nhwc_.data(), frames_, in_channels_, height_, width_);
  } else {
    input_.assign(static_cast<std::size_t>(batch_) * height_ * width_ * in_channels_ + kSlack, 0.0f);
    nchw_to_nhwc(input.nchw, input_.data(), batch_, in_channels_, height_, width_);
  }
  externals_list.push_back({0, input_.data()});
  for (std::size_t k = 0; k < graph.outputs.size(); ++k) {
    const int id = graph.outputs[k];
    output_channels_.push_back(channels(id));
    output_h_.push_back(static_cast<int>(shapes[id].extent(height_)));
    output_w_.push_back(static_cast<int>(shapes[id].extent(width_)));
    output_perms_.push_back(perm[id]);
    outputs_.emplace_back(
        static_cast<std::size_t>(batch_) * output_h_.back() * output_w_.back() * output_channels_.back() + kSlack,
        0.0f);
    externals_list.push_back({static_cast<uint32_t>(1 + k), outputs_.back().data()});
  }
  return check(xnn_setup_runtime(runtime_, externals_list.size(), externals_list.data()), "xnn_setup_runtime");
}

// Row `row` of the packed step input of step `step_`: per pixel, each segment's channels copied from its
// source (frames NHWC; state outputs in their own channel order, which the head conv's weights expect; zeros at
// step 0).
void XnnpackPeer::pack_row(std::size_t row) {
  const std::size_t w = static_cast<std::size_t>(width_), pc = static_cast<std::size_t>(packed_channels_);
  float* dst = input_.data() + row * w * pc;
  for (const PackSegment& s : segments_) {
    const std::size_t c = static_cast<std::size_t>(s.channels);
    const float* src = nullptr;
    if (s.source < 2) {
      const int frame = s.source == 0 ? std::max(step_ - 1, 0) : step_;
      src = frames_nhwc_.data() + (static_cast<std::size_t>(frame) * height_ + row) * w * c;
    } else if (step_ > 0) {
      src = outputs_[s.source - 1].data() + row * w * c;
    }
    float* d = dst + s.offset;
    if (src == nullptr) {
      for (std::size_t x = 0; x < w; ++x) std::memset(d + x * pc, 0, c * sizeof(float));
    } else {
      for (std::size_t x = 0; x < w; ++x) std::memcpy(d + x * pc, src + x * c, c * sizeof(float));
    }
  }
}

void XnnpackPeer::emit_frame(const PeerFrameCallback& on_frame, int frame, int batch_index) {
  const int c = output_channels_[0];
  const std::size_t plane = static_cast<std::size_t>(output_h_[0]) * output_w_[0];
  chw_.resize(plane * c);
  const float* src = outputs_[0].data() + static_cast<std::size_t>(batch_index) * plane * c;
  for (std::size_t i = 0; i < plane; ++i)
    for (int k = 0; k < c; ++k) chw_[perm_at(output_perms_[0], k) * plane + i] = src[i * c + k];
  on_frame(frame, chw_.data());
}

Status XnnpackPeer::run(const PeerFrameCallback& on_frame) {
  if (!recurrent_) {
    LITESR_RETURN_IF_ERROR(check(xnn_invoke_runtime(runtime_), "xnn_invoke_runtime"));
    if (on_frame) {
      for (int f = 0; f < batch_; ++f) emit_frame(on_frame, f, f);
    }
    return {};
  }
  for (step_ = 0; step_ < frames_; ++step_) {
    pthreadpool_parallelize_1d(
        pool_, [](void* self, std::size_t row) { static_cast<XnnpackPeer*>(self)->pack_row(row); }, this,
        static_cast<std::size_t>(height_), 0);
    LITESR_RETURN_IF_ERROR(check(xnn_invoke_runtime(runtime_), "xnn_invoke_runtime"));
    if (on_frame) emit_frame(on_frame, step_, 0);
  }
  return {};
}

}  // namespace

std::string xnnpack_version() {
#ifdef LITESR_XNNPACK_VERSION
  return LITESR_XNNPACK_VERSION;
#else
  return "unknown";
#endif
}

Result<std::unique_ptr<GraphPeer>> create_xnnpack_peer(const Graph& graph, const TensorMap& tensors,
                                                       const PeerInput& input, int threads) {
  auto peer = std::make_unique<XnnpackPeer>();
  LITESR_RETURN_IF_ERROR(peer->build(graph, tensors, input, threads));
  return std::unique_ptr<GraphPeer>(std::move(peer));
}

Result<std::unique_ptr<GraphPeer>> create_xnnpack_int8_peer(const Graph& graph, const TensorMap& tensors,
                                                            const ModelQuantization& quantization,
                                                            const PeerInput& input, int threads) {
  LITESR_ASSIGN_OR_RETURN(const Int8Program int8, peer_int8_program(graph, tensors, quantization));
  auto peer = std::make_unique<XnnpackPeer>();
  LITESR_RETURN_IF_ERROR(peer->build(graph, tensors, input, threads, &int8));
  return std::unique_ptr<GraphPeer>(std::move(peer));
}

}  // namespace litesr::peers
