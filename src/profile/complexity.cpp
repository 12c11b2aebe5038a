#include "profile/complexity.h"

#include <map>
#include <set>

#include "profile/memory_plan.h"

namespace litesr {

namespace {

// Checked int64 arithmetic: counts for absurd sizes fail cleanly instead of wrapping.
class Counter {
 public:
  int64_t mul(std::initializer_list<int64_t> factors) {
    int64_t r = 1;
    for (int64_t f : factors) {
      if (__builtin_mul_overflow(r, f, &r)) overflow_ = true;
    }
    return r;
  }
  void add(int64_t& total, int64_t v) {
    if (__builtin_add_overflow(total, v, &total)) overflow_ = true;
  }
  bool overflow() const { return overflow_; }

 private:
  bool overflow_ = false;
};

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace

Result<ComplexityReport> profile_complexity(const Graph& graph, const TensorMap& tensors,
                                            const ComplexityOptions& options) {
  if (options.input_width < 1 || options.input_height < 1) {
    return invalid_argument("profile: input size must be positive");
  }
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  // Implied parameter sizes (PReLU: one slope per channel), used where `tensors` lacks a tensor.
  LITESR_ASSIGN_OR_RETURN(const std::vector<TensorSpec> specs, expected_tensors(graph));
  std::map<std::string, int64_t> implied;
  for (const TensorSpec& spec : specs) {
    if (spec.parameter) implied.emplace(spec.name, numel(spec.shape));
  }
  const CountingRules rules = counting_rules(options.convention);
  const int64_t in_h = options.input_height;
  const int64_t in_w = options.input_width;

  ComplexityReport report;
  report.arch = graph.arch;
  report.scale = graph.scale;
  report.input_frames = graph.input_frames;
  report.convention = options.convention;
  report.input_width = options.input_width;
  report.input_height = options.input_height;
  const NodeShape& out_shape = shapes[graph.outputs.front()];
  report.output_width = static_cast<int>(out_shape.extent(in_w));
  report.output_height = static_cast<int>(out_shape.extent(in_h));

  Counter ck;
  std::set<std::string> counted_params;
  report.layers.reserve(graph.nodes.size());
  for (int id = 0; id < static_cast<int>(graph.nodes.size()); ++id) {
    const Node& n = graph.nodes[id];
    const NodeShape& s = shapes[id];
    const NodeShape in = n.inputs.empty() ? NodeShape{} : shapes[n.inputs[0]];
    LayerComplexity layer;
    layer.node = id;
    layer.name = n.name;
    layer.op = n.op;
    layer.channels = s.channels;
    layer.height = static_cast<int>(s.extent(in_h));
    layer.width = static_cast<int>(s.extent(in_w));
    const int64_t out_pixels = ck.mul({s.extent(in_h), s.extent(in_w)});
    const int64_t out_elements = ck.mul({s.channels, out_pixels});
    const int64_t in_pixels = ck.mul({in.extent(in_h), in.extent(in_w)});
    const int64_t in_elements = ck.mul({in.channels, in_pixels});
    const int64_t k2 = static_cast<int64_t>(n.kernel) * n.kernel;
    const bool has_bias = !n.bias.empty();

    for (const std::string* name : {&n.weight, &n.bias, &n.weight2, &n.bias2}) {
      const auto spec = implied.find(*name);
      if (name->empty() || spec == implied.end()) continue;      // absent, or a buffer
      if (!counted_params.insert(*name).second) continue;        // shared tensor: counted once
      const auto it = tensors.find(*name);
      ck.add(layer.params, it != tensors.end() ? it->second.numel() : spec->second);
    }

    int64_t ops = 0;
    switch (n.op) {
      case OpKind::kInput:
        break;
      case OpKind::kConv2d: {
        const int64_t per_pixel = ck.mul({k2, in.channels / std::max(n.groups, 1), n.out_channels});
        ck.add(ops, ck.mul({per_pixel, out_pixels}));
        if (rules.conv_bias && has_bias) ck.add(ops, out_elements);
        layer.activations = out_elements;
        break;
      }
      case OpKind::kConvTranspose2d: {
        const int64_t per_pixel = ck.mul({k2, in.channels, n.out_channels});
        ck.add(ops, ck.mul({per_pixel, rules.transposed_conv_per_output ? out_pixels : in_pixels}));
        if (rules.conv_bias && has_bias) ck.add(ops, out_elements);
        layer.activations = out_elements;
        break;
      }
      case OpKind::kRelu:
      case OpKind::kLeakyRelu:
      case OpKind::kPrelu:
        if (rules.activations) ops = out_elements;
        break;
      case OpKind::kTanh:
      case OpKind::kSigmoid:
        break;  // neither counter hooks Tanh / Sigmoid
      case OpKind::kBatchNorm:
        ops = ck.mul({rules.batch_norm_ops, out_elements});
        break;
      case OpKind::kSqueezeExcite: {
        const int64_t c = in.channels;
        const int64_t h = n.se_hidden;
        if (rules.pooling) ck.add(ops, out_elements);  // global pool (mean, or IMDN's mean + std) reads C·H·W
        if (rules.linear) ck.add(ops, 2 * c * h);      // fc1 C->h, fc2 h->C
        if (rules.linear && rules.conv_bias) {
          if (!n.bias.empty()) ck.add(ops, h);
          if (!n.bias2.empty()) ck.add(ops, c);
        }
        if (rules.activations) ck.add(ops, h);  // ReLU between the fc layers
        if (n.se_conv_weights) {
          // The reference writes the fc layers as 1x1 Conv2d on a 1x1 map (IMDN's CCA): the activation
          // counter sees their outputs.
          layer.activations = h + c;
          report.conv_layers += 2;
        }
        break;
      }
      case OpKind::kMaxPool2d:
        if (rules.pooling) ops = in_elements;  // ptflops pooling hook: input elements
        break;
      case OpKind::kBilinearUpsample:
      case OpKind::kBilinearResize:
      case OpKind::kBicubicUpsample:
        if (rules.upsampling) ops = out_elements;
        break;
      case OpKind::kAdd:
      case OpKind::kMul:
      case OpKind::kConcat:
      case OpKind::kSlice:
      case OpKind::kPixelShuffle:
        break;  // data movement / elementwise add: charged by none of the counters
    }
    layer.macs = ops;
    ck.add(report.params, layer.params);
    ck.add(report.macs, layer.macs);
    ck.add(report.activations, layer.activations);
    if (n.op == OpKind::kConv2d || n.op == OpKind::kConvTranspose2d) ++report.conv_layers;
    report.layers.push_back(std::move(layer));
  }
  report.flops = ck.mul({2, report.macs});
  if (ck.overflow()) return resource_exhausted("profile: counts overflow int64 at this input size");

  LITESR_ASSIGN_OR_RETURN(const MemoryPlan plan,
                          plan_memory(graph, shapes, options.input_width, options.input_height));
  report.peak_memory_bytes = plan.peak_bytes;
  return report;
}

Result<ImageSize> input_size_for_output(ImageSize output, int scale) {
  if (scale < 1) return invalid_argument("scale must be >= 1");
  if (output.width < 1 || output.height < 1) return invalid_argument("output size must be positive");
  if (output.width % scale != 0 || output.height % scale != 0) {
    return invalid_argument("output size " + std::to_string(output.width) + "x" + std::to_string(output.height) +
                            " is not a multiple of the scale " + std::to_string(scale));
  }
  return ImageSize{output.width / scale, output.height / scale};
}

}  // namespace litesr
