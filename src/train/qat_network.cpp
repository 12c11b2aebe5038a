#include "train/qat_network.h"

#include <algorithm>
#include <cmath>

#include "calibration/calibrate.h"
#include "runtime/int8_program.h"

namespace litesr::train {

namespace {

constexpr char kRangeModule[] = "qat_ranges";

}  // namespace

bool QatNetwork::is_range_parameter(const std::string& name) {
  return name.rfind(std::string(kRangeModule) + ".", 0) == 0;
}

QatNetwork::Quantizer QatNetwork::quantizer(const QuantParams& calibrated, const std::string& key, bool learnable) {
  if (!learnable) return {calibrated, -1};
  LearnedRange r;
  r.key = key;
  r.lo0 = (-128.0 - calibrated.zero_point) * static_cast<double>(calibrated.scale);
  r.hi0 = (127.0 - calibrated.zero_point) * static_cast<double>(calibrated.scale);
  r.t = range_holder_->register_parameter("r" + std::to_string(ranges_.size()), torch::zeros({2}));
  ranges_.push_back(std::move(r));
  return {calibrated, static_cast<int>(ranges_.size()) - 1};
}

std::pair<torch::Tensor, torch::Tensor> QatNetwork::range_scale_and_zero_point(const LearnedRange& r) const {
  const double shift = kMaxRangeShift * (r.hi0 - r.lo0);
  const torch::Tensor lo = r.lo0 + shift * torch::tanh(r.t[0]);
  const torch::Tensor hi = r.hi0 + shift * torch::tanh(r.t[1]);
  const torch::Tensor scale = (hi - lo) / 255.0;  // at least (1 − 2·kMaxRangeShift) of the calibrated scale
  return {scale.reshape({1}), (-128.0 - lo / scale).reshape({1})};
}

torch::Tensor QatNetwork::fake_quantize(const torch::Tensor& x, const Quantizer& q) const {
  if (q.range < 0) return torch::fake_quantize_per_tensor_affine(x, q.fixed.scale, q.fixed.zero_point, -128, 127);
  const auto [scale, zero_point] = range_scale_and_zero_point(ranges_[q.range]);
  return at::_fake_quantize_learnable_per_tensor_affine(x, scale, zero_point, -128, 127, 1.0);
}

ModelQuantization QatNetwork::quantization() const {
  ModelQuantization q = quantization_;
  if (ranges_.empty()) return q;
  torch::NoGradGuard no_grad;
  std::vector<QuantParams> learned;
  for (const LearnedRange& r : ranges_) {
    const auto [scale, zero_point] = range_scale_and_zero_point(r);
    // As the fake quantization rounds it (to nearest, ties to even) and clamps it.
    const float zp = std::clamp(std::nearbyint(zero_point.item<float>()), -128.0f, 127.0f);
    learned.push_back(QuantParams{scale.item<float>(), static_cast<int32_t>(zp)});
    q.activations[r.key] = learned.back();
  }
  for (std::size_t i = 0; i < output_params_.size(); ++i) {
    if (output_params_[i].range >= 0) q.activations[ops_.graph().nodes[i].name] = learned[output_params_[i].range];
  }
  return q;
}

QatNetwork::QatNetwork(const ModelConfig& config, const Graph& graph, const ModelQuantization& quantization)
    : config_(config), quantization_(quantization), ops_(graph) {}

Result<std::shared_ptr<QatNetwork>> QatNetwork::create(const ModelConfig& config, const ModelQuantization& quantization,
                                                       const TensorMap& tensors, bool learn_ranges) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, config_graph(config));
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  const bool recurrent = graph.inputs.size() >= 2;
  if (recurrent ? graph.outputs.size() + 1 != graph.inputs.size() : graph.outputs.size() != 1) {
    return unsupported("quantization-aware training: " + graph.arch +
                       " is neither a one-input network nor a recurrent step (x_prev, x_t, states -> frame, states')");
  }
  std::shared_ptr<QatNetwork> net(new QatNetwork(config, graph, quantization));
  net->frames_ = std::max(graph.input_frames, 1);
  net->frame_channels_ = frame_channels(graph);
  if (recurrent) {
    LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
    for (std::size_t i = 2; i < graph.inputs.size(); ++i)
      net->state_channels_.push_back(shapes[graph.inputs[i]].channels);
  }
  // Learned ranges: the calibrated ones (their roots), each one trainable pair shared by the steps tied to it.
  const std::vector<ActivationSource> sources = activation_sources(graph.nodes, graph.inputs, graph.outputs);
  std::vector<int> range_of_root(graph.nodes.size(), -1);
  if (learn_ranges) net->range_holder_ = net->register_module(kRangeModule, std::make_shared<torch::nn::Module>());
  for (const Node& n : graph.nodes) {
    const bool se = n.op == OpKind::kSqueezeExcite;
    if (!has_int8_form(n.op) || (se && (n.se_pool != SePool::kMean || n.se_gate != SeGate::kHardSigmoid))) {
      return unsupported("quantization-aware training: node '" + n.name + "' (" + std::string(op_kind_name(n.op)) +
                         ") has no INT8 form");
    }
    const auto it = quantization.activations.find(n.name);
    if (it == quantization.activations.end()) {
      return unsupported("quantization-aware training: node '" + n.name +
                         "' has no INT8 parameters (the model's compiled program renames it)");
    }
    const int id = static_cast<int>(net->output_params_.size());
    const int root = activation_root(sources, id);
    const bool learnable = learn_ranges && sources[root].kind == ActivationSource::Kind::kCalibrated;
    if (learnable && range_of_root[root] < 0) {
      const auto root_params = quantization.activations.find(graph.nodes[root].name);
      if (root_params == quantization.activations.end()) {
        return unsupported("quantization-aware training: node '" + graph.nodes[root].name + "' has no INT8 parameters");
      }
      range_of_root[root] = net->quantizer(root_params->second, graph.nodes[root].name, true).range;
    }
    net->output_params_.push_back({it->second, learnable ? range_of_root[root] : -1});
    std::vector<Quantizer> internal;  // a squeeze-excite's pooled and hidden values, then its gate
    Step step;
    step.node = n;
    for (const std::string& key : int8_internal_activations(step)) {
      const auto found = quantization.activations.find(key);
      if (found == quantization.activations.end()) {
        return unsupported("quantization-aware training: '" + key + "' has no INT8 parameters");
      }
      internal.push_back(net->quantizer(found->second, key, learn_ranges));
    }
    if (se) internal.push_back({image_quant_params(), -1});  // the gate: the [0, 1] range of the INT8 form
    net->internal_params_.push_back(std::move(internal));
  }
  try {
    for (const Node& n : graph.nodes) {
      for (const std::string* name : {&n.weight, &n.bias, &n.weight2, &n.bias2}) {
        if (name->empty() || net->params_.count(*name) != 0) continue;
        const Tensor& t = tensors.at(*name);
        // "a.b.c": parameter c of module b inside module a, so named_parameters() gives the model-file name.
        torch::nn::Module* owner = net.get();
        std::string path;
        std::size_t begin = 0;
        for (std::size_t dot; (dot = name->find('.', begin)) != std::string::npos; begin = dot + 1) {
          const std::string part = name->substr(begin, dot - begin);
          path += (path.empty() ? "" : ".") + part;
          auto& holder = net->holders_[path];
          if (holder == nullptr) holder = owner->register_module(part, std::make_shared<torch::nn::Module>());
          owner = holder.get();
        }
        net->params_[*name] = owner->register_parameter(name->substr(begin), torch_tensor_copy(t));
      }
    }
  } catch (const c10::Error& e) {
    return internal_error(std::string("quantization-aware training: ") + e.what_without_backtrace());
  }
  return net;
}

torch::Tensor QatNetwork::parameter(const Node& node, const std::string& name) const {
  const torch::Tensor& w = params_.at(name);
  const bool se_weight = node.op == OpKind::kSqueezeExcite && (name == node.weight || name == node.weight2);
  if ((node.op == OpKind::kConv2d && name == node.weight) || se_weight) {  // per output channel (rows of an fc)
    const torch::Tensor amax = w.detach().abs().flatten(1).amax(1);
    const torch::Tensor scale = torch::where(amax > 0, amax / 127.0, torch::ones_like(amax));
    const torch::Tensor zero = torch::zeros({w.size(0)}, torch::kInt32);
    return torch::fake_quantize_per_channel_affine(w, scale, zero, 0, -127, 127);
  }
  if (node.op == OpKind::kPrelu) {
    const torch::Tensor lo = w.detach().min(), hi = w.detach().max();
    Result<QuantParams> p = activation_params_from_range(lo.item<float>(), hi.item<float>());
    if (!p.ok()) throw std::runtime_error("prelu '" + name + "': " + p.status().to_string());
    return fake_quantize(w, Quantizer{*p, -1});
  }
  return w;  // biases stay float
}

std::vector<torch::Tensor> QatNetwork::step(const std::vector<torch::Tensor>& inputs) {
  return ops_.forward(
      inputs, [this](const Node& n, const std::string& name) { return parameter(n, name); },
      [this](int id, const torch::Tensor& v) { return fake_quantize(v, output_params_[id]); },
      [this](int id, GraphForward::SeValue which, const torch::Tensor& v) {
        return fake_quantize(v, internal_params_[id][static_cast<int>(which)]);
      });
}

torch::Tensor QatNetwork::forward(const torch::Tensor& x) {
  const int64_t k = frame_channels_;
  TORCH_CHECK(x.dim() == 4 && x.size(1) % k == 0, "qat: input must be [B, K·T, h, w] with K = ", k, ", got ",
              x.sizes());
  if (frames_ == 1) return step({x})[0];
  const int64_t t_count = x.size(1) / k;  // training sequences may be shorter than the model's window
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  if (state_channels_.empty()) {  // frame-parallel: every frame alone
    const torch::Tensor y = step({x.reshape({b * t_count, k, h, w})})[0];
    return y.reshape({b, k * t_count, y.size(2), y.size(3)});
  }
  std::vector<torch::Tensor> states;
  for (int64_t c : state_channels_) states.push_back(torch::zeros({b, c, h, w}, x.options()));
  std::vector<torch::Tensor> frames;
  for (int64_t t = 0; t < t_count; ++t) {
    const torch::Tensor cur = x.narrow(1, k * t, k);
    std::vector<torch::Tensor> inputs{t == 0 ? cur : x.narrow(1, k * (t - 1), k), cur};
    inputs.insert(inputs.end(), states.begin(), states.end());
    std::vector<torch::Tensor> out = step(inputs);
    frames.push_back(out[0]);
    states.assign(out.begin() + 1, out.end());
  }
  return torch::cat(frames, 1);
}

}  // namespace litesr::train
