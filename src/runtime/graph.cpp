#include "runtime/graph.h"

#include <algorithm>
#include <set>

namespace litesr {

std::string_view op_kind_name(OpKind op) {
  switch (op) {
    case OpKind::kInput: return "input";
    case OpKind::kConv2d: return "conv2d";
    case OpKind::kConvTranspose2d: return "conv_transpose2d";
    case OpKind::kRelu: return "relu";
    case OpKind::kLeakyRelu: return "leaky_relu";
    case OpKind::kPrelu: return "prelu";
    case OpKind::kTanh: return "tanh";
    case OpKind::kBatchNorm: return "batch_norm";
    case OpKind::kSqueezeExcite: return "squeeze_excite";
    case OpKind::kAdd: return "add";
    case OpKind::kConcat: return "concat";
    case OpKind::kSlice: return "slice";
    case OpKind::kPixelShuffle: return "pixel_shuffle";
    case OpKind::kBicubicUpsample: return "bicubic_upsample";
    case OpKind::kSigmoid: return "sigmoid";
    case OpKind::kMul: return "mul";
    case OpKind::kMaxPool2d: return "max_pool2d";
    case OpKind::kBilinearUpsample: return "bilinear_upsample";
    case OpKind::kBilinearResize: return "bilinear_resize";
  }
  return "unknown";
}

namespace {

// Appends a size-reducing window to `shape` (a factor shape becomes a windowed one with factor 0).
void add_window(NodeShape& shape, const SizeWindow& w) {
  if (shape.windows.empty()) shape.base_factor = shape.factor;
  shape.factor = 0;
  shape.windows.push_back(w);
}

Status node_error(const Node& n, int id, const std::string& what) {
  return invalid_argument("graph node " + std::to_string(id) + " '" + n.name + "' (" +
                          std::string(op_kind_name(n.op)) + "): " + what);
}

// Expected shape of every tensor a node references, given its input channel count.
struct TensorUse {
  std::string name;
  std::vector<int64_t> shape;
  bool parameter;  // false: a buffer (BN running statistics)
};

std::vector<TensorUse> tensor_uses(const Node& n, int in_channels) {
  std::vector<TensorUse> uses;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, bool parameter = true) {
    if (!name.empty()) uses.push_back({name, std::move(shape), parameter});
  };
  const int64_t k = n.kernel;
  switch (n.op) {
    case OpKind::kConv2d:
      add(n.weight, {n.out_channels, in_channels / std::max(n.groups, 1), k, k});
      add(n.bias, {n.out_channels});
      break;
    case OpKind::kConvTranspose2d:
      add(n.weight, {in_channels, n.out_channels, k, k});
      add(n.bias, {n.out_channels});
      break;
    case OpKind::kPrelu:
      break;  // [C] or [1]: checked separately
    case OpKind::kBatchNorm:
      add(n.weight, {in_channels});
      add(n.bias, {in_channels});
      add(n.running_mean, {in_channels}, false);
      add(n.running_var, {in_channels}, false);
      break;
    case OpKind::kSqueezeExcite:
      if (n.se_conv_weights) {
        add(n.weight, {n.se_hidden, in_channels, 1, 1});
        add(n.weight2, {in_channels, n.se_hidden, 1, 1});
      } else {
        add(n.weight, {n.se_hidden, in_channels});
        add(n.weight2, {in_channels, n.se_hidden});
      }
      add(n.bias, {n.se_hidden});
      add(n.bias2, {in_channels});
      break;
    default:
      break;
  }
  return uses;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

}  // namespace

int frame_channels(const Graph& graph) {
  if (graph.inputs.empty()) return 0;
  return graph.nodes.at(graph.inputs.front()).channels;
}

std::string_view frame_color(const Graph& graph) {
  switch (frame_channels(graph)) {
    case 3: return "rgb";
    case 1: return "y";
    default: return "";
  }
}

Result<std::vector<NodeShape>> infer_shapes(const Graph& graph) {
  std::vector<NodeShape> shapes(graph.nodes.size());
  std::set<std::string> names;
  if (graph.inputs.empty()) return invalid_argument("graph has no inputs");
  if (graph.outputs.empty()) return invalid_argument("graph has no outputs");
  if (graph.scale < 1) return invalid_argument("graph scale must be >= 1");
  for (int id = 0; id < static_cast<int>(graph.nodes.size()); ++id) {
    const Node& n = graph.nodes[id];
    if (!names.insert(n.name).second) return node_error(n, id, "duplicate node name");
    for (int in : n.inputs) {
      if (in < 0 || in >= id) return node_error(n, id, "input " + std::to_string(in) + " is not an earlier node");
    }
    const std::size_t arity = n.inputs.size();
    const bool variadic = n.op == OpKind::kAdd || n.op == OpKind::kConcat;
    const bool binary = n.op == OpKind::kMul || n.op == OpKind::kBilinearResize;
    if (n.op == OpKind::kInput ? arity != 0 : variadic ? arity < 2 : binary ? arity != 2 : arity != 1) {
      return node_error(n, id, "wrong number of inputs (" + std::to_string(arity) + ")");
    }
    NodeShape in = arity > 0 ? shapes[n.inputs[0]] : NodeShape{};
    NodeShape& out = shapes[id];
    out = in;
    switch (n.op) {
      case OpKind::kInput:
        if (n.channels < 1) return node_error(n, id, "input needs channels >= 1");
        out = {n.channels, 1};
        break;
      case OpKind::kConv2d:
        if (n.out_channels < 1 || n.kernel < 1 || n.kernel % 2 == 0) {
          return node_error(n, id, "needs out_channels >= 1 and an odd kernel");
        }
        if (n.stride < 1 || n.padding < 0 || n.padding > n.kernel - 1) {
          return node_error(n, id, "needs stride >= 1 and 0 <= padding < kernel");
        }
        if (n.groups < 1 || in.channels % n.groups != 0 || n.out_channels % n.groups != 0) {
          return node_error(n, id, "groups must divide input and output channels");
        }
        if (n.weight.empty()) return node_error(n, id, "missing weight tensor name");
        out.channels = n.out_channels;
        if (n.stride != 1 || 2 * n.padding != n.kernel - 1) add_window(out, {n.kernel, n.stride, n.padding});
        break;
      case OpKind::kMaxPool2d:
        if (n.kernel < 1 || n.stride < 1 || n.padding < 0 || 2 * n.padding > n.kernel) {
          return node_error(n, id, "needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2");
        }
        if (n.stride != 1 || 2 * n.padding != n.kernel - 1) add_window(out, {n.kernel, n.stride, n.padding});
        break;
      case OpKind::kConvTranspose2d:
        if (n.out_channels < 1 || n.kernel < 1 || n.stride < 1 || n.padding < 0 || n.output_padding < 0 ||
            n.groups != 1) {
          return node_error(n, id, "invalid conv_transpose2d attributes");
        }
        if (n.kernel + n.output_padding != n.stride + 2 * n.padding) {
          return node_error(n, id, "kernel + output_padding must equal stride + 2*padding (output = stride x input)");
        }
        if (n.weight.empty()) return node_error(n, id, "missing weight tensor name");
        if (!in.windows.empty()) return node_error(n, id, "input size is not a multiple of the LR size");
        out = {n.out_channels, in.factor * n.stride};
        break;
      case OpKind::kRelu:
      case OpKind::kTanh:
      case OpKind::kSigmoid:
      case OpKind::kLeakyRelu:
        break;
      case OpKind::kMul:
        if (!shapes[n.inputs[1]].same_size(in)) return node_error(n, id, "inputs differ in size");
        if (shapes[n.inputs[1]].channels != in.channels && shapes[n.inputs[1]].channels != 1) {
          return node_error(n, id, "input 1 must have the channels of input 0, or 1 channel");
        }
        break;
      case OpKind::kBilinearResize: {
        const NodeShape& ref = shapes[n.inputs[1]];
        out = ref;
        out.channels = in.channels;
        break;
      }
      case OpKind::kPrelu:
        if (n.weight.empty()) return node_error(n, id, "missing weight tensor name");
        break;
      case OpKind::kBatchNorm:
        if (n.weight.empty() || n.bias.empty() || n.running_mean.empty() || n.running_var.empty()) {
          return node_error(n, id, "needs weight, bias, running_mean and running_var tensor names");
        }
        if (!(n.eps > 0.0f)) return node_error(n, id, "eps must be > 0");
        break;
      case OpKind::kSqueezeExcite:
        if (n.se_hidden < 1 || n.weight.empty() || n.weight2.empty()) {
          return node_error(n, id, "needs se_hidden >= 1 and fc1/fc2 weight names");
        }
        break;
      case OpKind::kAdd:
        for (int i : n.inputs) {
          if (shapes[i].channels != in.channels || !shapes[i].same_size(in)) {
            return node_error(n, id, "inputs differ in channels or size");
          }
        }
        break;
      case OpKind::kConcat:
        out.channels = 0;
        for (int i : n.inputs) {
          if (!shapes[i].same_size(in)) return node_error(n, id, "inputs differ in size");
          out.channels += shapes[i].channels;
        }
        break;
      case OpKind::kSlice:
        if (n.begin < 0 || n.end <= n.begin || n.end > in.channels) {
          return node_error(n, id, "channel range outside the input");
        }
        out.channels = n.end - n.begin;
        break;
      case OpKind::kPixelShuffle:
        if (n.scale < 1 || in.channels % (n.scale * n.scale) != 0) {
          return node_error(n, id, "input channels must be a multiple of scale^2");
        }
        if (!in.windows.empty()) return node_error(n, id, "input size is not a multiple of the LR size");
        out = {in.channels / (n.scale * n.scale), in.factor * n.scale};
        break;
      case OpKind::kBicubicUpsample:
      case OpKind::kBilinearUpsample:
        if (n.scale < 1) return node_error(n, id, "scale must be >= 1");
        if (!in.windows.empty()) return node_error(n, id, "input size is not a multiple of the LR size");
        out.factor = in.factor * n.scale;
        break;
    }
  }
  for (int id : graph.inputs) {
    if (id < 0 || id >= static_cast<int>(graph.nodes.size()) || graph.nodes[id].op != OpKind::kInput) {
      return invalid_argument("graph input " + std::to_string(id) + " is not an input node");
    }
  }
  for (int id = 0; id < static_cast<int>(graph.nodes.size()); ++id) {
    if (graph.nodes[id].op == OpKind::kInput &&
        std::find(graph.inputs.begin(), graph.inputs.end(), id) == graph.inputs.end()) {
      return node_error(graph.nodes[id], id, "input node not listed in graph.inputs");
    }
  }
  for (int id : graph.outputs) {
    if (id < 0 || id >= static_cast<int>(graph.nodes.size())) {
      return invalid_argument("graph output " + std::to_string(id) + " does not exist");
    }
  }
  return shapes;
}

Status validate_graph(const Graph& graph, const TensorMap& tensors) {
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  for (int id = 0; id < static_cast<int>(graph.nodes.size()); ++id) {
    const Node& n = graph.nodes[id];
    const int in_channels = n.inputs.empty() ? 0 : shapes[n.inputs[0]].channels;
    for (const TensorUse& use : tensor_uses(n, in_channels)) {
      const auto it = tensors.find(use.name);
      if (it == tensors.end()) return node_error(n, id, "tensor '" + use.name + "' missing from the model");
      if (it->second.shape != use.shape) {
        return node_error(n, id, "tensor '" + use.name + "' has shape " + shape_string(it->second.shape) +
                                     ", expected " + shape_string(use.shape));
      }
      if (static_cast<int64_t>(it->second.data.size()) != it->second.numel()) {
        return node_error(n, id, "tensor '" + use.name + "' data does not match its shape");
      }
    }
    if (n.op == OpKind::kPrelu) {
      const auto it = tensors.find(n.weight);
      if (it == tensors.end()) return node_error(n, id, "tensor '" + n.weight + "' missing from the model");
      const auto& s = it->second.shape;
      if (s.size() != 1 || (s[0] != in_channels && s[0] != 1) ||
          static_cast<int64_t>(it->second.data.size()) != s[0]) {
        return node_error(n, id, "tensor '" + n.weight + "' must have shape [" + std::to_string(in_channels) + "] or [1]");
      }
    }
  }
  return {};
}

int64_t count_parameters(const Graph& graph, const TensorMap& tensors) {
  auto shapes = infer_shapes(graph);
  std::set<std::string> counted;
  int64_t total = 0;
  for (int id = 0; id < static_cast<int>(graph.nodes.size()); ++id) {
    const Node& n = graph.nodes[id];
    const int in_channels = n.inputs.empty() || !shapes.ok() ? 0 : (*shapes)[n.inputs[0]].channels;
    std::vector<TensorUse> uses = tensor_uses(n, in_channels);
    if (n.op == OpKind::kPrelu) uses.push_back({n.weight, {}, true});
    for (const TensorUse& use : uses) {
      if (!use.parameter || !counted.insert(use.name).second) continue;
      const auto it = tensors.find(use.name);
      if (it != tensors.end()) total += it->second.numel();
    }
  }
  return total;
}

Result<std::vector<TensorSpec>> expected_tensors(const Graph& graph) {
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  std::vector<TensorSpec> specs;
  std::set<std::string> seen;
  for (const Node& n : graph.nodes) {
    const int in_channels = n.inputs.empty() ? 0 : shapes[n.inputs[0]].channels;
    std::vector<TensorUse> uses = tensor_uses(n, in_channels);
    if (n.op == OpKind::kPrelu) uses.push_back({n.weight, {in_channels}, true});
    for (TensorUse& u : uses) {
      if (seen.insert(u.name).second) specs.push_back({u.name, std::move(u.shape), n.op, u.parameter});
    }
  }
  return specs;
}

GraphBuilder::GraphBuilder(std::string arch, int scale, int input_frames) {
  graph_.arch = std::move(arch);
  graph_.scale = scale;
  graph_.input_frames = input_frames;
}

int GraphBuilder::push(Node node) {
  if (node.name.empty()) {
    node.name = std::string(op_kind_name(node.op)) + "_" + std::to_string(graph_.nodes.size());
  }
  graph_.nodes.push_back(std::move(node));
  return static_cast<int>(graph_.nodes.size()) - 1;
}

int GraphBuilder::input(std::string name, int channels) {
  Node n;
  n.op = OpKind::kInput;
  n.name = std::move(name);
  n.channels = channels;
  const int id = push(std::move(n));
  graph_.inputs.push_back(id);
  return id;
}

int GraphBuilder::conv(int in, const std::string& prefix, int out_channels, int kernel, bool has_bias, int groups) {
  Node n;
  n.op = OpKind::kConv2d;
  n.name = prefix;
  n.inputs = {in};
  n.out_channels = out_channels;
  n.kernel = kernel;
  n.padding = (kernel - 1) / 2;
  n.groups = groups;
  n.weight = prefix + ".weight";
  if (has_bias) n.bias = prefix + ".bias";
  return push(std::move(n));
}

int GraphBuilder::conv_strided(int in, const std::string& prefix, int out_channels, int kernel, int stride,
                               int padding, bool has_bias) {
  const int id = conv(in, prefix, out_channels, kernel, has_bias);
  graph_.nodes[id].stride = stride;
  graph_.nodes[id].padding = padding;
  return id;
}

int GraphBuilder::conv_transpose(int in, const std::string& prefix, int out_channels, int kernel, int stride,
                                 int padding, int output_padding, bool has_bias) {
  Node n;
  n.op = OpKind::kConvTranspose2d;
  n.name = prefix;
  n.inputs = {in};
  n.out_channels = out_channels;
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  n.output_padding = output_padding;
  n.weight = prefix + ".weight";
  if (has_bias) n.bias = prefix + ".bias";
  return push(std::move(n));
}

namespace {
Node unary(OpKind op, int in, std::string name) {
  Node n;
  n.op = op;
  n.inputs = {in};
  n.name = std::move(name);
  return n;
}
}  // namespace

int GraphBuilder::relu(int in, std::string name) { return push(unary(OpKind::kRelu, in, std::move(name))); }
int GraphBuilder::tanh(int in, std::string name) { return push(unary(OpKind::kTanh, in, std::move(name))); }
int GraphBuilder::sigmoid(int in, std::string name) { return push(unary(OpKind::kSigmoid, in, std::move(name))); }
int GraphBuilder::leaky_relu(int in, float alpha, std::string name) {
  Node n = unary(OpKind::kLeakyRelu, in, std::move(name));
  n.alpha = alpha;
  return push(std::move(n));
}
int GraphBuilder::prelu(int in, const std::string& prefix) {
  Node n = unary(OpKind::kPrelu, in, prefix);
  n.weight = prefix + ".weight";
  return push(std::move(n));
}
int GraphBuilder::batch_norm(int in, const std::string& prefix, float eps) {
  Node n = unary(OpKind::kBatchNorm, in, prefix);
  n.eps = eps;
  n.weight = prefix + ".weight";
  n.bias = prefix + ".bias";
  n.running_mean = prefix + ".running_mean";
  n.running_var = prefix + ".running_var";
  return push(std::move(n));
}
int GraphBuilder::squeeze_excite(int in, const std::string& prefix, int hidden, SeGate gate, bool has_bias) {
  Node n = unary(OpKind::kSqueezeExcite, in, prefix);
  n.se_hidden = hidden;
  n.se_gate = gate;
  n.weight = prefix + ".fc1.weight";
  n.weight2 = prefix + ".fc2.weight";
  if (has_bias) {
    n.bias = prefix + ".fc1.bias";
    n.bias2 = prefix + ".fc2.bias";
  }
  return push(std::move(n));
}
int GraphBuilder::channel_attention(int in, std::string name, const std::string& fc1, const std::string& fc2,
                                    int hidden, SePool pool, SeGate gate) {
  Node n = unary(OpKind::kSqueezeExcite, in, std::move(name));
  n.se_hidden = hidden;
  n.se_gate = gate;
  n.se_pool = pool;
  n.se_conv_weights = true;
  n.weight = fc1 + ".weight";
  n.bias = fc1 + ".bias";
  n.weight2 = fc2 + ".weight";
  n.bias2 = fc2 + ".bias";
  return push(std::move(n));
}
int GraphBuilder::mul(int a, int b, std::string name) {
  Node n;
  n.op = OpKind::kMul;
  n.inputs = {a, b};
  n.name = std::move(name);
  return push(std::move(n));
}
int GraphBuilder::max_pool(int in, int kernel, int stride, int padding, std::string name) {
  Node n = unary(OpKind::kMaxPool2d, in, std::move(name));
  n.kernel = kernel;
  n.stride = stride;
  n.padding = padding;
  return push(std::move(n));
}
int GraphBuilder::bilinear_upsample(int in, int scale, std::string name) {
  Node n = unary(OpKind::kBilinearUpsample, in, std::move(name));
  n.scale = scale;
  return push(std::move(n));
}
int GraphBuilder::bilinear_resize(int in, int size_like, std::string name) {
  Node n;
  n.op = OpKind::kBilinearResize;
  n.inputs = {in, size_like};
  n.name = std::move(name);
  return push(std::move(n));
}
int GraphBuilder::add(std::vector<int> ins, std::string name) {
  Node n;
  n.op = OpKind::kAdd;
  n.inputs = std::move(ins);
  n.name = std::move(name);
  return push(std::move(n));
}
int GraphBuilder::concat(std::vector<int> ins, std::string name) {
  Node n;
  n.op = OpKind::kConcat;
  n.inputs = std::move(ins);
  n.name = std::move(name);
  return push(std::move(n));
}
int GraphBuilder::slice(int in, int begin, int end, std::string name) {
  Node n = unary(OpKind::kSlice, in, std::move(name));
  n.begin = begin;
  n.end = end;
  return push(std::move(n));
}
int GraphBuilder::pixel_shuffle(int in, int scale, std::string name) {
  Node n = unary(OpKind::kPixelShuffle, in, std::move(name));
  n.scale = scale;
  return push(std::move(n));
}
int GraphBuilder::bicubic_upsample(int in, int scale, BicubicKind kind, std::string name) {
  Node n = unary(OpKind::kBicubicUpsample, in, std::move(name));
  n.scale = scale;
  n.bicubic = kind;
  return push(std::move(n));
}
void GraphBuilder::output(int node) { graph_.outputs.push_back(node); }

}  // namespace litesr
