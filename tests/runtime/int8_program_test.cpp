#include "runtime/int8_program.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "quant/reference_ops.h"
#include "runtime/graph.h"
#include "runtime/model_quantization.h"
#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "runtime/session.h"
#include "runtime/int8_test_models.h"

namespace litesr {
namespace {

using namespace int8_testing;

const Step& step_named(const Program& p, const std::string& name) {
  for (const Step& s : p.steps) {
    if (s.node.name == name) return s;
  }
  ADD_FAILURE() << "no step " << name;
  return p.steps[0];
}

TEST(Int8Program, ElsrShapedGraphIsTheReferenceOpsComposed) {
  const Model m = elsr_like(2);
  const Program program = compile_program(m.graph, m.tensors).value();
  const Image lr = random_rgb(13, 9, 3);
  const ModelQuantization q = min_max_quantization(program, lr);
  const Int8Program int8 = compile_int8_program(program, q).value();
  const QuantizedMap in = int8_map_from_image<uint8_t>(lr.view<uint8_t>(), image_quant_params());
  const QuantizedMap got = run_int8_reference(int8, in).value();

  // The same by hand, op by op (TFLite's graph: conv, conv, prelu, conv, add, conv, depth-to-space).
  auto params = [&](const std::string& name) { return q.activations.at(name); };
  auto conv = [&](const QuantizedMap& x, const std::string& name) {
    const Step& s = step_named(program, name);
    const QuantizedConv2d c =
        quantize_conv2d(s.weight, s.bias, s.in_channels, s.node.out_channels, 3, 1, x.params.scale).value();
    return conv2d_int8(x, c, params(name)).value();
  };
  const QuantizedMap f1 = conv(in, "conv1");
  const QuantizedMap c2 = conv(f1, "conv2");
  const Step& prelu = step_named(program, "prelu");
  const auto [lo, hi] = std::minmax_element(prelu.weight.begin(), prelu.weight.end());
  const QuantParams alpha_params = activation_params_from_range(*lo, *hi).value();
  std::vector<int8_t> alpha(prelu.weight.size());
  quantize_values(prelu.weight, alpha_params, alpha);
  const QuantizedMap t = prelu_int8(c2, alpha, alpha_params, params("prelu")).value();
  // The add is named by the builder: look it up by op.
  std::string add_name;
  for (const Step& s : program.steps) {
    if (s.node.op == OpKind::kAdd) add_name = s.node.name;
  }
  const QuantizedMap sum = add_int8(conv(t, "conv3"), f1, params(add_name)).value();
  // Depth-to-space keeps conv4's parameters; the output step then requantizes to the image's.
  const QuantizedMap shuffled =
      requantize_int8(pixel_shuffle_int8(conv(sum, "conv4"), 2).value(), image_quant_params()).value();
  ASSERT_EQ(got.size(), shuffled.size());
  EXPECT_EQ(got.data, shuffled.data);
  EXPECT_EQ(got.params, image_quant_params());

  // And it stays close to the float model: within a few grey levels on average.
  SessionOptions one;
  one.threads = 1;
  Session fp = Session::create(m.graph, m.tensors, one).value();
  Session i8 = Session::create(m.graph, m.tensors, one, q).value();
  EXPECT_EQ(i8.mode(), ExecutionMode::kInt8Bands);
  EXPECT_STREQ(execution_mode_name(i8.mode()), "int8_bands");
  Image a = Image::create(26, 18, 3, PixelType::kU8).value(), b = Image::create(26, 18, 3, PixelType::kU8).value();
  ASSERT_TRUE(fp.run_u8(lr.view<uint8_t>(), a.view<uint8_t>()).ok());
  ASSERT_TRUE(i8.run_u8(lr.view<uint8_t>(), b.view<uint8_t>()).ok());
  double abs_sum = 0;
  for (int y = 0; y < 18; ++y) {
    for (int i = 0; i < 26 * 3; ++i) {
      abs_sum += std::abs(a.view<uint8_t>().row(y)[i] - b.view<uint8_t>().row(y)[i]);
      // The session's u8 output is the reference executor's map, q + 128.
      EXPECT_EQ(b.view<uint8_t>().row(y)[i], got.at(i % 3, y, i / 3) + 128);
    }
  }
  EXPECT_LT(abs_sum / (26 * 18 * 3), 3.0);
}

TEST(Int8Program, EveryOpWithAnIntegerFormStaysCloseToFloat) {
  const Model m = mixed_int8_ops();
  const Program program = compile_program(m.graph, m.tensors).value();
  const Image lr = random_rgb(11, 8, 9);
  const ModelQuantization q = min_max_quantization(program, lr);
  SessionOptions one;
  one.threads = 1;
  Session fp = Session::create(m.graph, m.tensors, one).value();
  Result<Session> i8 = Session::create(m.graph, m.tensors, one, q);
  ASSERT_TRUE(i8.ok()) << i8.status().to_string();
  Image a = Image::create(22, 16, 3, PixelType::kF32).value(), bimg = Image::create(22, 16, 3, PixelType::kF32).value();
  Image lr_f = Image::create(11, 8, 3, PixelType::kF32).value();
  for (int y = 0; y < 8; ++y) {
    for (int i = 0; i < 33; ++i) lr_f.view<float>().row(y)[i] = lr.view<uint8_t>().row(y)[i] / 255.0f;
  }
  ASSERT_TRUE(fp.run(lr_f.view<float>(), a.view<float>()).ok());
  ASSERT_TRUE(i8->run(lr_f.view<float>(), bimg.view<float>()).ok());
  double abs_sum = 0;
  for (int y = 0; y < 16; ++y) {
    for (int i = 0; i < 66; ++i) abs_sum += std::abs(a.view<float>().row(y)[i] - bimg.view<float>().row(y)[i]);
  }
  EXPECT_LT(abs_sum / (16 * 66), 0.03);  // mean error within ~8 grey levels through 9 requantized layers
}

TEST(Int8Program, RejectsWhatItCannotRun) {
  const Model m = elsr_like(2);
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization good = min_max_quantization(program, random_rgb(8, 8, 1));

  ModelQuantization missing = good;
  missing.activations.erase("conv2");
  Result<Int8Program> r = compile_int8_program(program, missing);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(r.status().message().find("conv2"), std::string::npos);

  ModelQuantization extra = good;
  extra.activations["conv9"] = QuantParams{0.1f, 0};
  EXPECT_EQ(compile_int8_program(program, extra).status().code(), StatusCode::kCorruptData);

  ModelQuantization bad = good;
  bad.activations["conv2"] = QuantParams{0.1f, 300};
  EXPECT_FALSE(compile_int8_program(program, bad).ok());
  bad.activations["conv2"] = QuantParams{-1.0f, 0};
  EXPECT_FALSE(compile_int8_program(program, bad).ok());
}

TEST(ModelQuantization, RoundTripsAndRejectsCorruption) {
  ModelQuantization q;
  q.activations["x"] = image_quant_params();
  q.activations["conv1"] = QuantParams{0.0123456789f, -7};
  q.calibration = "mse ranges from 3 images";
  const ModelQuantization back = parse_model_quantization(model_quantization_json(q)).value();
  EXPECT_EQ(back.activations, q.activations);
  EXPECT_EQ(back.calibration, q.calibration);

  for (const char* bad : {"", "[]", "{}", R"({"scheme": "int4", "activations": {"x": [0.1, 0]}})",
                          R"({"scheme": "int8", "activations": {}})",
                          R"({"scheme": "int8", "activations": {"x": [0, 0]}})",
                          R"({"scheme": "int8", "activations": {"x": [-0.1, 0]}})",
                          R"({"scheme": "int8", "activations": {"x": [0.1, 128]}})",
                          R"({"scheme": "int8", "activations": {"x": [0.1, 1.5]}})",
                          R"({"scheme": "int8", "activations": {"x": [0.1]}})",
                          R"({"scheme": "int8", "activations": {"x": ["0.1", 0]}})",
                          R"({"scheme": "int8", "activations": {"x": [1e300, 0]}})",
                          R"({"scheme": "int8", "activations": {"x": [0.1, 0]}, "extra": 1})"}) {
    EXPECT_EQ(parse_model_quantization(bad).status().code(), StatusCode::kCorruptData) << bad;
  }
  ModelFile file;
  EXPECT_FALSE(is_quantized_model(file));
  EXPECT_EQ(read_model_quantization(file).status().code(), StatusCode::kNotFound);
  file.metadata[std::string(kMetaQuantization)] = model_quantization_json(q);
  EXPECT_TRUE(is_quantized_model(file));
  EXPECT_EQ(read_model_quantization(file).value().activations.size(), 2u);
}

}  // namespace
}  // namespace litesr
