// SAM-SR's INT8 ops (runtime/int8_program.h): squeeze-excite as MEAN, 1x1 conv + ReLU, 1x1 conv into the [0, 1]
// gate, MUL; the bicubic skip as mirror padding, int8 phase filters and a pixel shuffle — calibrated by
// calibration/calibrate.h (the squeeze-excite's internal activations too) and run by the INT8 reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "calibration/calibrate.h"
#include "quant/reference_ops.h"
#include "runtime/int8_program.h"
#include "runtime/int8_test_models.h"
#include "runtime/phase_filter.h"
#include "runtime/session.h"
#include "runtime/squeeze_excite.h"

namespace litesr {
namespace {

using namespace int8_testing;

ModelQuantization min_max(const Program& program, const Image& lr) {
  const ActivationStats stats = observe_activations(program, std::span(&lr, 1)).value();
  return quantization_from_stats(program, stats, RangeMethod::kMinMax).value();
}

const Step& step_named(const Program& p, const std::string& name) {
  for (const Step& s : p.steps) {
    if (s.node.name == name) return s;
  }
  ADD_FAILURE() << "no step " << name;
  return p.steps[0];
}

TEST(SamSrInt8, PhaseFiltersSumExactlyToOne) {
  for (int scale : {2, 3, 4}) {
    for (BicubicKind kind : {BicubicKind::kMatlab, BicubicKind::kPytorch}) {
      const PhaseFilter f = make_bicubic_phase_filter(scale, kind).value();
      const QuantizedConv2d q = quantize_phase_filter(f, 2, 1.0f / 255.0f);
      const std::vector<float> w = phase_filter_depthwise_weight(f, 2);
      const int taps = q.kernel * q.kernel;
      ASSERT_EQ(q.out_channels, 2 * scale * scale);
      for (int o = 0; o < q.out_channels; ++o) {
        const int gain = static_cast<int>(std::lround(1.0f / q.weight_scales[o]));
        int sum = 0;
        for (int i = 0; i < taps; ++i) {
          const int v = q.weight[o * taps + i];
          sum += v;
          EXPECT_LE(std::abs(v), 127);
          // Each tap within one step of its exact value.
          EXPECT_LE(std::abs(v - w[o * taps + i] * gain), 1.0f) << "scale " << scale << " channel " << o;
        }
        EXPECT_EQ(sum, gain) << "scale " << scale << " channel " << o;
        EXPECT_GE(gain, 127 / 2);  // the largest tap uses at least half of the int8 range
      }
    }
  }
}

TEST(SamSrInt8, SqueezeExciteIsTheReferenceOpsComposed) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const Image lr = random_rgb(13, 9, 4);
  const ModelQuantization q = min_max(program, lr);
  ASSERT_EQ(q.activations.count("b0.se/pooled"), 1u);
  ASSERT_EQ(q.activations.count("b0.se/hidden"), 1u);
  EXPECT_EQ(q.activations.at("b0.se/hidden").zero_point, -128);  // a ReLU output: [0, max]
  const Int8Program int8 = compile_int8_program(program, q).value();

  // The squeeze-excite step on the int8 map its input took, against TFLite's ops one by one.
  int se_id = -1, dw_act = -1;
  for (std::size_t i = 0; i < int8.steps.size(); ++i) {
    if (int8.steps[i].name == "b0.se") se_id = static_cast<int>(i);
  }
  ASSERT_GE(se_id, 0);
  dw_act = int8.steps[se_id].inputs[0];
  Int8Program upto = int8;
  upto.outputs = {dw_act, se_id};
  upto.steps.resize(se_id + 1);
  const QuantizedMap in = int8_map_from_image<uint8_t>(lr.view<uint8_t>(), image_quant_params());
  const std::vector<QuantizedMap> got = run_int8_reference(upto, std::span(&in, 1)).value();
  const QuantizedMap& x = got[0];

  const Step& se = step_named(program, "b0.se");
  const QuantizedMap pooled = global_mean_int8(x, q.activations.at("b0.se/pooled")).value();
  const QuantizedConv2d fc1 = quantize_conv2d(se.weight, se.bias, 8, 2, 1, 1, pooled.params.scale).value();
  const QuantizedMap hidden =
      conv2d_int8(pooled, fc1, q.activations.at("b0.se/hidden"), FusedActivation::kRelu).value();
  std::vector<float> w2 = se.weight2, b2 = se.bias2;
  for (float& w : w2) w /= 6.0f;
  for (float& b : b2) b = (b + 3.0f) / 6.0f;
  const QuantizedConv2d fc2 = quantize_conv2d(w2, b2, 2, 8, 1, 1, hidden.params.scale).value();
  const QuantizedMap gate = conv2d_int8(hidden, fc2, image_quant_params()).value();
  const QuantizedMap want = mul_int8(x, gate, q.activations.at("b0.se")).value();
  EXPECT_EQ(got[1].data, want.data);

  // The gates are the float hard-sigmoid gates to within about one step of 1/255 (int8 pooled / hidden values).
  const std::vector<float> x_real = dequantize_map(x);
  std::vector<float> means(8), hid(2), gates(8);
  for (int c = 0; c < 8; ++c) {
    means[c] = std::accumulate(x_real.begin() + c * x.plane_size(), x_real.begin() + (c + 1) * x.plane_size(), 0.0f) /
               static_cast<float>(x.plane_size());
  }
  squeeze_excite_gates_from_pooled(se, means.data(), hid.data(), gates.data());
  for (int c = 0; c < 8; ++c) EXPECT_NEAR(dequantize_value(gate.data[c], gate.params), gates[c], 4.0f / 255) << c;
}

TEST(SamSrInt8, BicubicSkipMatchesTheFloatUpsampleAndKeepsFlatImages) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const Image lr = random_rgb(13, 9, 5);
  const ModelQuantization q = min_max(program, lr);
  const Int8Program int8 = compile_int8_program(program, q).value();
  int bicubic = -1;
  for (std::size_t i = 0; i < int8.steps.size(); ++i) {
    if (int8.steps[i].op == OpKind::kBicubicUpsample) bicubic = static_cast<int>(i);
  }
  ASSERT_GE(bicubic, 0);
  Int8Program only = int8;
  only.outputs = {bicubic};
  only.steps.resize(bicubic + 1);

  // Against the float executor's MATLAB bicubic of the same image: within one LSB of the output scale plus the
  // taps' rounding (at most about 1 % of the signal).
  LayerExecutor ex;
  ASSERT_TRUE(ex.prepare(program, 13, 9).ok());
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 9; ++y) {
      for (int xx = 0; xx < 13; ++xx) ex.input(0).at(c, y, xx) = lr.view<uint8_t>().at(xx, y, c) / 255.0f;
    }
  }
  ex.run();
  const FeatureMap& want = ex.step_output(bicubic);
  const QuantizedMap in = int8_map_from_image<uint8_t>(lr.view<uint8_t>(), image_quant_params());
  const QuantizedMap got = run_int8_reference(only, in).value();
  ASSERT_EQ(got.size(), want.data.size());
  double err = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const float e = std::abs(dequantize_value(got.data[i], got.params) - want.data[i]);
    EXPECT_LE(e, got.params.scale * 1.5f + 0.01f) << i;
    err += e;
  }
  EXPECT_LT(err / got.size(), got.params.scale);

  // A flat image comes out flat, at its own value, in every phase (the taps sum exactly to 1).
  QuantizedMap flat = QuantizedMap::zeros(3, 9, 13, image_quant_params());
  for (int c = 0; c < 3; ++c)
    std::fill(flat.plane(c), flat.plane(c) + flat.plane_size(), static_cast<int8_t>(90 - 60 * c));
  Int8Program identity = only;
  identity.steps[bicubic].output = image_quant_params();
  const QuantizedMap up = run_int8_reference(identity, flat).value();
  for (int c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < up.plane_size(); ++i) ASSERT_EQ(up.plane(c)[i], 90 - 60 * c) << c << " " << i;
  }
}

TEST(SamSrInt8, WholeNetworkRunsFusedCloseToFloat) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const Image lr = random_rgb(16, 12, 6);
  const ModelQuantization q = min_max(program, lr);
  SessionOptions one;
  one.threads = 1;
  Session fp = Session::create(m.graph, m.tensors, one).value();
  Result<Session> i8 = Session::create(m.graph, m.tensors, one, q);
  ASSERT_TRUE(i8.ok()) << i8.status().to_string();
  EXPECT_EQ(i8->mode(), ExecutionMode::kInt8Bands);
  Image a = Image::create(64, 48, 3, PixelType::kU8).value(), b = Image::create(64, 48, 3, PixelType::kU8).value();
  ASSERT_TRUE(fp.run_u8(lr.view<uint8_t>(), a.view<uint8_t>()).ok());
  ASSERT_TRUE(i8->run_u8(lr.view<uint8_t>(), b.view<uint8_t>()).ok());
  double abs_sum = 0;
  for (int y = 0; y < 48; ++y) {
    for (int i = 0; i < 64 * 3; ++i) abs_sum += std::abs(a.view<uint8_t>().row(y)[i] - b.view<uint8_t>().row(y)[i]);
  }
  EXPECT_LT(abs_sum / (64 * 48 * 3), 3.0);
}

TEST(SamSrInt8, RejectsWhatItCannotRun) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization good = min_max(program, random_rgb(8, 8, 7));
  ModelQuantization missing = good;
  missing.activations.erase("b0.se/hidden");
  Result<Int8Program> r = compile_int8_program(program, missing);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(r.status().message().find("b0.se/hidden"), std::string::npos) << r.status().message();
  ModelQuantization bad = good;
  bad.activations["b0.se/pooled"] = QuantParams{0.0f, 0};
  EXPECT_FALSE(compile_int8_program(program, bad).ok());
  // An input no larger than the bicubic filters' radius (2 at x4) cannot be mirror-padded as the INT8 form (and its
  // TFLite file's SLICE padding) does: a clear error from both executors, nothing written.
  for (const bool reference : {false, true}) {
    SessionOptions o;
    o.reference = reference;
    Session s = Session::create(m.graph, m.tensors, o, good).value();
    const Image tiny = random_rgb(2, 2, 9);
    Image out = Image::create(8, 8, 3, PixelType::kU8).value();
    const Status st = s.run_u8(tiny.view<uint8_t>(), out.view<uint8_t>());
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << reference;
    EXPECT_NE(st.message().find("filter radius"), std::string::npos) << st.message();
  }
  ModelQuantization stray = good;
  stray.activations["head/pooled"] = QuantParams{0.1f, 0};  // only squeeze-excites have internal activations
  EXPECT_EQ(compile_int8_program(program, stray).status().code(), StatusCode::kCorruptData);

  // A sigmoid-gated channel attention (IMDN's, mean + std pooling) has no integer form.
  GraphBuilder b("cca", 2);
  const int x = b.input("x", 3);
  const int c =
      b.channel_attention(b.conv(x, "conv", 4, 3), "cca", "cca.fc1", "cca.fc2", 2, SePool::kMeanStd, SeGate::kSigmoid);
  b.output(b.pixel_shuffle(b.conv(c, "tail", 12, 3), 2));
  const Model cca = with_random_tensors(std::move(b).finish(), 2);
  const Program cca_program = compile_program(cca.graph, cca.tensors).value();
  ModelQuantization cq;
  for (const Step& st : cca_program.steps) cq.activations[st.node.name] = QuantParams{0.05f, 0};
  cq.activations["cca/pooled"] = cq.activations["cca/hidden"] = QuantParams{0.05f, 0};
  r = compile_int8_program(cca_program, cq);
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("squeeze-excite"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace litesr
