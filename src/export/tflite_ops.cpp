#include "export/tflite_ops.h"

#include <algorithm>

#include "export/tflite_format.h"

namespace litesr::tflite_ops {

namespace tf = tflite_format;

namespace {
// Data-movement ops of int8 tensors are op version 2 (TFLite's op_version.cc).
int version_for(const TfliteBuilder& b, int x) { return b.type(x) == tf::TensorType::kInt8 ? 2 : 1; }
}  // namespace

int pixel_shuffle(TfliteBuilder& b, const std::string& id, int x, int r) {
  const Shape xs = b.shape(x);
  const int32_t n = xs[0], h = xs[1], w = xs[2], c = xs[3] / (r * r);
  int v = b.reshape(id + "/split", x, {n * h * w, c, r, r});
  v = b.transpose(id + "/phases_last", v, {0, 2, 3, 1});  // [NHW, i, j, C]
  v = b.reshape(id + "/rows", v, {n * h, w, r, r * c});
  v = b.transpose(id + "/interleave", v, {0, 2, 1, 3});  // [NH, i, W, (j, C)]
  return b.reshape(id, v, {n, h * r, w * r, c});
}

int slice(TfliteBuilder& b, const std::string& name, int x, const std::array<int32_t, 4>& begin,
          const std::array<int32_t, 4>& size) {
  const int out = b.tensor_like(name, Shape(size.begin(), size.end()), x);
  b.op(tf::BuiltinOperator::kSlice,
       {x, b.int32_constant(name + ".begin", {4}, begin), b.int32_constant(name + ".size", {4}, size)}, {out},
       b.empty_options(tf::BuiltinOptions::kSliceOptions), version_for(b, x));
  return out;
}

int concatenate(TfliteBuilder& b, const std::string& name, const std::vector<int>& parts, int axis) {
  Shape shape = b.shape(parts[0]);
  shape[axis] = 0;
  for (int p : parts) shape[axis] += b.shape(p)[axis];
  const int out = b.tensor_like(name, shape, parts[0]);
  b.op(tf::BuiltinOperator::kConcatenation, parts, {out}, b.concatenation_options(axis), version_for(b, parts[0]));
  return out;
}

Result<int> pad_borders(TfliteBuilder& b, const std::string& id, int x, int r, bool mirror) {
  int cur = x;
  for (int axis : {1, 2}) {
    const Shape xs = b.shape(cur);
    if (xs[axis] < r) return invalid_argument("tflite export: " + id + ": input smaller than the filter radius");
    const std::string tag = id + (axis == 1 ? "/pad_h" : "/pad_w");
    auto line = [&](int32_t at, const std::string& name) {
      std::array<int32_t, 4> begin{0, 0, 0, 0};
      std::array<int32_t, 4> size{xs[0], xs[1], xs[2], xs[3]};
      begin[axis] = at;
      size[axis] = 1;
      return slice(b, name, cur, begin, size);
    };
    std::vector<int> parts;
    for (int k = r; k >= 1; --k) parts.push_back(line(mirror ? k - 1 : 0, tag + "/before" + std::to_string(k)));
    parts.push_back(cur);
    for (int k = 1; k <= r; ++k) {
      parts.push_back(line(mirror ? xs[axis] - k : xs[axis] - 1, tag + "/after" + std::to_string(k)));
    }
    cur = concatenate(b, tag, parts, axis);
  }
  return cur;
}

Result<Shape> nhwc_shape(const Step& step, int32_t batch, int32_t height, int32_t width) {
  const int64_t oh = step.shape.extent(height), ow = step.shape.extent(width);
  if (oh < 1 || ow < 1) {
    return invalid_argument("tflite export: input " + std::to_string(width) + "x" + std::to_string(height) +
                            " too small for " + step.node.name);
  }
  return Shape{batch, static_cast<int32_t>(oh), static_cast<int32_t>(ow), step.shape.channels};
}

int sole_reader(const Program& program, std::size_t index) {
  if (program.consumers[index] != 1) return -1;
  if (std::find(program.outputs.begin(), program.outputs.end(), static_cast<int>(index)) != program.outputs.end()) {
    return -1;
  }
  for (std::size_t j = index + 1; j < program.steps.size(); ++j) {
    const std::vector<int>& ins = program.steps[j].node.inputs;
    if (std::find(ins.begin(), ins.end(), static_cast<int>(index)) != ins.end()) return static_cast<int>(j);
  }
  return -1;
}

}  // namespace litesr::tflite_ops
