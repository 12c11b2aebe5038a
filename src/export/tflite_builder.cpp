#include "export/tflite_builder.h"

#include <bit>
#include <cstring>

#include "export/float16.h"

namespace litesr {

namespace tf = tflite_format;

namespace {

template <typename T>
std::vector<uint8_t> little_endian_bytes(std::span<const T> values) {
  static_assert(std::endian::native == std::endian::little, "TFLite buffers are little-endian");
  std::vector<uint8_t> bytes(values.size_bytes());
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

}  // namespace

int TfliteBuilder::add_tensor(TensorEntry entry) {
  tensors_.push_back(std::move(entry));
  return static_cast<int>(tensors_.size()) - 1;
}

uint32_t TfliteBuilder::add_buffer(std::vector<uint8_t> bytes) {
  buffers_.push_back(std::move(bytes));
  return static_cast<uint32_t>(buffers_.size() - 1);
}

int TfliteBuilder::tensor(const std::string& name, Shape shape) {
  return add_tensor({name, std::move(shape), tf::TensorType::kFloat32, 0, {}});
}

int TfliteBuilder::tensor(const std::string& name, Shape shape, tf::TensorType type, Quantization quantization) {
  return add_tensor({name, std::move(shape), type, 0, std::move(quantization)});
}

int TfliteBuilder::tensor_like(const std::string& name, Shape shape, int like) {
  return add_tensor({name, std::move(shape), tensors_[like].type, 0, tensors_[like].quantization});
}

int TfliteBuilder::float_constant(const std::string& name, Shape shape, std::span<const float> values) {
  if (!fp16_) {
    return add_tensor({name, std::move(shape), tf::TensorType::kFloat32, add_buffer(little_endian_bytes(values)), {}});
  }
  std::vector<uint16_t> half(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) half[i] = float_to_half(values[i]);
  const int stored = add_tensor({name + "/fp16", shape, tf::TensorType::kFloat16,
                                 add_buffer(little_endian_bytes(std::span<const uint16_t>(half))), {}});
  const int out = tensor(name, std::move(shape));
  // DEQUANTIZE of a float16 input is op version 3.
  op(tf::BuiltinOperator::kDequantize, {stored}, {out}, empty_options(tf::BuiltinOptions::kDequantizeOptions), 3);
  return out;
}

int TfliteBuilder::int32_constant(const std::string& name, Shape shape, std::span<const int32_t> values,
                                  Quantization quantization) {
  return add_tensor({name, std::move(shape), tf::TensorType::kInt32, add_buffer(little_endian_bytes(values)),
                     std::move(quantization)});
}

int TfliteBuilder::int8_constant(const std::string& name, Shape shape, std::span<const int8_t> values,
                                 Quantization quantization) {
  return add_tensor({name, std::move(shape), tf::TensorType::kInt8, add_buffer(little_endian_bytes(values)),
                     std::move(quantization)});
}

uint32_t TfliteBuilder::opcode_index(tf::BuiltinOperator code, int version) {
  const auto key = std::pair{static_cast<int32_t>(code), version};
  if (auto it = opcode_ids_.find(key); it != opcode_ids_.end()) return it->second;
  opcodes_.emplace_back(code, version);
  const auto id = static_cast<uint32_t>(opcodes_.size() - 1);
  opcode_ids_.emplace(key, id);
  return id;
}

void TfliteBuilder::op(tf::BuiltinOperator code, std::vector<int> inputs, std::vector<int> outputs, Options options,
                       int version) {
  operators_.push_back({opcode_index(code, version), std::move(inputs), std::move(outputs), options});
}

int TfliteBuilder::reshape(const std::string& name, int x, const Shape& shape) {
  const int out = tensor_like(name, shape, x);
  op(tf::BuiltinOperator::kReshape,
     {x, int32_constant(name + ".shape", {static_cast<int32_t>(shape.size())}, shape)}, {out},
     reshape_options(shape));
  return out;
}

int TfliteBuilder::transpose(const std::string& name, int x, const std::array<int32_t, 4>& perm) {
  const Shape& in = tensors_[x].shape;
  const Shape shape{in[perm[0]], in[perm[1]], in[perm[2]], in[perm[3]]};
  const int out = tensor_like(name, shape, x);
  // TRANSPOSE of int8 is op version 2.
  op(tf::BuiltinOperator::kTranspose, {x, int32_constant(name + ".perm", {4}, perm)}, {out},
     empty_options(tf::BuiltinOptions::kTransposeOptions), tensors_[x].type == tf::TensorType::kInt8 ? 2 : 1);
  return out;
}

TfliteBuilder::Options TfliteBuilder::conv2d_options(tf::Padding padding, int stride, tf::Activation activation) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<int8_t>(tf::conv2d_options::kPadding, static_cast<int8_t>(padding), 0);
  fbb_.AddElement<int32_t>(tf::conv2d_options::kStrideW, stride, 0);
  fbb_.AddElement<int32_t>(tf::conv2d_options::kStrideH, stride, 0);
  fbb_.AddElement<int8_t>(tf::conv2d_options::kFusedActivation, static_cast<int8_t>(activation), 0);
  return {tf::BuiltinOptions::kConv2dOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::depthwise_options(tf::Padding padding, int stride, int depth_multiplier,
                                                        tf::Activation activation) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<int8_t>(tf::depthwise_options::kPadding, static_cast<int8_t>(padding), 0);
  fbb_.AddElement<int32_t>(tf::depthwise_options::kStrideW, stride, 0);
  fbb_.AddElement<int32_t>(tf::depthwise_options::kStrideH, stride, 0);
  fbb_.AddElement<int32_t>(tf::depthwise_options::kDepthMultiplier, depth_multiplier, 0);
  fbb_.AddElement<int8_t>(tf::depthwise_options::kFusedActivation, static_cast<int8_t>(activation), 0);
  return {tf::BuiltinOptions::kDepthwiseConv2dOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::transpose_conv_options(tf::Padding padding, int stride) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<int8_t>(tf::conv2d_options::kPadding, static_cast<int8_t>(padding), 0);
  fbb_.AddElement<int32_t>(tf::conv2d_options::kStrideW, stride, 0);
  fbb_.AddElement<int32_t>(tf::conv2d_options::kStrideH, stride, 0);
  return {tf::BuiltinOptions::kTransposeConvOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::pool2d_options(tf::Padding padding, int stride, int filter) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<int8_t>(tf::pool2d_options::kPadding, static_cast<int8_t>(padding), 0);
  fbb_.AddElement<int32_t>(tf::pool2d_options::kStrideW, stride, 0);
  fbb_.AddElement<int32_t>(tf::pool2d_options::kStrideH, stride, 0);
  fbb_.AddElement<int32_t>(tf::pool2d_options::kFilterWidth, filter, 0);
  fbb_.AddElement<int32_t>(tf::pool2d_options::kFilterHeight, filter, 0);
  return {tf::BuiltinOptions::kPool2dOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::concatenation_options(int axis) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<int32_t>(tf::concatenation_options::kAxis, axis, 0);
  return {tf::BuiltinOptions::kConcatenationOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::reshape_options(const Shape& new_shape) {
  const auto shape = fbb_.CreateVector(new_shape);
  const auto start = fbb_.StartTable();
  fbb_.AddOffset(tf::reshape_options::kNewShape, shape);
  return {tf::BuiltinOptions::kReshapeOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::reducer_options(bool keep_dims) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<uint8_t>(tf::reducer_options::kKeepDims, keep_dims ? 1 : 0, 0);
  return {tf::BuiltinOptions::kReducerOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::leaky_relu_options(float alpha) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<float>(tf::leaky_relu_options::kAlpha, alpha, 0.0f);
  return {tf::BuiltinOptions::kLeakyReluOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::resize_bilinear_options(bool half_pixel_centers) {
  const auto start = fbb_.StartTable();
  fbb_.AddElement<uint8_t>(tf::resize_bilinear_options::kHalfPixelCenters, half_pixel_centers ? 1 : 0, 0);
  return {tf::BuiltinOptions::kResizeBilinearOptions, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

TfliteBuilder::Options TfliteBuilder::empty_options(tf::BuiltinOptions type) {
  const auto start = fbb_.StartTable();
  return {type, flatbuffers::Offset<void>(fbb_.EndTable(start))};
}

std::string TfliteBuilder::finish(const std::vector<int>& inputs, const std::vector<int>& outputs,
                                  const std::string& name, const std::string& description) {
  std::vector<flatbuffers::Offset<void>> buffer_tables;
  for (const std::vector<uint8_t>& bytes : buffers_) {
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
    if (!bytes.empty()) {
      fbb_.ForceVectorAlignment(bytes.size(), 1, tf::buffer::kDataAlignment);
      data = fbb_.CreateVector(bytes);
    }
    const auto start = fbb_.StartTable();
    if (!bytes.empty()) fbb_.AddOffset(tf::buffer::kData, data);
    buffer_tables.emplace_back(fbb_.EndTable(start));
  }

  std::vector<flatbuffers::Offset<void>> tensor_tables;
  for (const TensorEntry& t : tensors_) {
    const auto shape = fbb_.CreateVector(t.shape);
    const auto tname = fbb_.CreateString(t.name);
    flatbuffers::Offset<void> quantization;
    if (!t.quantization.scale.empty()) {
      const auto scale = fbb_.CreateVector(t.quantization.scale);
      const auto zero_point = fbb_.CreateVector(t.quantization.zero_point);
      const auto qstart = fbb_.StartTable();
      fbb_.AddOffset(tf::quantization::kScale, scale);
      fbb_.AddOffset(tf::quantization::kZeroPoint, zero_point);
      fbb_.AddElement<int32_t>(tf::quantization::kQuantizedDimension, t.quantization.dimension, 0);
      quantization = flatbuffers::Offset<void>(fbb_.EndTable(qstart));
    }
    const auto start = fbb_.StartTable();
    fbb_.AddOffset(tf::tensor::kShape, shape);
    fbb_.AddElement<int8_t>(tf::tensor::kType, static_cast<int8_t>(t.type), 0);
    fbb_.AddElement<uint32_t>(tf::tensor::kBuffer, t.buffer, 0);
    fbb_.AddOffset(tf::tensor::kName, tname);
    if (!t.quantization.scale.empty()) fbb_.AddOffset(tf::tensor::kQuantization, quantization);
    tensor_tables.emplace_back(fbb_.EndTable(start));
  }

  std::vector<flatbuffers::Offset<void>> operator_tables;
  for (const OperatorEntry& o : operators_) {
    const auto ins = fbb_.CreateVector(o.inputs);
    const auto outs = fbb_.CreateVector(o.outputs);
    const auto start = fbb_.StartTable();
    fbb_.AddElement<uint32_t>(tf::op::kOpcodeIndex, o.opcode, 0);
    fbb_.AddOffset(tf::op::kInputs, ins);
    fbb_.AddOffset(tf::op::kOutputs, outs);
    if (o.options.first != tf::BuiltinOptions::kNone) {
      fbb_.AddElement<uint8_t>(tf::op::kBuiltinOptionsType, static_cast<uint8_t>(o.options.first), 0);
      fbb_.AddOffset(tf::op::kBuiltinOptions, o.options.second);
    }
    operator_tables.emplace_back(fbb_.EndTable(start));
  }

  std::vector<flatbuffers::Offset<void>> opcode_tables;
  for (const auto& [code, version] : opcodes_) {
    const auto start = fbb_.StartTable();
    const auto value = static_cast<int32_t>(code);
    fbb_.AddElement<int8_t>(tf::operator_code::kDeprecatedBuiltinCode, static_cast<int8_t>(value < 127 ? value : 127),
                            0);
    fbb_.AddElement<int32_t>(tf::operator_code::kVersion, version, 1);
    fbb_.AddElement<int32_t>(tf::operator_code::kBuiltinCode, value, 0);
    opcode_tables.emplace_back(fbb_.EndTable(start));
  }

  const auto tensor_vec = fbb_.CreateVector(tensor_tables);
  const auto input_vec = fbb_.CreateVector(inputs);
  const auto output_vec = fbb_.CreateVector(outputs);
  const auto operator_vec = fbb_.CreateVector(operator_tables);
  const auto subgraph_name = fbb_.CreateString(name);
  auto start = fbb_.StartTable();
  fbb_.AddOffset(tf::subgraph::kTensors, tensor_vec);
  fbb_.AddOffset(tf::subgraph::kInputs, input_vec);
  fbb_.AddOffset(tf::subgraph::kOutputs, output_vec);
  fbb_.AddOffset(tf::subgraph::kOperators, operator_vec);
  fbb_.AddOffset(tf::subgraph::kName, subgraph_name);
  const flatbuffers::Offset<void> subgraph(fbb_.EndTable(start));

  const auto opcode_vec = fbb_.CreateVector(opcode_tables);
  const auto subgraph_vec = fbb_.CreateVector(&subgraph, 1);
  const auto description_str = fbb_.CreateString(description);
  const auto buffer_vec = fbb_.CreateVector(buffer_tables);
  start = fbb_.StartTable();
  fbb_.AddElement<uint32_t>(tf::model::kVersion, tf::kSchemaVersion, 0);
  fbb_.AddOffset(tf::model::kOperatorCodes, opcode_vec);
  fbb_.AddOffset(tf::model::kSubgraphs, subgraph_vec);
  fbb_.AddOffset(tf::model::kDescription, description_str);
  fbb_.AddOffset(tf::model::kBuffers, buffer_vec);
  const flatbuffers::Offset<void> model(fbb_.EndTable(start));
  fbb_.Finish(model, tf::kFileIdentifier);
  return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
}

}  // namespace litesr
