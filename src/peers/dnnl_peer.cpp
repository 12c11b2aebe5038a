#include "peers/dnnl_peer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/bicubic_table.h"
#include "runtime/int8_program.h"

namespace litesr::peers {
namespace {

constexpr const char* kEngine = "oneDNN";

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
constexpr memory::data_type kF32 = memory::data_type::f32;

// Plain (unblocked) layout: strides only, so it can be viewed with other dimensions.
bool is_plain(const memory::desc& md) {
  return md.data.format_kind == dnnl_blocked && md.data.format_desc.blocking.inner_nblks == 0;
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

// Post-op chains: each conv / deconv absorbs the ops after it while each value has one reader and is not a graph
// output: the ops `fusable` accepts, and up to `max_adds` 2-input adds whose other input is computed before the conv
// runs (INT8: one, its single sum post-op).
struct PostOpChains {
  std::vector<int> head;                // node -> the conv whose primitive computes it (fused), or -1
  std::vector<std::vector<int>> chain;  // conv -> fused nodes, in order
};

template <typename Fusable>
PostOpChains post_op_chains(const std::vector<Node>& nodes, const PeerGraphPlan& plan, Fusable fusable,
                            int max_adds = std::numeric_limits<int>::max()) {
  PostOpChains c{std::vector<int>(nodes.size(), -1), std::vector<std::vector<int>>(nodes.size())};
  for (std::size_t idx = 0; idx < nodes.size(); ++idx) {
    const int i = static_cast<int>(idx);
    if (nodes[i].op != OpKind::kConv2d && nodes[i].op != OpKind::kConvTranspose2d) continue;
    int cur = i, adds = 0;
    while (!plan.is_output[cur] && plan.consumers[cur].size() == 1) {
      const int next = plan.consumers[cur][0];
      const Node& n = nodes[next];
      bool fuse = fusable(n.op);
      if (n.op == OpKind::kAdd && n.inputs.size() == 2) {
        const int other = n.inputs[0] == cur ? n.inputs[1] : n.inputs[0];
        fuse = other != cur && other < i && adds++ < max_adds;  // computed before the conv runs
      }
      if (!fuse) break;
      c.chain[i].push_back(next);
      c.head[next] = i;
      cur = next;
    }
  }
  return c;
}

class DnnlPeer final : public GraphPeer {
 public:
  Status run(const PeerFrameCallback& on_frame) override;
  std::string description() const override {
    return std::string("oneDNN ") + dnnl_version() + " primitives, " +
           (int8_ ? "NHWC s8 (per-channel int8 convs with fused relu and residual sums; f32 prelu)" : "NHWC f32") +
           ", OpenMP " + std::to_string(threads_) + " thread" + (threads_ == 1 ? "" : "s") + ", isa " +
           isa_name(dnnl::get_effective_cpu_isa());
  }
  Status build(const Graph& graph, const TensorMap& tensors, const PeerInput& input, int threads);
  // The INT8 model's integer form on oneDNN's int8 primitives (create_dnnl_int8_peer).
  Status build_int8(const Graph& graph, const TensorMap& tensors, const Int8Program& program, const PeerInput& input,
                    int threads);

 private:
  struct Op {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args;
  };
  // A memory of `md` holding `data` (copied; md's data type), reordered to `want` when that differs (weights).
  memory constant(const memory::desc& md, const void* data, const memory::desc& want);
  // Appends PixelShuffle(r) of `src` ([N, c·r², ih, iw], any layout) as a reorder between strided 6-D views;
  // returns the NHWC destination [N, c, r·ih, r·iw] of src's data type.
  memory pixel_shuffle(memory src, int64_t c, int64_t r, int64_t ih, int64_t iw);
  // Appends the integer-factor bicubic upscale of `src` ([N, c, ih, iw]) as oneDNN can express it (see the
  // header); kUnsupported when the runtime's taps for this size do not reduce to it.
  Result<memory> bicubic(const memory& src, const Node& node, int64_t c, int64_t ih, int64_t iw);
  // Output 0 (f32) and its NCHW copy for on_frame: `channels` x `plane` pixels per frame, dims [N, C, H, W].
  void set_output0(const memory& out, int channels, int64_t plane, const Dims& dims);
  // The input frames in NHWC (input_, frame_floats_ per frame), converted once when the peer is built.
  void convert_input(const PeerInput& input);
  void execute_all();

  dnnl::engine engine_{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream_{engine_};
  std::vector<Op> ops_;
  int threads_ = 1;
  bool int8_ = false;
  bool recurrent_ = false;
  int frames_ = 1, batch_ = 1;
  std::vector<float> input_;  // NHWC: the batch, or the recurrent window's frames
  std::size_t frame_floats_ = 0;
  memory x_prev_, x_t_;              // recurrent inputs, re-pointed each step
  std::vector<memory> state_in_;     // recurrent state inputs: the state outputs' buffers, or zeros
  std::vector<void*> state_buffer_;  // the state outputs' buffers
  memory zeros_;                     // step 0's state (large enough for every state)
  memory out0_;                      // output 0
  memory out0_nchw_;                 // output 0 as NCHW for on_frame
  dnnl::reorder out0_reorder_;
  int out0_channels_ = 0;
  std::size_t out0_plane_ = 0;
};

memory DnnlPeer::constant(const memory::desc& md, const void* data, const memory::desc& want) {
  memory user(md, engine_);
  std::memcpy(user.get_data_handle(), data, md.get_size());
  if (want == md) return user;
  memory packed(want, engine_);
  dnnl::reorder(user, packed).execute(stream_, user, packed);
  stream_.wait();
  return packed;
}

memory DnnlPeer::pixel_shuffle(memory src, int64_t c, int64_t r, int64_t ih, int64_t iw) {
  const memory::data_type type = src.get_desc().data_type();
  if (!is_plain(src.get_desc())) {  // a blocked source is made plain first
    memory plain(memory::desc({batch_, c * r * r, ih, iw}, type, Tag::nhwc), engine_);
    ops_.push_back({dnnl::reorder(src, plain), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, plain}}});
    src = plain;
  }
  memory dst(memory::desc({batch_, c, ih * r, iw * r}, type, Tag::nhwc), engine_);
  // Source channel ch·r² + i·r + j at (y, x) goes to (y·r + i, x·r + j) of destination channel ch.
  const auto& ss = src.get_desc().data.format_desc.blocking.strides;  // N, C, H, W strides
  const auto& ds = dst.get_desc().data.format_desc.blocking.strides;
  const Dims view{batch_, c, r, r, ih, iw};
  const memory::desc src6(view, type, Dims{ss[0], ss[1] * r * r, ss[1] * r, ss[1], ss[2], ss[3]});
  const memory::desc dst6(view, type, Dims{ds[0], ds[1], ds[2], ds[3], ds[2] * r, ds[3] * r});
  const memory from(src6, engine_, src.get_data_handle()), to(dst6, engine_, dst.get_data_handle());
  ops_.push_back({dnnl::reorder(dnnl::reorder::primitive_desc(engine_, src6, engine_, dst6)),
                  {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}});
  return dst;
}

Result<memory> DnnlPeer::bicubic(const memory& src, const Node& node, int64_t c, int64_t ih, int64_t iw) {
  const int r = node.scale;
  // Phase filters from an interior output of a long probe row: output r·q + p reads input q + d with weight
  // f[p][d + pad] for |d| <= pad.
  constexpr int kProbe = 32, kAt = 16;
  LITESR_ASSIGN_OR_RETURN(const BicubicTable probe, make_bicubic_table(kProbe, r, node.bicubic));
  int pad = 0;
  for (int p = 0; p < r; ++p)
    for (int t = 0; t < probe.taps; ++t)
      if (probe.weight[(kAt * r + p) * probe.taps + t] != 0.0f)
        pad = std::max(pad, std::abs(probe.index[(kAt * r + p) * probe.taps + t] - kAt));
  const int k = 2 * pad + 1;
  std::vector<std::vector<double>> f(r, std::vector<double>(k, 0.0));
  for (int p = 0; p < r; ++p)
    for (int t = 0; t < probe.taps; ++t)
      f[p][probe.index[(kAt * r + p) * probe.taps + t] - kAt + pad] += probe.weight[(kAt * r + p) * probe.taps + t];
  // Border rule: padded position q + d outside [0, n) reads `source(q + d)`: replicate clamps, symmetric
  // mirrors with the edge repeated (x[−1] = x[0], x[−2] = x[1]).
  const bool mirror = node.bicubic == BicubicKind::kMatlab;
  const auto source = [&](int64_t v, int64_t n) -> int64_t {
    if (v >= 0 && v < n) return v;
    if (!mirror) return v < 0 ? 0 : n - 1;
    return v < 0 ? -v - 1 : 2 * n - 1 - v;
  };
  // The runtime's own taps for this size must be exactly these filters on the padded rows and columns.
  for (const int64_t n : {ih, iw}) {
    if (mirror && n < pad) return peer_unsupported_op(kEngine, node, "an input smaller than the mirrored border");
    LITESR_ASSIGN_OR_RETURN(const BicubicTable table, make_bicubic_table(static_cast<int>(n), r, node.bicubic));
    for (int64_t q = 0; q < n; ++q) {
      for (int p = 0; p < r; ++p) {
        std::vector<double> want(n, 0.0), got(n, 0.0);
        const int64_t o = q * r + p;
        for (int t = 0; t < table.taps; ++t) want[table.index[o * table.taps + t]] += table.weight[o * table.taps + t];
        for (int d = -pad; d <= pad; ++d) got[source(q + d, n)] += f[p][d + pad];
        for (int64_t v = 0; v < n; ++v) {
          if (std::abs(want[v] - got[v]) > 1e-6) {
            return peer_unsupported_op(kEngine, node, "its border taps are not a padded convolution's");
          }
        }
      }
    }
  }
  // Padding: columns, then rows, each a concat of single-column / single-row views of the source.
  const auto pad_axis = [&](const memory& x, int axis, int64_t n) {
    const memory::desc md = x.get_desc();
    Dims one = md.dims();
    one[axis] = 1;
    std::vector<memory::desc> srcs;
    std::vector<memory> mems;
    const auto slice = [&](int64_t at) {
      Dims offsets{0, 0, 0, 0};
      offsets[axis] = at;
      const memory::desc sub = md.submemory_desc(one, offsets);
      srcs.push_back(sub);
      mems.emplace_back(sub, engine_, x.get_data_handle());
    };
    for (int64_t d = -pad; d < 0; ++d) slice(source(d, n));
    srcs.push_back(md);
    mems.push_back(x);
    for (int64_t d = n; d < n + pad; ++d) slice(source(d, n));
    Dims padded = md.dims();
    padded[axis] += 2 * pad;
    const dnnl::concat::primitive_desc pd(memory::desc(padded, kF32, Tag::nhwc), axis, srcs, engine_);
    memory out(pd.dst_desc(), engine_);
    Op op{dnnl::concat(pd), {{DNNL_ARG_DST, out}}};
    for (std::size_t s = 0; s < mems.size(); ++s) op.args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(s)] = mems[s];
    ops_.push_back(std::move(op));
    return out;
  };
  const memory padded = pad_axis(pad_axis(src, 3, iw), 2, ih);
  // A grouped k x k convolution, group ch: output channel ch·r² + p·r + q holds f[p] ⊗ f[q] (PixelShuffle's
  // channel order), no padding; weights [g = c, r², 1, k, k].
  const Dims wdims{c, r * r, 1, k, k};
  std::vector<float> weights(static_cast<std::size_t>(c) * r * r * k * k);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int p = 0; p < r; ++p)
      for (int q = 0; q < r; ++q)
        for (int a = 0; a < k; ++a)
          for (int b = 0; b < k; ++b)
            weights[(((ch * r + p) * r + q) * k + a) * k + b] = static_cast<float>(f[p][a] * f[q][b]);
  const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                          padded.get_desc(), memory::desc(wdims, kF32, Tag::any),
                                          memory::desc({batch_, c * r * r, ih, iw}, kF32, Tag::nhwc), Dims{1, 1},
                                          Dims{0, 0}, Dims{0, 0});
  const dnnl::convolution_forward::primitive_desc pd(d, engine_);
  memory phases(pd.dst_desc(), engine_);
  ops_.push_back(
      {dnnl::convolution_forward(pd),
       {{DNNL_ARG_SRC, padded},
        {DNNL_ARG_WEIGHTS, constant(memory::desc(wdims, kF32, Tag::goihw), weights.data(), pd.weights_desc())},
        {DNNL_ARG_DST, phases}}});
  return pixel_shuffle(phases, c, r, ih, iw);
}

Status DnnlPeer::build(const Graph& graph, const TensorMap& tensors, const PeerInput& input, int threads) {
  LITESR_ASSIGN_OR_RETURN(PeerGraphPlan plan, plan_peer_graph(graph, tensors, input));
  const std::vector<Node>& nodes = graph.nodes;
  const std::size_t count = nodes.size();
  const auto& shapes = plan.shapes;
  recurrent_ = plan.recurrent;
  frames_ = input.frames;
  batch_ = recurrent_ ? 1 : input.frames;
  threads_ = std::max(1, threads);
  const int64_t h = input.height, w = input.width;
  const auto channels = [&](int id) { return shapes[id].channels; };
  const auto dims_of = [&](int id) -> Dims {
    return {batch_, channels(id), shapes[id].extent(h), shapes[id].extent(w)};
  };
  const auto tensor = [&](const std::string& name) -> const Tensor& { return tensors.at(name); };
  const int out0 = graph.outputs[0];
  for (int id : graph.outputs) {
    if (nodes[id].op == OpKind::kInput || std::count(graph.outputs.begin(), graph.outputs.end(), id) > 1) {
      return unsupported(std::string(kEngine) + " peer: output node '" + nodes[id].name + "' is an input or repeated");
    }
  }
  for (const Node& n : nodes) {  // what this peer cannot build, before any primitive is made
    switch (n.op) {
      case OpKind::kSlice:
      case OpKind::kMaxPool2d:
      case OpKind::kBilinearUpsample:
      case OpKind::kBilinearResize:
        return peer_unsupported_op(kEngine, n, "not mapped by this peer (no shipped bench model uses it)");
      case OpKind::kSqueezeExcite:
        if (n.se_pool != SePool::kMean) {
          return peer_unsupported_op(kEngine, n, "the mean + standard deviation pool is not mapped");
        }
        break;
      default:
        break;
    }
  }

  // Post-op chains: a conv / deconv absorbs the single-reader ops after it (see the header).
  auto [head, chain] = post_op_chains(nodes, plan, [](OpKind op) {
    return op == OpKind::kRelu || op == OpKind::kLeakyRelu || op == OpKind::kSigmoid || op == OpKind::kTanh ||
           op == OpKind::kPrelu;
  });
  std::vector<bool> clip(count, false);  // conv -> output 0's clamp appended
  bool out0_clamped = false;
  for (std::size_t idx = 0; idx < count; ++idx) {
    if (nodes[idx].op != OpKind::kConv2d && nodes[idx].op != OpKind::kConvTranspose2d) continue;
    const int cur = chain[idx].empty() ? static_cast<int>(idx) : chain[idx].back();
    const bool feeds_final_shuffle = !plan.is_output[cur] && plan.consumers[cur].size() == 1 &&
                                     plan.consumers[cur][0] == out0 && nodes[out0].op == OpKind::kPixelShuffle;
    if (cur == out0 || feeds_final_shuffle) clip[idx] = out0_clamped = true;
  }
  const auto exec_id = [&](int id) { return head[id] >= 0 ? head[id] : id; };
  // Recurrent state: every reader of state input 2 + j must run before the writer of output 1 + j.
  if (recurrent_) {
    for (std::size_t j = 0; j + 2 < graph.inputs.size(); ++j) {
      const int writer = exec_id(graph.outputs[1 + j]);
      for (int reader : plan.consumers[graph.inputs[2 + j]]) {
        if (exec_id(reader) >= writer) {
          return unsupported(std::string(kEngine) + " peer: state input " + std::to_string(2 + j) + " of " +
                             graph.arch + " is read after its next value is written");
        }
      }
    }
  }

  omp_set_num_threads(threads_);
  std::vector<memory> value(count);
  try {
    // Inputs, converted to NHWC once.
    convert_input(input);
    const memory::desc frame_md({batch_, input.channels, h, w}, kF32, Tag::nhwc);
    if (!recurrent_) {
      value[graph.inputs[0]] = memory(frame_md, engine_, input_.data());
    } else {
      x_prev_ = memory(frame_md, engine_, input_.data());
      x_t_ = memory(frame_md, engine_, input_.data());
      value[graph.inputs[0]] = x_prev_;
      value[graph.inputs[1]] = x_t_;
      std::size_t largest = 0;
      for (std::size_t j = 0; j + 2 < graph.inputs.size(); ++j) {
        const memory::desc md(dims_of(graph.inputs[2 + j]), kF32, Tag::nhwc);
        largest = std::max(largest, md.get_size());
        state_buffer_.push_back(nullptr);  // known once the output is built
        state_in_.push_back(memory(md, engine_, DNNL_MEMORY_NONE));
        value[graph.inputs[2 + j]] = state_in_.back();
      }
      zeros_ = memory(memory::desc({static_cast<int64_t>(largest / sizeof(float))}, kF32, Tag::a), engine_);
      std::memset(zeros_.get_data_handle(), 0, largest);
    }

    for (std::size_t idx = 0; idx < count; ++idx) {
      const int i = static_cast<int>(idx);
      const Node& n = nodes[i];
      if (n.op == OpKind::kInput) continue;
      if (head[i] >= 0) {  // computed by its conv's primitive
        value[i] = value[head[i]];
        continue;
      }
      const int in = n.inputs[0];
      const memory::desc src_md = value[in].get_desc();
      Op op;
      memory dst;
      switch (n.op) {
        case OpKind::kConv2d:
        case OpKind::kConvTranspose2d: {
          const bool deconv = n.op == OpKind::kConvTranspose2d;
          const int c = channels(in), o = n.out_channels, k = n.kernel, g = deconv ? 1 : n.groups;
          // User weights in oneDNN's dimension order: conv [O, C, k, k] (groups: [g, O/g, C/g, k, k]), deconv
          // [O, C, k, k] transposed from PyTorch's [C, O, k, k].
          const Tensor& wt = tensor(n.weight);
          Dims wdims = g == 1 ? Dims{o, c, k, k} : Dims{g, o / g, c / g, k, k};
          std::vector<float> wdata = wt.data;
          if (deconv) {
            for (int oc = 0; oc < o; ++oc)
              for (int ic = 0; ic < c; ++ic)
                for (int t = 0; t < k * k; ++t)
                  wdata[(static_cast<std::size_t>(oc) * c + ic) * k * k + t] =
                      wt.data[(static_cast<std::size_t>(ic) * o + oc) * k * k + t];
          }
          const memory::desc wmd_any(wdims, kF32, Tag::any);
          const memory::desc bmd({o}, kF32, Tag::a);
          const Dims stride{n.stride, n.stride}, pad{n.padding, n.padding};
          const Dims pad_r{n.padding - n.output_padding, n.padding - n.output_padding};  // deconv
          memory weights;
          std::vector<std::pair<int, memory>> post_args;
          // The longest fusion oneDNN runs with an optimised kernel: a post-op chain that only a reference
          // implementation accepts (2.6: PReLU after a convolution) is cut, the output clamp first, then from
          // the end; the cut ops run as their own primitives.
          std::size_t len = chain[i].size();
          bool with_clip = clip[i];
          for (;;) {
            const memory::desc dmd(dims_of(i), kF32, Tag::nhwc);
            dnnl::post_ops po;
            post_args.clear();
            for (std::size_t fi = 0; fi < len; ++fi) {
              const Node& fn = nodes[chain[i][fi]];
              const int index = po.len();
              switch (fn.op) {
                case OpKind::kRelu:
                  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
                  break;
                case OpKind::kLeakyRelu:
                  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, fn.alpha, 0.0f);
                  break;
                case OpKind::kSigmoid:
                  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
                  break;
                case OpKind::kTanh:
                  po.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
                  break;
                case OpKind::kPrelu: {  // slopes [C] (or one broadcast), plain
                  const Tensor& s = tensor(fn.weight);
                  std::vector<float> slopes(static_cast<std::size_t>(o), s.data[0]);
                  if (s.data.size() > 1) slopes = s.data;
                  const memory::desc smd({1, o, 1, 1}, kF32, Tag::abcd);
                  po.append_prelu(1 << 1);
                  post_args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_WEIGHTS,
                                         constant(smd, slopes.data(), smd));
                  break;
                }
                case OpKind::kAdd: {
                  const int prev = fi == 0 ? i : chain[i][fi - 1];
                  const int other = fn.inputs[0] == prev ? fn.inputs[1] : fn.inputs[0];
                  po.append_binary(dnnl::algorithm::binary_add, value[other].get_desc());
                  post_args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1, value[other]);
                  break;
                }
                default:
                  return internal_error("oneDNN peer: unexpected fused op");
              }
            }
            if (with_clip) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 1.0f);
            dnnl::primitive_attr attr;
            attr.set_post_ops(po);
            dnnl::primitive_desc_base pd;
            if (deconv) {
              const auto d = n.bias.empty()
                                 ? dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                                     dnnl::algorithm::deconvolution_direct, src_md,
                                                                     wmd_any, dmd, stride, pad, pad_r)
                                 : dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                                     dnnl::algorithm::deconvolution_direct, src_md,
                                                                     wmd_any, bmd, dmd, stride, pad, pad_r);
              const dnnl::deconvolution_forward::primitive_desc dpd(d, attr, engine_);
              pd = dpd;
              op.prim = dnnl::deconvolution_forward(dpd);
            } else {
              const auto d = n.bias.empty()
                                 ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                                   dnnl::algorithm::convolution_direct, src_md, wmd_any,
                                                                   dmd, stride, pad, pad)
                                 : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                                   dnnl::algorithm::convolution_direct, src_md, wmd_any,
                                                                   bmd, dmd, stride, pad, pad);
              const dnnl::convolution_forward::primitive_desc cpd(d, attr, engine_);
              pd = cpd;
              op.prim = dnnl::convolution_forward(cpd);
            }
            const bool reference = std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
            if (reference && (with_clip || len > 0)) {
              if (with_clip) {
                with_clip = false;
              } else {
                --len;
              }
              continue;
            }
            weights = constant(memory::desc(wdims, kF32,
                                            deconv   ? Tag::oihw
                                            : g == 1 ? Tag::oihw
                                                     : Tag::goihw),
                               wdata.data(), pd.weights_desc());
            dst = memory(pd.dst_desc(), engine_);
            break;
          }
          for (std::size_t fi = len; fi < chain[i].size(); ++fi) head[chain[i][fi]] = -1;  // run on their own
          chain[i].resize(len);
          if (clip[i] && !with_clip) out0_clamped = false;
          op.args = {{DNNL_ARG_SRC, value[in]}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
          if (!n.bias.empty()) op.args[DNNL_ARG_BIAS] = constant(bmd, tensor(n.bias).data.data(), bmd);
          for (auto& [arg, mem] : post_args) op.args[arg] = mem;
          break;
        }
        case OpKind::kRelu:
        case OpKind::kLeakyRelu:
        case OpKind::kSigmoid:
        case OpKind::kTanh: {
          const dnnl::algorithm alg = n.op == OpKind::kSigmoid ? dnnl::algorithm::eltwise_logistic
                                      : n.op == OpKind::kTanh  ? dnnl::algorithm::eltwise_tanh
                                                               : dnnl::algorithm::eltwise_relu;
          const float alpha = n.op == OpKind::kLeakyRelu ? n.alpha : 0.0f;
          const dnnl::eltwise_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, alg, src_md, alpha, 0.0f},
                                                         engine_);
          dst = memory(pd.dst_desc(), engine_);
          op.prim = dnnl::eltwise_forward(pd);
          op.args = {{DNNL_ARG_SRC, value[in]}, {DNNL_ARG_DST, dst}};
          break;
        }
        case OpKind::kPrelu: {
          const int c = channels(in);
          const Tensor& s = tensor(n.weight);
          std::vector<float> slopes(static_cast<std::size_t>(c), s.data[0]);
          if (s.data.size() > 1) slopes = s.data;
          const memory::desc smd({1, c, 1, 1}, kF32, Tag::abcd);
          const dnnl::prelu_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, src_md, smd}, engine_);
          dst = memory(pd.dst_desc(), engine_);
          op.prim = dnnl::prelu_forward(pd);
          op.args = {
              {DNNL_ARG_SRC, value[in]}, {DNNL_ARG_WEIGHTS, constant(smd, slopes.data(), smd)}, {DNNL_ARG_DST, dst}};
          break;
        }
        case OpKind::kBatchNorm: {
          const int c = channels(in);
          const memory::desc vmd({c}, kF32, Tag::a);
          const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                             dnnl::normalization_flags::use_shift;
          const dnnl::batch_normalization_forward::primitive_desc pd(
              {dnnl::prop_kind::forward_inference, src_md, n.eps, flags}, engine_);
          dst = memory(pd.dst_desc(), engine_);
          op.prim = dnnl::batch_normalization_forward(pd);
          op.args = {{DNNL_ARG_SRC, value[in]},
                     {DNNL_ARG_MEAN, constant(vmd, tensor(n.running_mean).data.data(), vmd)},
                     {DNNL_ARG_VARIANCE, constant(vmd, tensor(n.running_var).data.data(), vmd)},
                     {DNNL_ARG_SCALE, constant(vmd, tensor(n.weight).data.data(), vmd)},
                     {DNNL_ARG_SHIFT, constant(vmd, tensor(n.bias).data.data(), vmd)},
                     {DNNL_ARG_DST, dst}};
          break;
        }
        case OpKind::kAdd:
        case OpKind::kConcat: {
          std::vector<memory::desc> srcs;
          for (int s : n.inputs) srcs.push_back(value[s].get_desc());
          if (n.op == OpKind::kAdd) {
            const dnnl::sum::primitive_desc pd(std::vector<float>(srcs.size(), 1.0f), srcs, engine_);
            dst = memory(pd.dst_desc(), engine_);
            op.prim = dnnl::sum(pd);
          } else {
            const dnnl::concat::primitive_desc pd(1, srcs, engine_);
            dst = memory(pd.dst_desc(), engine_);
            op.prim = dnnl::concat(pd);
          }
          for (std::size_t s = 0; s < n.inputs.size(); ++s)
            op.args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(s)] = value[n.inputs[s]];
          op.args[DNNL_ARG_DST] = dst;
          break;
        }
        case OpKind::kMul: {  // input 1 may have one channel (broadcast)
          const dnnl::binary::primitive_desc pd(
              {dnnl::algorithm::binary_mul, src_md, value[n.inputs[1]].get_desc(), src_md}, engine_);
          dst = memory(pd.dst_desc(), engine_);
          op.prim = dnnl::binary(pd);
          op.args = {{DNNL_ARG_SRC_0, value[in]}, {DNNL_ARG_SRC_1, value[n.inputs[1]]}, {DNNL_ARG_DST, dst}};
          break;
        }
        case OpKind::kSqueezeExcite: {
          const int64_t c = channels(in), hd = n.se_hidden;
          // mean over H, W -> [N, C, 1, 1]: a global average pooling (oneDNN 2.6's reduction primitive has only a
          // reference kernel for an NHWC source, ~100x slower)
          const int64_t ph = shapes[in].extent(h), pw = shapes[in].extent(w);
          const dnnl::pooling_forward::primitive_desc rpd(
              {dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_avg_exclude_padding, src_md,
               memory::desc({batch_, c, 1, 1}, kF32, Tag::nhwc), Dims{ph, pw}, Dims{ph, pw}, Dims{0, 0}, Dims{0, 0}},
              engine_);
          memory pooled(rpd.dst_desc(), engine_);
          ops_.push_back({dnnl::pooling_forward(rpd), {{DNNL_ARG_SRC, value[in]}, {DNNL_ARG_DST, pooled}}});
          // fc1 [H, C] + ReLU -> [N, H]
          dnnl::post_ops po1;
          po1.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
          dnnl::primitive_attr a1;
          a1.set_post_ops(po1);
          const memory::desc w1_user({hd, c, 1, 1}, kF32, Tag::abcd), b1md({hd}, kF32, Tag::a);
          const memory::desc hidden_md({batch_, hd}, kF32, Tag::ab);
          const memory::desc w1_any({hd, c, 1, 1}, kF32, Tag::any);
          const auto d1 = n.bias.empty()
                              ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, pooled.get_desc(),
                                                                  w1_any, hidden_md)
                              : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, pooled.get_desc(),
                                                                  w1_any, b1md, hidden_md);
          const dnnl::inner_product_forward::primitive_desc pd1(d1, a1, engine_);
          memory hidden(pd1.dst_desc(), engine_);
          Op fc1{dnnl::inner_product_forward(pd1),
                 {{DNNL_ARG_SRC, pooled},
                  {DNNL_ARG_WEIGHTS, constant(w1_user, tensor(n.weight).data.data(), pd1.weights_desc())},
                  {DNNL_ARG_DST, hidden}}};
          if (!n.bias.empty()) fc1.args[DNNL_ARG_BIAS] = constant(b1md, tensor(n.bias).data.data(), b1md);
          ops_.push_back(std::move(fc1));
          // fc2 [C, H] + gate -> [N, C]
          dnnl::post_ops po2;
          if (n.se_gate == SeGate::kHardSigmoid) {  // clamp(v / 6 + 0.5, 0, 1)
            po2.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f / 6.0f, 0.5f);
            po2.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, 1.0f);
          } else {
            po2.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
          }
          dnnl::primitive_attr a2;
          a2.set_post_ops(po2);
          const memory::desc w2_user({c, hd}, kF32, Tag::ab), b2md({c}, kF32, Tag::a);
          const memory::desc gate_md({batch_, c}, kF32, Tag::ab);
          const memory::desc w2_any({c, hd}, kF32, Tag::any);
          const auto d2 = n.bias2.empty() ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference,
                                                                              hidden_md, w2_any, gate_md)
                                          : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference,
                                                                              hidden_md, w2_any, b2md, gate_md);
          const dnnl::inner_product_forward::primitive_desc pd2(d2, a2, engine_);
          memory gate(pd2.dst_desc(), engine_);
          Op fc2{dnnl::inner_product_forward(pd2),
                 {{DNNL_ARG_SRC, hidden},
                  {DNNL_ARG_WEIGHTS, constant(w2_user, tensor(n.weight2).data.data(), pd2.weights_desc())},
                  {DNNL_ARG_DST, gate}}};
          if (!n.bias2.empty()) fc2.args[DNNL_ARG_BIAS] = constant(b2md, tensor(n.bias2).data.data(), b2md);
          ops_.push_back(std::move(fc2));
          // x · gate, the gate [N, C] viewed as [N, C, 1, 1]
          const memory::desc gate_view({batch_, c, 1, 1}, kF32, Tag::abcd);
          const memory gate4(gate_view, engine_, gate.get_data_handle());
          const dnnl::binary::primitive_desc mpd({dnnl::algorithm::binary_mul, src_md, gate_view, src_md}, engine_);
          dst = memory(mpd.dst_desc(), engine_);
          op.prim = dnnl::binary(mpd);
          op.args = {{DNNL_ARG_SRC_0, value[in]}, {DNNL_ARG_SRC_1, gate4}, {DNNL_ARG_DST, dst}};
          break;
        }
        case OpKind::kPixelShuffle:
          if (recurrent_ && nodes[in].op == OpKind::kInput) {
            return peer_unsupported_op(kEngine, n, "a view of a recurrent input (re-pointed every step)");
          }
          value[i] = pixel_shuffle(value[in], channels(i), n.scale, shapes[in].extent(h), shapes[in].extent(w));
          break;
        case OpKind::kBicubicUpsample: {
          if (recurrent_ && nodes[in].op == OpKind::kInput) {
            return peer_unsupported_op(kEngine, n, "a view of a recurrent input (re-pointed every step)");
          }
          LITESR_ASSIGN_OR_RETURN(value[i],
                                  bicubic(value[in], n, channels(in), shapes[in].extent(h), shapes[in].extent(w)));
          break;
        }
        default:
          return peer_unsupported_op(kEngine, n, "not mapped by this peer");
      }
      if (n.op != OpKind::kPixelShuffle && n.op != OpKind::kBicubicUpsample) {  // those appended their ops
        ops_.push_back(std::move(op));
        value[i] = dst;
      }
      dst = value[i];
      if (i == out0 && !out0_clamped) {  // output 0's clamp as its own eltwise, in place
        const dnnl::eltwise_forward::primitive_desc pd(
            {dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_clip, dst.get_desc(), 0.0f, 1.0f}, engine_);
        memory clamped = plan.consumers[i].empty() ? dst : memory(dst.get_desc(), engine_);
        ops_.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, dst}, {DNNL_ARG_DST, clamped}}});
        value[i] = clamped;
      }
    }

    // Outputs: output 0 (and its NCHW copy for on_frame); state buffers shared with the state inputs.
    set_output0(value[out0], channels(out0), shapes[out0].extent(h) * shapes[out0].extent(w), dims_of(out0));
    for (std::size_t j = 0; j < state_in_.size(); ++j) {
      const memory& out = value[graph.outputs[1 + j]];
      if (out.get_desc() != state_in_[j].get_desc()) {
        return internal_error("oneDNN peer: state output " + std::to_string(1 + j) + " is not plain NHWC");
      }
      state_buffer_[j] = out.get_data_handle();
    }
  } catch (const dnnl::error& e) {
    const std::string why = std::string("oneDNN: ") + e.what();
    return e.status == dnnl_unimplemented ? unsupported(why) : internal_error(why);
  }
  return {};
}

// INT8: every value is s8 NHWC at its step's parameters (Int8Step::output). A conv is one int8 primitive: s8
// source with its zero point, per-output-channel s8 weights and s32 biases (the model's own integers), output scales
// s_in · s_w[o] / s_conv, then the fused chain as TFLite computes it step by step — round and saturate at the
// current step's parameters (eltwise round / clip), scale into the next step's units (eltwise linear), apply it:
// relu / leaky_relu (eltwise), or a residual add as a sum post-op (the other input's s8 values already in the
// destination, scaled around their zero point) — and the chain end's zero point. A conv whose only reader is a
// PReLU writes f32 in the PReLU's units instead (oneDNN 2.6 runs PReLU post-ops only in its reference kernel),
// the PReLU runs in f32 and a reorder quantizes it. Rounding is to nearest even (TFLite: half away from zero).
Status DnnlPeer::build_int8(const Graph& graph, const TensorMap& tensors, const Int8Program& program,
                            const PeerInput& input, int threads) {
  LITESR_ASSIGN_OR_RETURN(PeerGraphPlan plan, plan_peer_graph(graph, tensors, input));
  if (plan.recurrent || graph.outputs.size() != 1) {
    return unsupported("oneDNN INT8 peer: single-input, single-output graphs only");
  }
  LITESR_ASSIGN_OR_RETURN(const auto step_of, int8_steps_by_node(kEngine, graph, program));  // node name -> step
  const std::vector<Node>& nodes = graph.nodes;
  const std::size_t count = nodes.size();
  const auto& shapes = plan.shapes;
  int8_ = true;
  frames_ = batch_ = input.frames;
  threads_ = std::max(1, threads);
  const int64_t h = input.height, w = input.width;
  const auto channels = [&](int id) { return shapes[id].channels; };
  const auto dims_of = [&](int id) -> Dims {
    return {batch_, channels(id), shapes[id].extent(h), shapes[id].extent(w)};
  };
  const auto params = [&](int id) { return step_of.at(nodes[id].name)->output; };
  const int out0 = graph.outputs[0];
  auto [head, chain] = post_op_chains(
      nodes, plan, [](OpKind op) { return op == OpKind::kRelu || op == OpKind::kLeakyRelu; }, /*max_adds=*/1);
  const auto s8_md = [&](int id) { return memory::desc(dims_of(id), memory::data_type::s8, Tag::nhwc); };
  const auto exec_id = [&](int id) { return head[id] >= 0 ? head[id] : id; };

  omp_set_num_threads(threads_);
  std::vector<memory> value(count);
  try {
    for (std::size_t idx = 0; idx < count; ++idx) {
      const int i = static_cast<int>(idx);
      const Node& n = nodes[i];
      if (head[i] >= 0) {  // computed by its conv's primitive
        if (!value[i]) value[i] = value[head[i]];
        continue;
      }
      const QuantParams q = params(i);
      switch (n.op) {
        case OpKind::kInput: {  // f32 NHWC (converted once) quantized at the input's parameters, in the run
          convert_input(input);
          const memory src(memory::desc(dims_of(i), kF32, Tag::nhwc), engine_, input_.data());
          value[i] = memory(s8_md(i), engine_);
          dnnl::primitive_attr attr;
          attr.set_output_scales(0, {1.0f / q.scale});
          attr.set_zero_points(DNNL_ARG_DST, 0, {q.zero_point});
          const dnnl::reorder::primitive_desc pd(engine_, src.get_desc(), engine_, value[i].get_desc(), attr);
          ops_.push_back({dnnl::reorder(pd), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, value[i]}}});
          break;
        }
        case OpKind::kConv2d: {
          const QuantizedConv2d& qc = step_of.at(n.name)->conv;
          const int in = n.inputs[0];
          const int c = channels(in), o = n.out_channels, k = n.kernel, g = n.groups;
          const bool prelu_next = chain[i].empty() && !plan.is_output[i] && plan.consumers[i].size() == 1 &&
                                  nodes[plan.consumers[i][0]].op == OpKind::kPrelu;
          const int end = prelu_next ? plan.consumers[i][0] : chain[i].empty() ? i : chain[i].back();
          const QuantParams qin = params(in), qout = params(end);
          // Output scales into the conv's own units (s_in · s_w[o] / s_conv); then, step by step as TFLite: the
          // value rounded and saturated at the current step's parameters, scaled into the next step's units and
          // that step applied (relu; or the residual sum around the other input's zero point).
          dnnl::primitive_attr attr;
          std::vector<float> scales(static_cast<std::size_t>(o));
          for (int oc = 0; oc < o; ++oc) scales[oc] = qin.scale * qc.weight_scales[oc] / q.scale;
          attr.set_output_scales(1 << 1, scales);
          if (qin.zero_point != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {qin.zero_point});
          if (!prelu_next && qout.zero_point != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {qout.zero_point});
          dnnl::post_ops po;
          QuantParams cur = q;
          const auto requantize = [&](QuantParams next) {
            po.append_eltwise(1.0f, dnnl::algorithm::eltwise_round, 0.0f, 0.0f);
            po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, static_cast<float>(-128 - cur.zero_point),
                              static_cast<float>(127 - cur.zero_point));
            po.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, cur.scale / next.scale, 0.0f);
            cur = next;
          };
          int residual = -1;  // the add's other input, whose values the destination starts from
          for (std::size_t fi = 0; fi < chain[i].size(); ++fi) {
            const Node& fn = nodes[chain[i][fi]];
            requantize(params(chain[i][fi]));
            if (fn.op == OpKind::kAdd) {
              const int prev = fi == 0 ? i : chain[i][fi - 1];
              residual = fn.inputs[0] == prev ? fn.inputs[1] : fn.inputs[0];
              po.append_sum(params(residual).scale / cur.scale, params(residual).zero_point);
            } else {
              po.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, fn.op == OpKind::kLeakyRelu ? fn.alpha : 0.0f,
                                0.0f);
            }
          }
          if (prelu_next) requantize(qout);
          attr.set_post_ops(po);
          const Dims wdims = g == 1 ? Dims{o, c, k, k} : Dims{g, o / g, c / g, k, k};
          const memory::desc dmd = prelu_next ? memory::desc(dims_of(i), kF32, Tag::nhwc) : s8_md(end);
          const memory::desc bmd({o}, memory::data_type::s32, Tag::a);
          const Dims stride{1, 1}, pad{n.padding, n.padding};
          const auto d =
              qc.bias.empty()
                  ? dnnl::convolution_forward::desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, value[in].get_desc(),
                        memory::desc(wdims, memory::data_type::s8, Tag::any), dmd, stride, pad, pad)
                  : dnnl::convolution_forward::desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, value[in].get_desc(),
                        memory::desc(wdims, memory::data_type::s8, Tag::any), bmd, dmd, stride, pad, pad);
          const dnnl::convolution_forward::primitive_desc pd(d, attr, engine_);
          memory dst;
          if (residual >= 0) {  // in place over the other input when the add is its last reader, else a copy
            bool last = true;
            for (int reader : plan.consumers[residual]) last = last && exec_id(reader) <= i;
            if (last && !plan.is_output[residual]) {
              dst = value[residual];
            } else {
              dst = memory(s8_md(end), engine_);
              ops_.push_back(
                  {dnnl::reorder(value[residual], dst), {{DNNL_ARG_FROM, value[residual]}, {DNNL_ARG_TO, dst}}});
            }
          } else {
            dst = memory(dmd, engine_);
          }
          Op op{
              dnnl::convolution_forward(pd),
              {{DNNL_ARG_SRC, value[in]},
               {DNNL_ARG_WEIGHTS, constant(memory::desc(wdims, memory::data_type::s8, g == 1 ? Tag::oihw : Tag::goihw),
                                           qc.weight.data(), pd.weights_desc())},
               {DNNL_ARG_DST, dst}}};
          if (!qc.bias.empty()) op.args[DNNL_ARG_BIAS] = constant(bmd, qc.bias.data(), bmd);
          ops_.push_back(std::move(op));
          value[i] = dst;
          if (prelu_next) {  // f32 PReLU in place with the dequantized int8 slopes, then quantized
            const int p = end;
            const Int8Step& st = *step_of.at(nodes[p].name);
            std::vector<float> slopes(static_cast<std::size_t>(o));
            for (int ch = 0; ch < o; ++ch) {
              const int8_t a = st.alpha[st.alpha.size() == 1 ? 0 : ch];
              slopes[ch] = st.alpha_params.scale * static_cast<float>(a - st.alpha_params.zero_point);
            }
            const memory::desc smd({1, o, 1, 1}, kF32, Tag::abcd);
            const dnnl::prelu_forward::primitive_desc ppd({dnnl::prop_kind::forward_inference, dmd, smd}, engine_);
            ops_.push_back(
                {dnnl::prelu_forward(ppd),
                 {{DNNL_ARG_SRC, dst}, {DNNL_ARG_WEIGHTS, constant(smd, slopes.data(), smd)}, {DNNL_ARG_DST, dst}}});
            value[p] = memory(s8_md(p), engine_);
            dnnl::primitive_attr qattr;
            qattr.set_zero_points(DNNL_ARG_DST, 0, {qout.zero_point});
            const dnnl::reorder::primitive_desc rpd(engine_, dmd, engine_, value[p].get_desc(), qattr);
            ops_.push_back({dnnl::reorder(rpd), {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, value[p]}}});
            head[p] = i;
          }
          break;
        }
        case OpKind::kPixelShuffle:
          if (!(params(n.inputs[0]) == q)) {
            return peer_unsupported_op(kEngine, n, "its output parameters differ from its input's");
          }
          value[i] = pixel_shuffle(value[n.inputs[0]], channels(i), n.scale, shapes[n.inputs[0]].extent(h),
                                   shapes[n.inputs[0]].extent(w));
          break;
        default:
          return peer_unsupported_op(kEngine, n,
                                     "not mapped in INT8 by this peer (a PReLU only after a conv it is "
                                     "the only reader of; relu, leaky_relu and adds fused into convs)");
      }
    }
    // Output 0: dequantized to f32 NHWC, clamped to [0, 1] where its parameters reach outside.
    const QuantParams q = params(out0);
    memory real(memory::desc(dims_of(out0), kF32, Tag::nhwc), engine_);
    dnnl::primitive_attr attr;
    attr.set_output_scales(0, {q.scale});
    attr.set_zero_points(DNNL_ARG_SRC, 0, {q.zero_point});
    const dnnl::reorder::primitive_desc pd(engine_, value[out0].get_desc(), engine_, real.get_desc(), attr);
    ops_.push_back({dnnl::reorder(pd), {{DNNL_ARG_FROM, value[out0]}, {DNNL_ARG_TO, real}}});
    if (q.scale * static_cast<float>(-128 - q.zero_point) < 0.0f ||
        q.scale * static_cast<float>(127 - q.zero_point) > 1.0f + 1e-6f) {
      const dnnl::eltwise_forward::primitive_desc cpd(
          {dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_clip, real.get_desc(), 0.0f, 1.0f}, engine_);
      ops_.push_back({dnnl::eltwise_forward(cpd), {{DNNL_ARG_SRC, real}, {DNNL_ARG_DST, real}}});
    }
    set_output0(real, channels(out0), shapes[out0].extent(h) * shapes[out0].extent(w), dims_of(out0));
  } catch (const dnnl::error& e) {
    const std::string why = std::string("oneDNN: ") + e.what();
    return e.status == dnnl_unimplemented ? unsupported(why) : internal_error(why);
  }
  return {};
}

void DnnlPeer::set_output0(const memory& out, int channels, int64_t plane, const Dims& dims) {
  out0_ = out;
  out0_channels_ = channels;
  out0_plane_ = static_cast<std::size_t>(plane);
  out0_nchw_ = memory(memory::desc(dims, kF32, Tag::nchw), engine_);
  out0_reorder_ = dnnl::reorder(out0_, out0_nchw_);
}

void DnnlPeer::convert_input(const PeerInput& input) {
  frame_floats_ = static_cast<std::size_t>(input.channels) * input.height * input.width;
  input_.resize(frame_floats_ * input.frames);
  nchw_to_nhwc(input.nchw, input_.data(), input.frames, input.channels, input.height, input.width);
}

void DnnlPeer::execute_all() {
  for (Op& op : ops_) op.prim.execute(stream_, op.args);
  stream_.wait();
}

Status DnnlPeer::run(const PeerFrameCallback& on_frame) {
  try {
    const auto emit = [&](int frame, int batch_index) {
      out0_reorder_.execute(stream_, out0_, out0_nchw_);
      stream_.wait();
      const float* all = static_cast<const float*>(out0_nchw_.get_data_handle());
      on_frame(frame, all + static_cast<std::size_t>(batch_index) * out0_channels_ * out0_plane_);
    };
    if (!recurrent_) {
      execute_all();
      if (on_frame) {
        for (int f = 0; f < batch_; ++f) emit(f, f);
      }
      return {};
    }
    for (int t = 0; t < frames_; ++t) {
      x_prev_.set_data_handle(input_.data() + static_cast<std::size_t>(std::max(t - 1, 0)) * frame_floats_);
      x_t_.set_data_handle(input_.data() + static_cast<std::size_t>(t) * frame_floats_);
      for (std::size_t j = 0; j < state_in_.size(); ++j)
        state_in_[j].set_data_handle(t == 0 ? zeros_.get_data_handle() : state_buffer_[j]);
      execute_all();
      if (on_frame) emit(t, 0);
    }
  } catch (const dnnl::error& e) {
    return internal_error(std::string("oneDNN: ") + e.what());
  }
  return {};
}

}  // namespace

std::string dnnl_version() {
  const dnnl_version_t* v = ::dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

Result<std::unique_ptr<GraphPeer>> create_dnnl_peer(const Graph& graph, const TensorMap& tensors,
                                                    const PeerInput& input, int threads) {
  auto peer = std::make_unique<DnnlPeer>();
  LITESR_RETURN_IF_ERROR(peer->build(graph, tensors, input, threads));
  return std::unique_ptr<GraphPeer>(std::move(peer));
}

bool dnnl_int8_keeps_weights() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41:
    case dnnl::cpu_isa::avx:
    case dnnl::cpu_isa::avx2:
    case dnnl::cpu_isa::avx512_mic:
    case dnnl::cpu_isa::avx512_mic_4ops:
    case dnnl::cpu_isa::avx512_core:
      return false;
    default:
      return true;
  }
}

Result<std::unique_ptr<GraphPeer>> create_dnnl_int8_peer(const Graph& graph, const TensorMap& tensors,
                                                         const ModelQuantization& quantization, const PeerInput& input,
                                                         int threads) {
  if (!dnnl_int8_keeps_weights()) {
    return unsupported(std::string(kEngine) +
                       " INT8 peer: this CPU has no VNNI, so oneDNN's int8 convolutions halve the model's s8 weights "
                       "(to keep vpmaddubsw's int16 sums from saturating) and compute another network");
  }
  LITESR_ASSIGN_OR_RETURN(const Int8Program int8, peer_int8_program(graph, tensors, quantization));
  auto peer = std::make_unique<DnnlPeer>();
  LITESR_RETURN_IF_ERROR(peer->build_int8(graph, tensors, int8, input, threads));
  return std::unique_ptr<GraphPeer>(std::move(peer));
}

}  // namespace litesr::peers
