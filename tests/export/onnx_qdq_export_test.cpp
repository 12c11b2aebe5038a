// INT8 ONNX export in QDQ form: structure (onnx::checker + shape inference, int8/int32 constants, one
// QuantizeLinear per step) and agreement with the INT8 oracle (run_int8_reference, TFLite's integers) in a real
// runtime, ONNX Runtime via tools/ort_run.js, on crops of samples/sample.png.
#include "export/onnx_qdq_export.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/image.h"
#include "calibration/calibrate.h"
#include "export/export_model.h"
#include "export/export_test_support.h"
#include "export/ort_runner.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "quant/quantized_map.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"
#include "runtime/program.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using namespace litesr::testing;  // NOLINT(google-build-using-namespace): test helpers

// A smooth u8 RGB picture with hard edges and a little noise (what SR inputs look like), different per seed.
Image picture(int w, int h, uint32_t seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  std::mt19937 rng(seed);
  const double fx = 0.05 + (rng() % 100) / 1000.0, fy = 0.03 + (rng() % 100) / 1000.0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 90 * std::sin(fx * x * (c + 1) + fy * y) + ((x / 9 + y / 7) % 2 ? 20 : -20);
        img.view<uint8_t>().at(x, y, c) =
            static_cast<uint8_t>(std::clamp(v + static_cast<int>(rng() % 9) - 4, 0.0, 255.0));
      }
    }
  }
  return img;
}

// Post-training quantization of a float graph: ranges by `method` calibrated on four generated 40x32 LR pictures
// (the `litesr quantize` path without the image files and the held-out choice).
Result<ModelQuantization> calibrate(const Graph& graph, const TensorMap& tensors,
                                    RangeMethod method = RangeMethod::kMse) {
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors));
  std::vector<Image> images;
  for (uint32_t i = 0; i < 4; ++i) images.push_back(picture(40, 32, 7 + i));
  LITESR_ASSIGN_OR_RETURN(const ActivationStats stats, observe_activations(program, images));
  return quantization_from_stats(program, stats, method);
}

// The INT8 model file: the float model plus litesr.quantization.
Result<ModelFile> quantized(ModelFile model) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  LITESR_ASSIGN_OR_RETURN(const ModelQuantization q, calibrate(graph, model.tensors));
  model.metadata[std::string(kMetaQuantization)] = model_quantization_json(q);
  return model;
}

// run_int8_reference on `input` ([C, H, W] in [0, 1], quantized with the input step's parameters like the
// exported QuantizeLinear), dequantized; `output` receives the output step's parameters.
Result<FeatureMap> int8_reference(const Graph& graph, const TensorMap& tensors, const ModelQuantization& q,
                                  const FeatureMap& input, QuantParams& output) {
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, tensors));
  LITESR_ASSIGN_OR_RETURN(const Int8Program int8, compile_int8_program(program, q));
  const QuantizedMap in =
      quantize_map(input.channels, input.height, input.width, input.data, int8.steps[int8.inputs[0]].output);
  LITESR_ASSIGN_OR_RETURN(const QuantizedMap out, run_int8_reference(int8, in));
  output = out.params;
  FeatureMap m = FeatureMap::zeros(out.channels, out.height, out.width);
  m.data = dequantize_map(out);
  return m;
}

// ORT vs the oracle, in steps of the output scale.
struct StepAgreement {
  double max_steps = 0;       // largest |Δ| / s_out
  double exact_fraction = 0;  // |Δ| < 0.5 step: the same integer
  double within_one = 0;      // |Δ| <= 1 step
};
StepAgreement compare_steps(const FeatureMap& ort, const FeatureMap& ref, float output_scale) {
  StepAgreement a;
  EXPECT_EQ(ort.data.size(), ref.data.size());
  if (ort.data.size() != ref.data.size() || ref.data.empty()) return {1e9, 0, 0};
  std::size_t exact = 0, one = 0;
  for (std::size_t i = 0; i < ref.data.size(); ++i) {
    const double d = std::abs(static_cast<double>(ort.data[i]) - ref.data[i]) / output_scale;
    a.max_steps = std::max(a.max_steps, d);
    exact += d < 0.5;
    one += d < 1.5;  // 1 step (the values are on the same grid: |Δ| is a whole number of steps up to float error)
  }
  a.exact_fraction = static_cast<double>(exact) / ref.data.size();
  a.within_one = static_cast<double>(one) / ref.data.size();
  return a;
}

// Runs `bytes` (the QDQ export of INT8 `model`) in ORT on two odd crops and compares with the oracle. Returns
// the worst agreement over both crops.
StepAgreement ort_agreement(const std::string& bytes, const ModelFile& model, const std::string& label) {
  const Graph graph = models::build_graph(model).value();
  const ModelQuantization q = read_model_quantization(model).value();
  TempDir dir;
  StepAgreement worst{0, 1, 1};
  for (const auto& [w, h] : {std::pair{37, 29}, std::pair{24, 40}}) {
    const FeatureMap input = sample_crop(101, 77, w, h);
    const Result<FeatureMap> ort = run_onnx_runtime(bytes, input, dir.path());
    EXPECT_TRUE(ort.ok()) << label << ": " << ort.status().to_string();
    if (!ort.ok()) return {1e9, 0, 0};
    QuantParams out_params;
    const Result<FeatureMap> ref = int8_reference(graph, model.tensors, q, input, out_params);
    EXPECT_TRUE(ref.ok()) << label << ": " << ref.status().to_string();
    if (!ref.ok()) return {1e9, 0, 0};
    EXPECT_EQ(ort->height, h * graph.scale);
    EXPECT_EQ(ort->width, w * graph.scale);
    const StepAgreement a = compare_steps(*ort, *ref, out_params.scale);
    std::printf("[ qdq ] %s %dx%d: max %.3f steps, exact %.5f, within 1 step %.6f\n", label.c_str(), w, h, a.max_steps,
                a.exact_fraction, a.within_one);
    worst.max_steps = std::max(worst.max_steps, a.max_steps);
    worst.exact_fraction = std::min(worst.exact_fraction, a.exact_fraction);
    worst.within_one = std::min(worst.within_one, a.within_one);
  }
  return worst;
}

// What ORT must reach against the oracle, on every crop.
//
// Why they differ at all: TFLite (run_int8_reference) requantizes an int32 accumulator with
// MultiplyByQuantizedMultiplier, which rounds twice — to 2^−shift of a step, then half away from zero — so an exact
// −16.498 steps becomes −16.5 and then −17. ONNX defines QuantizeLinear on the real value (round half to even), and
// ORT computes it so: its fused QLinearConv (uint8 after its s8 -> u8 rewrite, float multiplier) and its unfused
// dequantize -> float op -> quantize path gave the same outputs here at every optimization level. On elsr-x4 about
// 0.3 % of the first conv's outputs differ by one step, every one such a double-rounding case (checked by hand).
// Each later layer reads some differing inputs and, where its weights are large against its scale ratio, turns a
// one-step input difference into several output steps: trained weights amplify far more than random ones.
//
// Measured (ORT 1.22 CPU via onnxruntime-node, x86-64 with AVX512-VNNI; max |Δ| in output steps, fraction equal,
// fraction within 1 step; output step = 1/255 for these models):
//   random elsr x2 / x3 / x4   1 step,  99.5-99.8 % exact, 100 % within 1
//   random espcn x3 (tanh)     1 step,  98.3 % exact,      100 % within 1
//   random fsrcnn-s x4         1 step,  99.1 % exact,      100 % within 1
//   mixed graph (every op)     1 step,  90.7 % exact,      100 % within 1 (more requantizing ops: fixed-point
//                              add / leaky_relu / prelu rescaling, a quantized partial sum, 256-entry tables)
//   random sam_sr x4           2 steps, 93.3-93.6 % exact, 99.99 % within 1 (squeeze-excite: mean, two 1x1
//                              convs and a mul per block, then the bicubic skip's add; the mixed graph's bound)
//   trained elsr-x4            3 steps, 71.0-71.4 % exact, 98.3 % within 1 (the held-out-chosen weights shipped
//                              2026-12-04; the Set5-chosen ones before them: 4 steps, 84.2 % exact, 98.8 %)
struct AgreementBound {
  double within_one;  // minimum fraction within 1 step
  double exact;       // minimum fraction equal
  double max_steps;   // maximum |Δ| in steps
};
constexpr AgreementBound kRandomWeights{0.999, 0.97, 2.0};
constexpr AgreementBound kMixed{0.999, 0.85, 2.0};
// Trained weights: the test's measurement above (how many outputs a double-rounding difference reaches depends on
// the weights: 71-84 % exact over two trainings of the same recipe); `litesr quantize elsr-x4 --calib T91
// --max-images 16` on the whole 320x240 samples/sample.png gave 5 steps, 82.1 % exact, 98.3 % within 1 (the earlier
// weights). A wrong scale, zero point or layout is tens of steps off on most pixels.
constexpr AgreementBound kTrainedElsr{0.97, 0.65, 6.0};
// The recurrent evsrnet-x4-int8 step: twelve convs and five residual adds, each rounded in float by ORT, and an
// 8-channel trunk whose one step is 8 steps of h. Measured (2026-12-05): sr 26 % exact, 60 % within 1, max 9 steps;
// h_out 47 % / 57 % / 16; tail_out 26 % / 67 % / 9 (Arm NN's CpuRef is as far: mean 1.2-2.1 steps); the weights of
// the longer QAT shipped later that day: sr 28 % / 65 % / 9, h_out 47 % / 58 % / 22, tail_out 28 % / 72 % / 8. A
// wrong scale, zero point or layout is tens of steps off on most samples.
constexpr AgreementBound kTrainedRecurrent{0.50, 0.20, 26.0};

void expect_agreement(const StepAgreement& a, const AgreementBound& bound, const std::string& label) {
  EXPECT_GE(a.within_one, bound.within_one) << label;
  EXPECT_GE(a.exact_fraction, bound.exact) << label;
  EXPECT_LE(a.max_steps, bound.max_steps + 0.01) << label;  // + float error of the dequantized values
}

struct QdqCase {
  std::string label, arch;
  int scale;
  std::string config;
};

class OnnxQdqParity : public ::testing::TestWithParam<QdqCase> {};

// Random weights, calibrated ranges: ELSR at every scale, ESPCN (tanh), FSRCNN-s (PReLU, the lowered
// conv_transpose2d: conv + pixel shuffle).
TEST_P(OnnxQdqParity, MatchesInt8ReferenceInOnnxRuntime) {
  const QdqCase& c = GetParam();
  const Result<ModelFile> model = quantized(random_model(c.arch, c.scale, c.config, 3));
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  const Result<std::string> bytes = export_onnx_qdq(*model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  LITESR_REQUIRE_ORT();
  expect_agreement(ort_agreement(*bytes, *model, c.label), c.arch == "sam_sr" ? kMixed : kRandomWeights, c.label);
}

INSTANTIATE_TEST_SUITE_P(Architectures, OnnxQdqParity,
                         ::testing::Values(QdqCase{"elsr_x2", "elsr", 2, R"({"scale": 2, "channels": 6})"},
                                           QdqCase{"elsr_x3", "elsr", 3, R"({"scale": 3, "channels": 6})"},
                                           QdqCase{"elsr_x4", "elsr", 4, R"({"scale": 4, "channels": 6})"},
                                           QdqCase{"espcn_x3", "espcn", 3, R"({"scale": 3, "channels": 3})"},
                                           QdqCase{"fsrcnn_s_x4", "fsrcnn", 4,
                                                   R"({"scale": 4, "d": 32, "s": 5, "m": 1, "channels": 3})"},
                                           // squeeze-excite (ReduceMean, Conv, Mul) and both bicubic skips
                                           QdqCase{"sam_sr_matlab", "sam_sr", 4,
                                                   R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": true,
                                                       "bicubic_a": -0.5, "se_gate": "hard_sigmoid",
                                                       "upsampler": "candidate_a"})"},
                                           QdqCase{"sam_sr_pytorch", "sam_sr", 4,
                                                   R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": false,
                                                       "bicubic_a": -0.75, "se_gate": "hard_sigmoid",
                                                       "upsampler": "candidate_a"})"}),
                         [](const auto& info) { return info.param.label; });

// The shipped elsr-x4 weights quantized on generated pictures, exported through `litesr export`'s path
// (export_model on the written INT8 file).
TEST(OnnxQdqExport, TrainedElsrThroughExportModel) {
  const Result<ModelFile> model = quantized(models::resolve_model("elsr-x4").value());
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  TempDir dir;
  const std::filesystem::path path = dir.path() / "elsr-x4-int8.safetensors";
  ASSERT_TRUE(write_model_file(path, *model).ok());
  ExportRequest request;
  request.model = path.string();
  const Result<std::string> bytes = export_model(request);  // checked by check_onnx inside
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  int quantize = 0;
  for (const onnx::NodeProto& n : proto.graph().node()) quantize += n.op_type() == "QuantizeLinear";
  EXPECT_EQ(quantize, static_cast<int>(read_model_quantization(*model).value().activations.size()));
  LITESR_REQUIRE_ORT();
  expect_agreement(ort_agreement(*bytes, *model, "elsr-x4 (trained)"), kTrainedElsr, "elsr-x4 (trained)");
}

// The shipped video model's recurrent step (evsrnet-x4-int8): inputs x_prev, x_t, h_prev, o_prev and outputs sr,
// h_out, tail_out (float32, quantized / dequantized inside); on a second step (the first one's states fed back) every
// output in ONNX Runtime is the INT8 oracle's up to ORT's float requantization.
TEST(OnnxQdqExport, RecurrentStepMatchesInt8ReferenceInOnnxRuntime) {
  const ModelFile model = models::resolve_model("evsrnet-x4-int8").value();
  const Result<std::string> bytes = export_onnx_qdq(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  std::vector<std::string> names;
  for (const auto& v : proto.graph().input()) names.push_back(v.name());
  for (const auto& v : proto.graph().output()) names.push_back(v.name());
  EXPECT_EQ(names, (std::vector<std::string>{"x_prev", "x_t", "h_prev", "o_prev", "sr", "h_out", "tail_out"}));

  const Int8Program p = compile_int8_program(compile_program(models::build_graph(model).value(), model.tensors).value(),
                                             read_model_quantization(model).value())
                            .value();
  const int w = 23, h = 17;
  auto frame = [&](int x0) {
    const FeatureMap crop = sample_crop(x0, 60, w, h);
    return quantize_map(3, h, w, crop.data, p.steps[p.inputs[1]].output);
  };
  std::vector<QuantizedMap> in{frame(40), frame(40)};
  for (std::size_t i = 2; i < p.inputs.size(); ++i) {  // zero states
    const Int8Step& s = p.steps[p.inputs[i]];
    in.push_back(QuantizedMap::zeros(s.channels, h, w, s.output));
    std::fill(in.back().data.begin(), in.back().data.end(), static_cast<int8_t>(s.output.zero_point));
  }
  const std::vector<QuantizedMap> first = run_int8_reference(p, in).value();
  in = {in[1], frame(41), first[1], first[2]};
  const std::vector<QuantizedMap> want = run_int8_reference(p, in).value();
  LITESR_REQUIRE_ORT();
  std::vector<FeatureMap> ort_in;
  for (const QuantizedMap& m : in) {  // on the integer grid: the file's QuantizeLinear gives the same integers
    FeatureMap f = FeatureMap::zeros(m.channels, m.height, m.width);
    f.data = dequantize_map(m);
    ort_in.push_back(std::move(f));
  }
  TempDir dir;
  const Result<std::vector<FeatureMap>> ort = run_onnx_runtime(*bytes, ort_in, dir.path());
  ASSERT_TRUE(ort.ok()) << ort.status().to_string();
  ASSERT_EQ(ort->size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    FeatureMap ref = FeatureMap::zeros(want[k].channels, want[k].height, want[k].width);
    ref.data = dequantize_map(want[k]);
    const StepAgreement a = compare_steps((*ort)[k], ref, want[k].params.scale);
    std::printf("[ qdq ] evsrnet-x4-int8 %s: max %.3f steps, exact %.5f, within 1 step %.6f\n", names[4 + k].c_str(),
                a.max_steps, a.exact_fraction, a.within_one);
    expect_agreement(a, kTrainedRecurrent, names[4 + k]);
  }
}

// Every op with an integer form in one graph: relu, leaky_relu, depthwise and 1x1 convs, a 3-input add, tanh,
// sigmoid, slice, concat, prelu, pixel shuffle.
Graph mixed_graph() {
  GraphBuilder b("mixed", 2);
  const int x = b.input("x", 3);
  const int h = b.relu(b.conv(x, "head", 8, 3));
  const int e = b.leaky_relu(b.conv(h, "expand", 16, 1), 0.2f);
  const int d = b.relu(b.conv(e, "dw", 16, 3, true, 16));
  const int p = b.add({b.conv(d, "project", 8, 1), h});
  const int t = b.tanh(b.conv(p, "wide", 8, 5));
  const int g = b.sigmoid(b.conv(p, "gate", 8, 1));
  const int c = b.concat({b.slice(t, 0, 4), b.slice(g, 4, 8)});
  const int body = b.prelu(b.add({b.conv(c, "r1", 8, 3), c, p}), "act");
  b.output(b.pixel_shuffle(b.conv(body, "tail", 12, 3), 2));
  return std::move(b).finish();
}

TensorMap random_tensors(const Graph& graph, uint32_t seed) {
  TensorMap tensors;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  const std::vector<TensorSpec> specs = expected_tensors(graph).value();
  for (const TensorSpec& spec : specs) {
    Tensor t;
    t.shape = spec.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    const bool conv_weight = spec.shape.size() == 4;
    const float bound =
        conv_weight ? 1.0f / std::sqrt(static_cast<float>(spec.shape[1] * spec.shape[2] * spec.shape[3])) : 1.0f;
    for (float& v : t.data) v = u(rng) * bound + (conv_weight ? 0.0f : 0.1f);
    tensors[spec.name] = std::move(t);
  }
  return tensors;
}

TEST(OnnxQdqExport, EveryInt8OpMatchesInOnnxRuntime) {
  const Graph graph = mixed_graph();
  const TensorMap tensors = random_tensors(graph, 5);
  // Percentile ranges: HistogramObserver::mse_range throws on a tensor whose values are all positive (its clipped
  // upper candidates fall below the minimum: a min > max range), which this graph has.
  const Result<ModelQuantization> q = calibrate(graph, tensors, RangeMethod::kPercentile);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  OnnxExportOptions clamp;
  clamp.clamp_output = true;
  const Result<std::string> bytes = export_onnx_qdq(graph, tensors, *q, clamp);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  std::map<std::string, int> ops;
  for (const onnx::NodeProto& n : proto.graph().node()) ++ops[n.op_type()];
  for (const char* op :
       {"Conv", "Relu", "LeakyRelu", "Add", "Tanh", "Sigmoid", "Slice", "Concat", "PRelu", "DepthToSpace", "Clip"}) {
    EXPECT_GT(ops[op], 0) << op;
  }
  LITESR_REQUIRE_ORT();
  TempDir dir;
  const FeatureMap input = sample_crop(40, 60, 31, 23);
  const Result<FeatureMap> ort = run_onnx_runtime(*bytes, input, dir.path());
  ASSERT_TRUE(ort.ok()) << ort.status().to_string();
  QuantParams out_params;
  Result<FeatureMap> ref = int8_reference(graph, tensors, *q, input, out_params);
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  for (float& v : ref->data) v = std::clamp(v, 0.0f, 1.0f);  // --clamp
  const StepAgreement a = compare_steps(*ort, *ref, out_params.scale);
  std::printf("[ qdq ] mixed 31x23: max %.3f steps, exact %.5f, within 1 step %.6f\n", a.max_steps, a.exact_fraction,
              a.within_one);
  expect_agreement(a, kMixed, "mixed");
}

// The file's form: float "lr" in, QuantizeLinear at the input step's params, int8 per-channel weights and int32
// biases behind DequantizeLinear(axis 0), one QuantizeLinear + DequantizeLinear per step, float "sr" out.
TEST(OnnxQdqExport, FileHasQdqForm) {
  const ModelFile model = quantized(random_model("elsr", 2, R"({"scale": 2, "channels": 6})")).value();
  const ModelQuantization q = read_model_quantization(model).value();
  const Result<std::string> bytes = export_onnx_qdq(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  EXPECT_EQ(proto.opset_import(0).version(), kOnnxOpset);
  const onnx::GraphProto& g = proto.graph();
  ASSERT_EQ(g.input_size(), 1);
  EXPECT_EQ(g.input(0).name(), "lr");
  EXPECT_EQ(g.input(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  ASSERT_EQ(g.output_size(), 1);
  EXPECT_EQ(g.output(0).name(), "sr");
  EXPECT_EQ(g.output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);

  std::map<std::string, const onnx::TensorProto*> inits;
  for (const onnx::TensorProto& t : g.initializer()) inits[t.name()] = &t;
  ASSERT_TRUE(inits.count("conv1.weight"));
  EXPECT_EQ(inits["conv1.weight"]->data_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(inits["conv1.weight"]->dims_size(), 4);
  EXPECT_EQ(inits["conv1.weight_scale"]->dims(0), 6);  // per output channel
  EXPECT_EQ(inits["conv1.bias"]->data_type(), onnx::TensorProto::INT32);
  EXPECT_EQ(inits["prelu.slope"]->data_type(), onnx::TensorProto::INT8);
  // The bias scale is s_in · s_w[o]: the input's 1/255 times the weight scale.
  float s_w0, s_b0;
  std::memcpy(&s_w0, inits["conv1.weight_scale"]->raw_data().data(), 4);
  std::memcpy(&s_b0, inits["conv1.bias_scale"]->raw_data().data(), 4);
  EXPECT_EQ(s_b0, image_quant_params().scale * s_w0);

  int quantize = 0, dequantize_axis0 = 0;
  std::string first_quantize_input;
  for (const onnx::NodeProto& n : g.node()) {
    if (n.op_type() == "QuantizeLinear") {
      if (quantize++ == 0) first_quantize_input = n.input(0);
    }
    if (n.op_type() == "DequantizeLinear" && n.attribute_size() == 1 && n.attribute(0).name() == "axis") {
      ++dequantize_axis0;
    }
  }
  EXPECT_EQ(first_quantize_input, "lr");
  EXPECT_EQ(quantize, static_cast<int>(q.activations.size()));  // one per step (2-input adds have no partial sums)
  EXPECT_EQ(dequantize_axis0, 2 * 4);                           // weight and bias of each of ELSR's 4 convs
  EXPECT_EQ(g.node(g.node_size() - 1).op_type(), "DequantizeLinear");  // no --clamp: the output step's DQ is "sr"
  EXPECT_EQ(g.node(g.node_size() - 1).output(0), "sr");
  bool has_quantization = false;
  for (const auto& p : proto.metadata_props()) has_quantization |= p.key() == kMetaQuantization;
  EXPECT_TRUE(has_quantization);
}

TEST(OnnxQdqExport, Fp16FloatModelsAndOpsWithoutIntegerFormAreClearErrors) {
  const ModelFile model = quantized(random_model("elsr", 2, R"({"scale": 2, "channels": 6})")).value();
  OnnxExportOptions fp16;
  fp16.fp16 = true;
  Result<std::string> r = export_onnx_qdq(model, fp16);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("fp16"), std::string::npos) << r.status().message();
  // Through export_model (`litesr export --fp16`) too, the model named.
  TempDir dir;
  const std::filesystem::path path = dir.path() / "int8.safetensors";
  ASSERT_TRUE(write_model_file(path, model).ok());
  ExportRequest request;
  request.model = path.string();
  request.fp16 = true;
  r = export_model(request);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("int8.safetensors"), std::string::npos) << r.status().message();

  // A float model has nothing to write in QDQ form.
  r = export_onnx_qdq(random_model("elsr", 2, R"({"scale": 2, "channels": 6})"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  // Ops without an integer form: MSRResNet's bilinear skip, a sigmoid-gated squeeze-excite; the step is named.
  const ModelFile msr = random_model("msrresnet", 4, R"({"scale": 4, "nc": 8, "nb": 1})");
  const Graph msr_graph = models::build_graph(msr).value();
  ModelQuantization any;
  const Program msr_program = compile_program(msr_graph, msr.tensors).value();
  for (const Step& s : msr_program.steps) {
    any.activations[s.node.name] = QuantParams{0.05f, 0};
  }
  r = export_onnx_qdq(msr_graph, msr.tensors, any);
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("bilinear_upsample"), std::string::npos) << r.status().message();

  GraphBuilder b("se", 2);
  const int x = b.input("x", 3);
  const int s = b.squeeze_excite(b.conv(x, "conv", 4, 3), "se", 2, SeGate::kSigmoid);
  b.output(b.pixel_shuffle(b.conv(s, "tail", 12, 3), 2));
  const Graph se = std::move(b).finish();
  const TensorMap se_tensors = random_tensors(se, 2);
  ModelQuantization se_q;
  const Program se_program = compile_program(se, se_tensors).value();
  for (const Step& st : se_program.steps) {
    se_q.activations[st.node.name] = QuantParams{0.05f, 0};
  }
  se_q.activations["se/pooled"] = se_q.activations["se/hidden"] = QuantParams{0.05f, 0};
  r = export_onnx_qdq(se, se_tensors, se_q);
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("squeeze-excite"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'se'"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace litesr
