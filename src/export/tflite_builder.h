// TfliteBuilder: tensors, constant buffers, operator codes and operators of one TFLite subgraph, serialized
// with the FlatBuffers builder (field slots in tflite_format.h). Knows the file format, not networks.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "export/tflite_format.h"

namespace litesr {

// QuantizationParameters of an int8 / int32 tensor: real = scale · (q − zero_point). One scale and zero point
// (per tensor) or one per index of `dimension` (per axis: conv filters and biases). Empty: not quantized.
struct TfliteQuantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t dimension = 0;
  bool operator==(const TfliteQuantization&) const = default;
};

class TfliteBuilder {
 public:
  using Shape = std::vector<int32_t>;
  using Options = std::pair<tflite_format::BuiltinOptions, flatbuffers::Offset<void>>;
  using Quantization = TfliteQuantization;

  explicit TfliteBuilder(bool fp16_constants) : fp16_(fp16_constants) {}

  // An activation tensor (no data), float32.
  int tensor(const std::string& name, Shape shape);
  // An activation tensor of any type, with its quantization (int8 activations: per tensor).
  int tensor(const std::string& name, Shape shape, tflite_format::TensorType type, Quantization quantization);
  // An activation tensor with the type and quantization of tensor `like` (data movement keeps both).
  int tensor_like(const std::string& name, Shape shape, int like);
  // A float constant. With fp16 it is stored as FLOAT16 and a DEQUANTIZE op yields the float32 tensor
  // returned here.
  int float_constant(const std::string& name, Shape shape, std::span<const float> values);
  int int32_constant(const std::string& name, Shape shape, std::span<const int32_t> values,
                     Quantization quantization = {});
  int int8_constant(const std::string& name, Shape shape, std::span<const int8_t> values, Quantization quantization);

  const Shape& shape(int tensor) const { return tensors_[tensor].shape; }
  tflite_format::TensorType type(int tensor) const { return tensors_[tensor].type; }
  const Quantization& quantization(int tensor) const { return tensors_[tensor].quantization; }
  void set_name(int tensor, std::string name) { tensors_[tensor].name = std::move(name); }

  // Appends an operator (execution order is call order). `version` is the op version TFLite checks.
  void op(tflite_format::BuiltinOperator code, std::vector<int> inputs, std::vector<int> outputs,
          Options options = {}, int version = 1);

  // Data-movement ops with their constant operand; the output tensor is named `name`, the constant
  // `name + ".shape"` / `name + ".perm"`, and has the type and quantization of `x`. Returns the output tensor.
  int reshape(const std::string& name, int x, const Shape& shape);
  int transpose(const std::string& name, int x, const std::array<int32_t, 4>& perm);  // 4-D

  // Options tables, created in the builder now and referenced by the next op().
  Options conv2d_options(tflite_format::Padding padding, int stride, tflite_format::Activation activation);
  Options depthwise_options(tflite_format::Padding padding, int stride, int depth_multiplier,
                            tflite_format::Activation activation);
  Options transpose_conv_options(tflite_format::Padding padding, int stride);
  Options pool2d_options(tflite_format::Padding padding, int stride, int filter);
  Options concatenation_options(int axis);
  Options reshape_options(const Shape& new_shape);
  Options reducer_options(bool keep_dims);
  Options leaky_relu_options(float alpha);
  Options resize_bilinear_options(bool half_pixel_centers);
  Options empty_options(tflite_format::BuiltinOptions type);

  // Serializes the model with subgraph inputs/outputs (tensor ids).
  std::string finish(const std::vector<int>& inputs, const std::vector<int>& outputs, const std::string& name,
                     const std::string& description);

 private:
  struct TensorEntry {
    std::string name;
    Shape shape;
    tflite_format::TensorType type = tflite_format::TensorType::kFloat32;
    uint32_t buffer = 0;
    Quantization quantization;
  };
  struct OperatorEntry {
    uint32_t opcode = 0;
    std::vector<int> inputs, outputs;
    Options options;
  };

  int add_tensor(TensorEntry entry);
  uint32_t add_buffer(std::vector<uint8_t> bytes);
  uint32_t opcode_index(tflite_format::BuiltinOperator code, int version);

  bool fp16_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<TensorEntry> tensors_;
  std::vector<std::vector<uint8_t>> buffers_{{}};  // buffer 0: the empty sentinel
  std::vector<std::pair<tflite_format::BuiltinOperator, int>> opcodes_;
  std::map<std::pair<int32_t, int>, uint32_t> opcode_ids_;
  std::vector<OperatorEntry> operators_;
};

}  // namespace litesr
