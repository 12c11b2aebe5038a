#include "export/onnx_graph_writer.h"

#include <cstring>
#include <limits>
#include <type_traits>

#include "export/float16.h"
#include "export/onnx_export.h"
#include "runtime/model_file.h"

namespace litesr {
namespace {

// `values` as little-endian raw bytes, each value `Bytes` wide (two's complement for the signed types).
template <int Bytes, typename T>
std::string little_endian(std::span<const T> values) {
  std::string raw(values.size() * Bytes, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    uint64_t u = 0;
    if constexpr (std::is_same_v<T, float>) {
      uint32_t bits;
      std::memcpy(&bits, &values[i], 4);
      u = bits;
    } else {
      u = static_cast<uint64_t>(static_cast<int64_t>(values[i]));
    }
    for (int b = 0; b < Bytes; ++b) raw[Bytes * i + b] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  return raw;
}

}  // namespace

std::string OnnxGraphWriter::weights(const std::string& name, std::vector<int64_t> dims,
                                     std::span<const float> values) {
  if (!fp16_) return floats32(name, std::move(dims), values);
  onnx::TensorProto* t = init(name, dims);
  t->set_data_type(onnx::TensorProto::FLOAT16);
  std::vector<uint16_t> halves(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) halves[i] = float_to_half(values[i]);
  t->set_raw_data(little_endian<2>(std::span<const uint16_t>(halves)));
  return name;
}

std::string OnnxGraphWriter::floats32(const std::string& name, std::vector<int64_t> dims,
                                      std::span<const float> values) {
  onnx::TensorProto* t = init(name, dims);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->set_raw_data(little_endian<4>(values));
  return name;
}

void OnnxGraphWriter::channel_slice(const std::string& id, const std::string& input, int64_t begin, int64_t end,
                                    const std::string& output) {
  const int64_t axis = 1;
  node("Slice", id,
       {input, ints64(id + ".starts", {1}, std::span(&begin, 1)), ints64(id + ".ends", {1}, std::span(&end, 1)),
        ints64(id + ".axes", {1}, std::span(&axis, 1))},
       output);
}

void OnnxGraphWriter::pixel_shuffle(const std::string& id, const std::string& input, int64_t scale,
                                    const std::string& output) {
  onnx::NodeProto* p = node("DepthToSpace", id, {input}, output);
  attr(p, "blocksize", scale);
  attr(p, "mode", std::string("CRD"));
}

std::string OnnxGraphWriter::pad_borders(const std::string& id, const std::string& input, int r, bool mirror) {
  std::string cur = input;
  for (int64_t axis : {int64_t{2}, int64_t{3}}) {
    const std::string tag = id + (axis == 2 ? "/pad_h" : "/pad_w");
    const std::string axes = ints64(tag + ".axes", {1}, std::span(&axis, 1));
    std::vector<std::string> parts;
    auto slice = [&](int64_t b, int64_t e, const std::string& name) {
      node("Slice", name,
           {cur, ints64(name + ".starts", {1}, std::span(&b, 1)), ints64(name + ".ends", {1}, std::span(&e, 1)), axes},
           name);
      parts.push_back(name);
    };
    constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();
    // Before the image: x[−k] (k = r..1) is row k − 1 (mirror) or row 0.
    for (int k = r; k >= 1; --k) {
      slice(mirror ? k - 1 : 0, mirror ? k : 1, tag + "/before" + std::to_string(k));
    }
    parts.push_back(cur);
    // After it: x[len − 1 + k] is row len − k (mirror) or row len − 1.
    for (int k = 1; k <= r; ++k) {
      const int64_t begin = mirror ? -k : -1;
      slice(begin, begin == -1 ? kEnd : begin + 1, tag + "/after" + std::to_string(k));
    }
    attr(node("Concat", tag, parts, tag), "axis", axis);
    cur = tag;
  }
  return cur;
}

std::string OnnxGraphWriter::ints64(const std::string& name, std::vector<int64_t> dims,
                                    std::span<const int64_t> values) {
  onnx::TensorProto* t = init(name, dims);
  t->set_data_type(onnx::TensorProto::INT64);
  t->set_raw_data(little_endian<8>(values));
  return name;
}

std::string OnnxGraphWriter::ints32(const std::string& name, std::vector<int64_t> dims,
                                    std::span<const int32_t> values) {
  onnx::TensorProto* t = init(name, dims);
  t->set_data_type(onnx::TensorProto::INT32);
  t->set_raw_data(little_endian<4>(values));
  return name;
}

std::string OnnxGraphWriter::ints8(const std::string& name, std::vector<int64_t> dims, std::span<const int8_t> values) {
  onnx::TensorProto* t = init(name, dims);
  t->set_data_type(onnx::TensorProto::INT8);
  t->set_raw_data(little_endian<1>(values));
  return name;
}

onnx::NodeProto* OnnxGraphWriter::node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                                       const std::string& output) {
  onnx::NodeProto* n = graph_->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (std::string& in : inputs) n->add_input(std::move(in));
  n->add_output(output);
  return n;
}

void OnnxGraphWriter::attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void OnnxGraphWriter::attr(onnx::NodeProto* n, const std::string& name, float v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

void OnnxGraphWriter::attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

void OnnxGraphWriter::attr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void OnnxGraphWriter::declare(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims,
                              const std::vector<std::string>& symbols) {
  v->set_name(name);
  onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    onnx::TensorShapeProto_Dimension* d = t->mutable_shape()->add_dim();
    if (dims[i] >= 0) {
      d->set_dim_value(dims[i]);
    } else {
      d->set_dim_param(symbols[i]);
    }
  }
}

onnx::TensorProto* OnnxGraphWriter::init(const std::string& name, const std::vector<int64_t>& dims) {
  onnx::TensorProto* t = graph_->add_initializer();
  t->set_name(name);
  for (int64_t d : dims) t->add_dims(d);
  return t;
}

void add_onnx_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* p = model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

void init_onnx_model(onnx::ModelProto& model, const Graph& graph, const std::string& doc) {
  model.set_ir_version(kOnnxIrVersion);
  model.set_producer_name("litesr");
  model.set_domain("org.litesr");
  model.set_model_version(1);
  if (!doc.empty()) model.set_doc_string(doc);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  add_onnx_metadata(model, std::string(kMetaArch), graph.arch);
  add_onnx_metadata(model, std::string(kMetaScale), std::to_string(graph.scale));
  add_onnx_metadata(model, std::string(kMetaFrames), std::to_string(graph.input_frames));
  add_onnx_metadata(model, std::string(kMetaRange), "0..1");
  add_onnx_metadata(model, std::string(kMetaColor), std::string(frame_color(graph)));
}

Result<std::string> serialize_onnx(const onnx::ModelProto& model) {
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return internal_error("onnx export: protobuf serialization failed");
  return bytes;
}

}  // namespace litesr
