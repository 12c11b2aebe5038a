#include "export/tflite_int8_interpreter.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "quant/reference_ops.h"

namespace litesr::testing {
namespace {

namespace tf = tflite_format;
namespace fb = flatbuffers;
using TableVector = fb::Vector<fb::Offset<fb::Table>>;
using Op = tf::BuiltinOperator;

std::vector<int32_t> ints(const fb::Table* t, fb::voffset_t field) {
  const auto* v = t->GetPointer<const fb::Vector<int32_t>*>(field);
  return v ? std::vector<int32_t>(v->begin(), v->end()) : std::vector<int32_t>{};
}

// An int8 activation: NHWC values (row-major over `shape`) and per-tensor parameters.
struct Value {
  std::vector<int32_t> shape;
  std::vector<int8_t> data;
  QuantParams params;
};

std::size_t numel(const std::vector<int32_t>& shape) {
  std::size_t n = 1;
  for (int32_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

Result<QuantParams> per_tensor(const TfliteFileTensor& t) {
  if (t.type != tf::TensorType::kInt8 || t.scale.size() != 1 || t.zero_point.size() != 1) {
    return invalid_argument("tensor '" + t.name + "' is not a per-tensor int8 tensor");
  }
  const QuantParams p{t.scale[0], static_cast<int32_t>(t.zero_point[0])};
  LITESR_RETURN_IF_ERROR(check_int8_params(p, t.name));
  return p;
}

template <typename T>
std::vector<T> constant(const TfliteFileTensor& t) {
  std::vector<T> v(t.data.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), t.data.data(), v.size() * sizeof(T));
  return v;
}

// TFLite's activations.cc (RELU, PRELU Prepare) forms these multipliers from float scales in float arithmetic and
// only then widens to double for QuantizeMultiplier.
QuantizedMultiplier tflite_float_multiplier(float real) { return quantize_multiplier(static_cast<double>(real)); }

// Data movement keeps the bytes: TFLite's int8 kernels for it require equal parameters.
Status same_params(const Value& in, QuantParams out, const std::string& op) {
  if (!(in.params == out)) return invalid_argument(op + ": input and output parameters differ (TFLite copies bytes)");
  return Status();
}

// TFLite CONV_2D / DEPTHWISE_CONV_2D int8 per channel (reference_integer_ops::ConvPerChannel /
// DepthwiseConvPerChannel) for SAME or VALID padding and stride 1, straight from the file's OHWI / [1, k, k, O]
// filter.
Result<Value> conv(const TfliteFile& f, const TfliteFileOp& op, const Value& x, bool depthwise) {
  const TfliteFileTensor& ft = f.tensors[op.inputs[1]];
  const TfliteFileTensor& bt = f.tensors[op.inputs[2]];
  const TfliteFileTensor& ot = f.tensors[op.outputs[0]];
  const bool same = op.padding == static_cast<int8_t>(tf::Padding::kSame);
  if ((!same && op.padding != static_cast<int8_t>(tf::Padding::kValid)) || op.stride_w != 1 || op.stride_h != 1) {
    return unsupported("conv: only SAME or VALID padding with stride 1 is interpreted");
  }
  if (ft.type != tf::TensorType::kInt8 || bt.type != tf::TensorType::kInt32) {
    return invalid_argument("conv: filter must be int8 and bias int32");
  }
  LITESR_ASSIGN_OR_RETURN(const QuantParams out_p, per_tensor(ot));
  const int32_t h = x.shape[1], w = x.shape[2], c = x.shape[3];
  const int32_t o = depthwise ? ft.shape[3] : ft.shape[0], k = ft.shape[1];
  const int32_t m = depthwise ? op.depth_multiplier : 1;
  if (depthwise ? (ft.shape[0] != 1 || o != c * m) : ft.shape[3] != c) {
    return invalid_argument("conv: filter shape does not fit the input channels");
  }
  // Per-axis symmetric filter scales along the output-channel axis; biases at input scale · filter scale.
  if (ft.dimension != (depthwise ? 3 : 0) || static_cast<int32_t>(ft.scale.size()) != o ||
      std::any_of(ft.zero_point.begin(), ft.zero_point.end(), [](int64_t z) { return z != 0; })) {
    return invalid_argument("conv: filter quantization is not per output channel with zero points 0");
  }
  if (static_cast<int32_t>(bt.scale.size()) != o) return invalid_argument("conv: bias needs one scale per channel");
  for (int32_t oc = 0; oc < o; ++oc) {
    const double product = static_cast<double>(x.params.scale) * ft.scale[oc];
    if (std::abs(bt.scale[oc] - product) > 1e-6 * product) {
      return invalid_argument("conv: bias scale is not input scale · filter scale");
    }
  }
  LITESR_ASSIGN_OR_RETURN(const std::vector<QuantizedMultiplier> multipliers,
                          conv2d_output_multipliers(x.params.scale, ft.scale, out_p.scale));
  const FusedActivation act = op.fused_activation == static_cast<int8_t>(tf::Activation::kRelu) ? FusedActivation::kRelu
                              : op.fused_activation == static_cast<int8_t>(tf::Activation::kNone)
                                  ? FusedActivation::kNone
                                  : FusedActivation::kRelu6;
  LITESR_ASSIGN_OR_RETURN(const ActivationRange range, activation_range(act, out_p));
  const std::vector<int8_t> filter = constant<int8_t>(ft);
  const std::vector<int32_t> bias = constant<int32_t>(bt);
  const int32_t pad = same ? (k - 1) / 2 : 0;
  const int32_t oh = same ? h : h - k + 1, ow = same ? w : w - k + 1;
  if (oh < 1 || ow < 1) return invalid_argument("conv: VALID filter larger than the input");
  Value out{{1, oh, ow, o}, std::vector<int8_t>(static_cast<std::size_t>(oh) * ow * o), out_p};
  for (int32_t y = 0; y < oh; ++y) {
    for (int32_t xx = 0; xx < ow; ++xx) {
      for (int32_t oc = 0; oc < o; ++oc) {
        int32_t acc = bias[oc];
        for (int32_t ky = 0; ky < k; ++ky) {
          for (int32_t kx = 0; kx < k; ++kx) {
            const int32_t iy = y + ky - pad, ix = xx + kx - pad;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // padding: the zero point, term 0
            const int8_t* in = x.data.data() + (static_cast<std::size_t>(iy) * w + ix) * c;
            if (depthwise) {
              acc += filter[(static_cast<std::size_t>(ky) * k + kx) * o + oc] * (in[oc / m] - x.params.zero_point);
            } else {
              const int8_t* f = filter.data() + ((static_cast<std::size_t>(oc) * k + ky) * k + kx) * c;
              for (int32_t ic = 0; ic < c; ++ic) acc += f[ic] * (in[ic] - x.params.zero_point);
            }
          }
        }
        out.data[(static_cast<std::size_t>(y) * ow + xx) * o + oc] =
            requantize_accumulator(acc, multipliers[oc], out_p.zero_point, range);
      }
    }
  }
  return out;
}

// A 4-D permutation of NHWC data (TFLite TRANSPOSE).
Value transpose(const Value& x, const std::vector<int32_t>& perm) {
  const std::vector<int32_t>& s = x.shape;
  Value out{{s[perm[0]], s[perm[1]], s[perm[2]], s[perm[3]]}, std::vector<int8_t>(x.data.size()), x.params};
  const std::array<std::size_t, 4> stride{static_cast<std::size_t>(s[1]) * s[2] * s[3],
                                          static_cast<std::size_t>(s[2]) * s[3], static_cast<std::size_t>(s[3]), 1};
  std::size_t i = 0;
  for (int32_t a = 0; a < out.shape[0]; ++a) {
    for (int32_t b = 0; b < out.shape[1]; ++b) {
      for (int32_t c = 0; c < out.shape[2]; ++c) {
        for (int32_t d = 0; d < out.shape[3]; ++d) {
          out.data[i++] = x.data[a * stride[perm[0]] + b * stride[perm[1]] + c * stride[perm[2]] + d * stride[perm[3]]];
        }
      }
    }
  }
  return out;
}

Result<Value> run_op(const TfliteFile& f, const TfliteFileOp& op, const std::vector<Value>& values,
                     const std::vector<bool>& have) {
  auto input = [&](std::size_t k) -> Result<const Value*> {
    const int32_t id = op.inputs[k];
    if (!have[id]) return invalid_argument("operator input '" + f.tensors[id].name + "' is not computed yet");
    return &values[id];
  };
  const TfliteFileTensor& ot = f.tensors[op.outputs[0]];
  LITESR_ASSIGN_OR_RETURN(const QuantParams out_p, per_tensor(ot));
  LITESR_ASSIGN_OR_RETURN(const Value* x, input(0));
  Value out{ot.shape, std::vector<int8_t>(numel(ot.shape)), out_p};
  auto elementwise = [&](auto fn) {
    if (x->data.size() != out.data.size()) return invalid_argument("element-wise op changes the size");
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = fn(i, x->data[i]);
    return Status();
  };
  switch (static_cast<Op>(op.code)) {
    case Op::kConv2d:
      return conv(f, op, *x, false);
    case Op::kDepthwiseConv2d:
      return conv(f, op, *x, true);
    case Op::kRelu: {  // TFLite RELU int8 (activations.cc): clamp(zp_out + MBQM(q − zp_in, M), zp_out, 127)
      const QuantizedMultiplier m = tflite_float_multiplier(x->params.scale / out_p.scale);
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t, int8_t q) {
        const int32_t v = out_p.zero_point + multiply_by_quantized_multiplier(q - x->params.zero_point, m);
        return static_cast<int8_t>(std::clamp(v, out_p.zero_point, kInt8Max));
      }));
      return out;
    }
    case Op::kLeakyRelu: {
      LITESR_ASSIGN_OR_RETURN(const LeakyReluParams p, make_leaky_relu_params(x->params, op.alpha, out_p));
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t, int8_t q) { return leaky_relu_int8_element(q, p); }));
      return out;
    }
    case Op::kPrelu: {  // slopes [1, 1, C] or [1, 1, 1], broadcast over the channels
      const TfliteFileTensor& at = f.tensors[op.inputs[1]];
      LITESR_ASSIGN_OR_RETURN(const QuantParams alpha_p, per_tensor(at));
      const std::vector<int8_t> alpha = constant<int8_t>(at);
      const std::size_t c = static_cast<std::size_t>(x->shape[3]);
      if (alpha.size() != c && alpha.size() != 1) return invalid_argument("PRELU: slopes do not broadcast");
      // TFLite PRELU int8 (reference_ops::BroadcastPrelu4DSlow; activations.cc PreluPrepare)
      const QuantizedMultiplier m1 = tflite_float_multiplier(x->params.scale / out_p.scale);
      const QuantizedMultiplier m2 = tflite_float_multiplier(x->params.scale * alpha_p.scale / out_p.scale);
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t i, int8_t q) {
        const int32_t v = q - x->params.zero_point;
        const int32_t a = alpha[alpha.size() == 1 ? 0 : i % c] - alpha_p.zero_point;
        const int32_t r =
            v >= 0 ? multiply_by_quantized_multiplier(v, m1) : multiply_by_quantized_multiplier(v * a, m2);
        return static_cast<int8_t>(std::clamp(out_p.zero_point + r, kInt8Min, kInt8Max));
      }));
      return out;
    }
    case Op::kTanh:
    case Op::kLogistic: {
      const bool logistic = op.code == static_cast<int32_t>(Op::kLogistic);
      if (logistic && !(out_p == kSigmoidOutputParams)) {
        return invalid_argument("LOGISTIC: int8 output must be 1/256, -128");
      }
      LITESR_ASSIGN_OR_RETURN(const LookupTable table,
                              make_lookup_table(
                                  x->params, out_p, logistic ? sigmoid_float : +[](float v) { return std::tanh(v); }));
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t, int8_t q) { return lookup(table, q); }));
      return out;
    }
    case Op::kAdd: {
      LITESR_ASSIGN_OR_RETURN(const Value* y, input(1));
      if (y->shape != x->shape) return unsupported("ADD: broadcasting is not interpreted");
      LITESR_ASSIGN_OR_RETURN(const AddParams p, make_add_params(x->params, y->params, out_p));
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t i, int8_t q) { return add_int8_element(q, y->data[i], p); }));
      return out;
    }
    case Op::kQuantize: {
      LITESR_ASSIGN_OR_RETURN(const RequantizeParams p, make_requantize_params(x->params, out_p));
      LITESR_RETURN_IF_ERROR(elementwise([&](std::size_t, int8_t q) { return requantize_int8_element(q, p); }));
      return out;
    }
    case Op::kReshape: {
      LITESR_RETURN_IF_ERROR(same_params(*x, out_p, "RESHAPE"));
      if (numel(ot.shape) != x->data.size()) return invalid_argument("RESHAPE changes the size");
      out.data = x->data;
      return out;
    }
    case Op::kTranspose: {
      LITESR_RETURN_IF_ERROR(same_params(*x, out_p, "TRANSPOSE"));
      const std::vector<int32_t> perm = constant<int32_t>(f.tensors[op.inputs[1]]);
      if (perm.size() != 4 || x->shape.size() != 4) return unsupported("TRANSPOSE: only 4-D is interpreted");
      Value t = transpose(*x, perm);
      if (t.shape != ot.shape) return invalid_argument("TRANSPOSE: output shape differs from the file's");
      return t;
    }
    case Op::kSlice: {
      LITESR_RETURN_IF_ERROR(same_params(*x, out_p, "SLICE"));
      const std::vector<int32_t> begin = constant<int32_t>(f.tensors[op.inputs[1]]);
      const std::vector<int32_t> size = constant<int32_t>(f.tensors[op.inputs[2]]);
      if (begin.size() != 4 || size.size() != 4 || size != ot.shape) return invalid_argument("SLICE: bad begin / size");
      const std::vector<int32_t>& s = x->shape;
      std::size_t i = 0;
      for (int32_t a = 0; a < size[0]; ++a) {
        for (int32_t b = 0; b < size[1]; ++b) {
          for (int32_t c = 0; c < size[2]; ++c) {
            for (int32_t d = 0; d < size[3]; ++d) {
              out.data[i++] =
                  x->data[((static_cast<std::size_t>(begin[0] + a) * s[1] + begin[1] + b) * s[2] + begin[2] + c) *
                              s[3] +
                          begin[3] + d];
            }
          }
        }
      }
      return out;
    }
    case Op::kConcatenation: {  // along H, W or C of NHWC: per outer index, each part's slab in turn
      if (op.axis < 1 || op.axis > 3 || ot.shape.size() != 4) {
        return unsupported("CONCATENATION: only axes 1-3 of 4-D tensors are interpreted");
      }
      std::size_t outer = 1, inner = 1;
      for (int d = 0; d < op.axis; ++d) outer *= static_cast<std::size_t>(ot.shape[d]);
      for (int d = op.axis + 1; d < 4; ++d) inner *= static_cast<std::size_t>(ot.shape[d]);
      const std::size_t out_slab = static_cast<std::size_t>(ot.shape[op.axis]) * inner;
      std::size_t at = 0;
      for (std::size_t k = 0; k < op.inputs.size(); ++k) {
        LITESR_ASSIGN_OR_RETURN(const Value* part, input(k));
        LITESR_RETURN_IF_ERROR(same_params(*part, out_p, "CONCATENATION"));
        const std::size_t slab = static_cast<std::size_t>(part->shape[op.axis]) * inner;
        if (part->data.size() != outer * slab) return invalid_argument("CONCATENATION: a part's shape does not fit");
        for (std::size_t q = 0; q < outer; ++q) {
          std::copy_n(part->data.begin() + q * slab, slab, out.data.begin() + q * out_slab + at);
        }
        at += slab;
      }
      if (at != out_slab) return invalid_argument("CONCATENATION: the parts do not add up");
      return out;
    }
    case Op::kMean: {  // MEAN int8 over axes {1, 2} with keep_dims (reference_integer_ops::Mean)
      const std::vector<int32_t> axes = constant<int32_t>(f.tensors[op.inputs[1]]);
      const std::vector<int32_t>& s = x->shape;
      if (axes != std::vector<int32_t>{1, 2} || ot.shape != std::vector<int32_t>{s[0], 1, 1, s[3]} || s[0] != 1) {
        return unsupported("MEAN: only axes {1, 2} with keep_dims are interpreted");
      }
      QuantizedMap planar = QuantizedMap::zeros(s[3], s[1], s[2], x->params);
      for (std::size_t i = 0; i < x->data.size(); ++i) {
        planar.data[(i % s[3]) * planar.plane_size() + i / s[3]] = x->data[i];
      }
      LITESR_ASSIGN_OR_RETURN(const QuantizedMap mean, global_mean_int8(planar, out_p));
      out.data = mean.data;
      return out;
    }
    case Op::kMul: {  // MUL int8, the second input [1, 1, 1, C] broadcast over H x W (or the same shape)
      LITESR_ASSIGN_OR_RETURN(const Value* y, input(1));
      const int32_t c = x->shape[3];
      const bool broadcast = y->shape == std::vector<int32_t>{1, 1, 1, c};
      if (!broadcast && y->shape != x->shape) return unsupported("MUL: only a [1, 1, 1, C] broadcast is interpreted");
      LITESR_ASSIGN_OR_RETURN(const MulParams p, make_mul_params(x->params, y->params, out_p));
      LITESR_RETURN_IF_ERROR(
          elementwise([&](std::size_t i, int8_t q) { return mul_int8_element(q, y->data[broadcast ? i % c : i], p); }));
      return out;
    }
    default:
      break;
  }
  return unsupported("operator code " + std::to_string(op.code) + " is not interpreted");
}

}  // namespace

const TfliteFileTensor* TfliteFile::find(const std::string& name) const {
  for (const TfliteFileTensor& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

int TfliteFile::count(tf::BuiltinOperator code) const {
  return static_cast<int>(std::count_if(ops.begin(), ops.end(),
                                        [&](const TfliteFileOp& o) { return o.code == static_cast<int32_t>(code); }));
}

TfliteFile read_tflite_file(const std::string& bytes) {
  const auto* model = fb::GetRoot<fb::Table>(bytes.data());
  TfliteFile file;
  const auto* buffers = model->GetPointer<const TableVector*>(tf::model::kBuffers);
  const fb::Table* sg = model->GetPointer<const TableVector*>(tf::model::kSubgraphs)->Get(0);
  for (const fb::Table* t : *sg->GetPointer<const TableVector*>(tf::subgraph::kTensors)) {
    TfliteFileTensor ft;
    ft.name = t->GetPointer<const fb::String*>(tf::tensor::kName)->str();
    ft.type = static_cast<tf::TensorType>(t->GetField<int8_t>(tf::tensor::kType, 0));
    ft.shape = ints(t, tf::tensor::kShape);
    const auto* data = buffers->Get(t->GetField<uint32_t>(tf::tensor::kBuffer, 0))
                           ->GetPointer<const fb::Vector<uint8_t>*>(tf::buffer::kData);
    if (data) ft.data.assign(data->begin(), data->end());
    if (const auto* q = t->GetPointer<const fb::Table*>(tf::tensor::kQuantization)) {
      if (const auto* s = q->GetPointer<const fb::Vector<float>*>(tf::quantization::kScale)) {
        ft.scale.assign(s->begin(), s->end());
      }
      if (const auto* z = q->GetPointer<const fb::Vector<int64_t>*>(tf::quantization::kZeroPoint)) {
        ft.zero_point.assign(z->begin(), z->end());
      }
      ft.dimension = q->GetField<int32_t>(tf::quantization::kQuantizedDimension, 0);
    }
    file.tensors.push_back(std::move(ft));
  }
  const auto* codes = model->GetPointer<const TableVector*>(tf::model::kOperatorCodes);
  for (const fb::Table* o : *sg->GetPointer<const TableVector*>(tf::subgraph::kOperators)) {
    const fb::Table* code = codes->Get(o->GetField<uint32_t>(tf::op::kOpcodeIndex, 0));
    TfliteFileOp op;
    op.code = code->GetField<int32_t>(tf::operator_code::kBuiltinCode, 0);
    op.version = code->GetField<int32_t>(tf::operator_code::kVersion, 1);
    op.inputs = ints(o, tf::op::kInputs);
    op.outputs = ints(o, tf::op::kOutputs);
    if (const auto* options = o->GetPointer<const fb::Table*>(tf::op::kBuiltinOptions)) {
      switch (static_cast<Op>(op.code)) {
        case Op::kConv2d:
          op.padding = options->GetField<int8_t>(tf::conv2d_options::kPadding, 0);
          op.stride_w = options->GetField<int32_t>(tf::conv2d_options::kStrideW, 0);
          op.stride_h = options->GetField<int32_t>(tf::conv2d_options::kStrideH, 0);
          op.fused_activation = options->GetField<int8_t>(tf::conv2d_options::kFusedActivation, 0);
          break;
        case Op::kDepthwiseConv2d:
          op.padding = options->GetField<int8_t>(tf::depthwise_options::kPadding, 0);
          op.stride_w = options->GetField<int32_t>(tf::depthwise_options::kStrideW, 0);
          op.stride_h = options->GetField<int32_t>(tf::depthwise_options::kStrideH, 0);
          op.depth_multiplier = options->GetField<int32_t>(tf::depthwise_options::kDepthMultiplier, 0);
          op.fused_activation = options->GetField<int8_t>(tf::depthwise_options::kFusedActivation, 0);
          break;
        case Op::kConcatenation:
          op.axis = options->GetField<int32_t>(tf::concatenation_options::kAxis, 0);
          break;
        case Op::kLeakyRelu:
          op.alpha = options->GetField<float>(tf::leaky_relu_options::kAlpha, 0.0f);
          break;
        default:
          break;
      }
    }
    file.ops.push_back(std::move(op));
  }
  file.inputs = ints(sg, tf::subgraph::kInputs);
  file.outputs = ints(sg, tf::subgraph::kOutputs);
  return file;
}

Result<std::vector<QuantizedMap>> interpret_tflite_int8(const std::string& bytes,
                                                        const std::vector<QuantizedMap>& inputs) {
  const TfliteFile f = read_tflite_file(bytes);
  if (f.inputs.size() != inputs.size()) {
    return invalid_argument("the file has " + std::to_string(f.inputs.size()) + " inputs, given " +
                            std::to_string(inputs.size()));
  }
  std::vector<Value> values(f.tensors.size());
  std::vector<bool> have(f.tensors.size(), false);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const QuantizedMap& input = inputs[k];
    const TfliteFileTensor& it = f.tensors[f.inputs[k]];
    LITESR_ASSIGN_OR_RETURN(const QuantParams in_p, per_tensor(it));
    if (it.shape != std::vector<int32_t>{1, input.height, input.width, input.channels} || !(in_p == input.params)) {
      return invalid_argument("input map " + std::to_string(k) + " does not match the file's input tensor " + it.name);
    }
    Value& in = values[f.inputs[k]];
    in = {it.shape, std::vector<int8_t>(input.size()), in_p};
    for (int c = 0; c < input.channels; ++c) {
      for (int y = 0; y < input.height; ++y) {
        for (int x = 0; x < input.width; ++x) {
          in.data[(static_cast<std::size_t>(y) * input.width + x) * input.channels + c] = input.at(c, y, x);
        }
      }
    }
    have[f.inputs[k]] = true;
  }
  for (std::size_t i = 0; i < f.ops.size(); ++i) {
    const TfliteFileOp& op = f.ops[i];
    Result<Value> out = run_op(f, op, values, have);
    if (!out.ok()) return out.status().with_context("operator " + std::to_string(i));
    if (out->shape != f.tensors[op.outputs[0]].shape) {
      return invalid_argument("operator " + std::to_string(i) + " computes another shape than its output tensor's");
    }
    values[op.outputs[0]] = std::move(out).value();
    have[op.outputs[0]] = true;
  }
  std::vector<QuantizedMap> outputs;
  for (const int32_t out_id : f.outputs) {
    if (!have[out_id]) return invalid_argument("output " + f.tensors[out_id].name + " is never computed");
    const Value& o = values[out_id];
    if (o.shape.size() != 4 || o.shape[0] != 1) return invalid_argument("an output is not [1, H, W, C]");
    QuantizedMap out = QuantizedMap::zeros(o.shape[3], o.shape[1], o.shape[2], o.params);
    for (int c = 0; c < out.channels; ++c) {
      for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
          out.at(c, y, x) = o.data[(static_cast<std::size_t>(y) * out.width + x) * out.channels + c];
        }
      }
    }
    outputs.push_back(std::move(out));
  }
  return outputs;
}

Result<QuantizedMap> interpret_tflite_int8(const std::string& bytes, const QuantizedMap& input) {
  LITESR_ASSIGN_OR_RETURN(std::vector<QuantizedMap> outputs, interpret_tflite_int8(bytes, std::vector{input}));
  if (outputs.size() != 1) return invalid_argument("one output expected");
  return std::move(outputs[0]);
}

}  // namespace litesr::testing
