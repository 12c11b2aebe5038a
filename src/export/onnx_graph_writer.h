// OnnxGraphWriter: the small ModelProto-building helpers shared by the ONNX writers — the float export
// (onnx_export.cpp) and the INT8 QDQ export (onnx_qdq_export.cpp). Initializers are stored as raw little-endian
// bytes (TensorProto.raw_data), as every ONNX tool reads them.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr {

inline constexpr int64_t kOnnxIrVersion = 7;  // the IR version that goes with opset 13 (kOnnxOpset)

// Adds nodes, initializers and attributes to a GraphProto. Float initializers made by weights() honour fp16.
class OnnxGraphWriter {
 public:
  OnnxGraphWriter(onnx::GraphProto* graph, bool fp16) : graph_(graph), fp16_(fp16) {}

  bool fp16() const { return fp16_; }
  int32_t float_type() const { return fp16_ ? onnx::TensorProto::FLOAT16 : onnx::TensorProto::FLOAT; }

  // A float initializer in the working precision (float16 when fp16). Each returns `name`.
  std::string weights(const std::string& name, std::vector<int64_t> dims, std::span<const float> values);
  // Always float32 (Resize scales, quantization scales).
  std::string floats32(const std::string& name, std::vector<int64_t> dims, std::span<const float> values);
  std::string ints64(const std::string& name, std::vector<int64_t> dims, std::span<const int64_t> values);
  std::string ints32(const std::string& name, std::vector<int64_t> dims, std::span<const int32_t> values);
  std::string ints8(const std::string& name, std::vector<int64_t> dims, std::span<const int8_t> values);

  onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                        const std::string& output);

  // Ops both exporters write the same way. Slice of channels [begin, end) (axis 1); DepthToSpace by `scale` in CRD
  // mode, PyTorch's PixelShuffle order: out[c, h·r+i, w·r+j] = in[c·r² + i·r + j] (DCR would read in[(i·r + j)·C + c]).
  void channel_slice(const std::string& id, const std::string& input, int64_t begin, int64_t end,
                     const std::string& output);
  void pixel_shuffle(const std::string& id, const std::string& input, int64_t scale, const std::string& output);
  // `input` [N, C, H, W] padded by `r` rows and columns on each side (Slice + Concat on axes 2 and 3): symmetric
  // mirror (MATLAB: x[−k] = x[k − 1]) or edge replication (x[−k] = x[0]). Returns the padded value's name.
  std::string pad_borders(const std::string& id, const std::string& input, int r, bool mirror);

  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v);
  static void attr(onnx::NodeProto* n, const std::string& name, float v);
  static void attr(onnx::NodeProto* n, const std::string& name, const std::string& v);
  static void attr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v);

  // Declares a graph input/output float32 [dims], a dimension < 0 being symbolic (`symbols[i]`).
  static void declare(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<std::string>& symbols);

 private:
  onnx::TensorProto* init(const std::string& name, const std::vector<int64_t>& dims);

  onnx::GraphProto* graph_;
  bool fp16_;
};

// One ModelProto.metadata_props entry.
void add_onnx_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value);

// The header every LiteSR ModelProto carries: IR version kOnnxIrVersion, producer "litesr", domain "org.litesr",
// the default-domain opset kOnnxOpset, `doc` ("" = none), metadata litesr.arch, litesr.scale, litesr.frames,
// litesr.range ("0..1") and litesr.color (frame_color: "rgb" or "y") of `graph`.
void init_onnx_model(onnx::ModelProto& model, const Graph& graph, const std::string& doc);

// SerializeToString, kInternal when protobuf fails.
Result<std::string> serialize_onnx(const onnx::ModelProto& model);

}  // namespace litesr
