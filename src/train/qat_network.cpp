#include "train/qat_network.h"

#include <algorithm>

#include "runtime/int8_program.h"

namespace litesr::train {

namespace {

torch::Tensor fake_quantize(const torch::Tensor& x, QuantParams p) {
  return torch::fake_quantize_per_tensor_affine(x, p.scale, p.zero_point, -128, 127);
}

}  // namespace

QatNetwork::QatNetwork(const ModelConfig& config, const Graph& graph, const ModelQuantization& quantization)
    : config_(config), quantization_(quantization), ops_(graph) {}

Result<std::shared_ptr<QatNetwork>> QatNetwork::create(const ModelConfig& config, const ModelQuantization& quantization,
                                                       const TensorMap& tensors) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, config_graph(config));
  LITESR_RETURN_IF_ERROR(validate_graph(graph, tensors));
  if (graph.inputs.size() != 1 || graph.outputs.size() != 1) {
    return unsupported("quantization-aware training: " + graph.arch + " is not a one-frame network");
  }
  std::shared_ptr<QatNetwork> net(new QatNetwork(config, graph, quantization));
  for (const Node& n : graph.nodes) {
    if (!has_int8_form(n.op)) {
      return unsupported("quantization-aware training: node '" + n.name + "' (" + std::string(op_kind_name(n.op)) +
                         ") has no INT8 form");
    }
    const auto it = quantization.activations.find(n.name);
    if (it == quantization.activations.end()) {
      return unsupported("quantization-aware training: node '" + n.name +
                         "' has no INT8 parameters (the model's compiled program renames it)");
    }
    net->output_params_.push_back(it->second);
  }
  try {
    for (const Node& n : graph.nodes) {
      for (const std::string* name : {&n.weight, &n.bias}) {
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
  if (node.op == OpKind::kConv2d && name == node.weight) {
    const torch::Tensor amax = w.detach().abs().flatten(1).amax(1);
    const torch::Tensor scale = torch::where(amax > 0, amax / 127.0, torch::ones_like(amax));
    const torch::Tensor zero = torch::zeros({w.size(0)}, torch::kInt32);
    return torch::fake_quantize_per_channel_affine(w, scale, zero, 0, -127, 127);
  }
  if (node.op == OpKind::kPrelu) {
    const torch::Tensor lo = w.detach().min(), hi = w.detach().max();
    Result<QuantParams> p = activation_params_from_range(lo.item<float>(), hi.item<float>());
    if (!p.ok()) throw std::runtime_error("prelu '" + name + "': " + p.status().to_string());
    return fake_quantize(w, *p);
  }
  return w;  // biases stay float
}

torch::Tensor QatNetwork::forward(const torch::Tensor& x) {
  return ops_.forward(
      {x}, [this](const Node& n, const std::string& name) { return parameter(n, name); },
      [this](int id, const torch::Tensor& v) { return fake_quantize(v, output_params_[id]); })[0];
}

}  // namespace litesr::train
