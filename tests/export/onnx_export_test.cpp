// ONNX export: structure (onnx::checker + shape inference) and numerical parity with the reference executor,
// checked by a real runtime (ONNX Runtime via tools/ort_run.js) on crops of samples/sample.png.
#include "export/onnx_export.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "export/export_test_support.h"
#include "export/float16.h"
#include "export/ort_runner.h"
#include "io/image_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "runtime/model_quantization.h"
#include "runtime/phase_filter.h"
#include "runtime/reference_executor.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using namespace litesr::testing;  // NOLINT(google-build-using-namespace): test helpers

class OnnxParity : public ::testing::TestWithParam<ExportCase> {};

TEST_P(OnnxParity, MatchesReferenceExecutorInOnnxRuntime) {
  const ExportCase& c = GetParam();
  const ModelFile model = random_model(c.arch, c.scale, c.config, 3);
  auto bytes = export_onnx(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  LITESR_REQUIRE_ORT();
  testing::TempDir dir;
  // Two sizes through the same file: H and W are dynamic. Odd sizes on purpose.
  for (const auto& [w, h] : {std::pair{37, 29}, std::pair{24, 40}}) {
    const FeatureMap input = sample_crop(101, 77, w, h);
    auto ort = testing::run_onnx_runtime(*bytes, input, dir.path());
    ASSERT_TRUE(ort.ok()) << ort.status().to_string();
    const FeatureMap ref = reference(model, input);
    ASSERT_EQ(ort->height, h * c.scale);
    ASSERT_EQ(ort->width, w * c.scale);
    EXPECT_LE(max_abs_diff(*ort, ref), 1e-4f) << c.label << " at " << w << "x" << h;
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, OnnxParity, ::testing::ValuesIn(export_cases()),
                         [](const auto& info) { return info.param.label; });

// Every built-in single-call model (the shipped weights) runs in ONNX Runtime on a real image crop and
// matches the reference executor. The recurrent evsrnet-x4 step has four inputs, which tools/ort_run.js does
// not feed; its export is checked structurally (EvsrnetRecurrentIsExportedAsOneStep) and, with all inputs,
// in Arm NN (TfliteExport.BuiltinModelsMatchInArmNn).
TEST(OnnxExport, BuiltinModelsMatchInOnnxRuntime) {
  LITESR_REQUIRE_ORT();
  testing::TempDir dir;
  for (const std::string& name : models::builtin_model_names()) {
    SCOPED_TRACE(name);
    auto model = models::resolve_model(name, name == "bicubic" ? 4 : 0);
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    auto graph = models::build_graph(*model);
    ASSERT_TRUE(graph.ok());
    if (graph->inputs.size() != 1) continue;
    // INT8 models (elsr-x4-int8) export in QDQ form, which ONNX Runtime rounds differently: checked against the
    // INT8 reference in onnx_qdq_export_test.cpp instead.
    if (is_quantized_model(*model)) continue;
    auto bytes = export_onnx(*model);
    ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
    const FeatureMap input = sample_crop(frame_channels(*graph), 60, 40, 31, 23);  // RGB or luma frames
    auto ort = testing::run_onnx_runtime(*bytes, input, dir.path());
    ASSERT_TRUE(ort.ok()) << ort.status().to_string();
    EXPECT_LE(max_abs_diff(*ort, reference(*model, input)), 1e-4f);
  }
}

TEST(OnnxExport, EvsrnetFrameParallelRunsTheWindowAsABatch) {
  const ModelFile model =
      random_model("evsrnet", 4, R"({"scale": 4, "nc": 8, "nb": 5, "frames": 3, "mode": "frame_parallel"})", 5);
  auto bytes = export_onnx(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok());
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  ASSERT_EQ(proto.graph().input(0).type().tensor_type().shape().dim(1).dim_value(), 9);
  ASSERT_EQ(proto.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 9);
  LITESR_REQUIRE_ORT();
  testing::TempDir dir;
  const FeatureMap input = stack({sample_crop(0, 0, 33, 21), sample_crop(3, 2, 33, 21), sample_crop(7, 4, 33, 21)});
  auto ort = testing::run_onnx_runtime(*bytes, input, dir.path());
  ASSERT_TRUE(ort.ok()) << ort.status().to_string();
  EXPECT_LE(max_abs_diff(*ort, reference(model, input)), 1e-4f);
}

TEST(OnnxExport, EvsrnetRecurrentIsExportedAsOneStep) {
  const ModelFile model =
      random_model("evsrnet", 4, R"({"scale": 4, "nc": 8, "nb": 2, "frames": 4, "mode": "recurrent"})", 5);
  auto bytes = export_onnx(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  std::vector<std::string> inputs, outputs;
  for (const auto& v : proto.graph().input()) inputs.push_back(v.name());
  for (const auto& v : proto.graph().output()) outputs.push_back(v.name());
  EXPECT_EQ(inputs, (std::vector<std::string>{"x_prev", "x_t", "h_prev", "o_prev"}));
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0], "sr");
}

TEST(OnnxExport, ModelStructure) {
  const ModelFile model = random_model("elsr", 4, R"({"scale": 4, "channels": 6})");
  auto bytes = export_onnx(model);
  ASSERT_TRUE(bytes.ok());
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  EXPECT_EQ(proto.opset_import(0).version(), kOnnxOpset);
  EXPECT_GE(proto.opset_import(0).version(), 13);
  ASSERT_EQ(proto.graph().input_size(), 1);
  ASSERT_EQ(proto.graph().output_size(), 1);
  EXPECT_EQ(proto.graph().input(0).name(), "lr");
  EXPECT_EQ(proto.graph().output(0).name(), "sr");
  const auto& dims = proto.graph().input(0).type().tensor_type().shape();
  ASSERT_EQ(dims.dim_size(), 4);
  EXPECT_EQ(dims.dim(0).dim_value(), 1);
  EXPECT_EQ(dims.dim(1).dim_value(), 3);
  EXPECT_EQ(dims.dim(2).dim_param(), "H");
  EXPECT_EQ(dims.dim(3).dim_param(), "W");
  std::map<std::string, int> ops;
  for (const auto& n : proto.graph().node()) {
    ++ops[n.op_type()];
    if (n.op_type() == "DepthToSpace") {
      for (const auto& a : n.attribute()) {
        if (a.name() == "mode") {
          EXPECT_EQ(a.s(), "CRD");
        }
      }
    }
    if (n.op_type() == "PRelu") {
      for (const auto& init : proto.graph().initializer()) {
        if (init.name() == n.input(1)) {
          EXPECT_EQ(std::vector<int64_t>(init.dims().begin(), init.dims().end()), (std::vector<int64_t>{6, 1, 1}));
        }
      }
    }
  }
  EXPECT_EQ(ops["Conv"], 4);
  EXPECT_EQ(ops["PRelu"], 1);
  EXPECT_EQ(ops["Add"], 1);
  EXPECT_EQ(ops["DepthToSpace"], 1);
  std::map<std::string, std::string> meta;
  for (const auto& p : proto.metadata_props()) meta[p.key()] = p.value();
  EXPECT_EQ(meta["litesr.arch"], "elsr");
  EXPECT_EQ(meta["litesr.scale"], "4");
}

TEST(OnnxExport, BatchNormIsFoldedAndSqueezeExciteUsesPoolAndGate) {
  const ModelFile model = random_model(
      "sam_sr", 4,
      R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": true, "bicubic_a": -0.75, "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})");
  auto bytes = export_onnx(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  std::map<std::string, int> ops;
  for (const auto& n : proto.graph().node()) {
    ++ops[n.op_type()];
    if (n.op_type() == "Resize") {
      std::map<std::string, std::string> attrs;
      float a = 0.0f;
      for (const auto& at : n.attribute()) {
        if (at.type() == onnx::AttributeProto::STRING) attrs[at.name()] = at.s();
        if (at.name() == "cubic_coeff_a") a = at.f();
      }
      EXPECT_EQ(attrs["mode"], "cubic");
      EXPECT_EQ(attrs["coordinate_transformation_mode"], "half_pixel");
      EXPECT_EQ(a, -0.75f);
    }
  }
  EXPECT_EQ(ops["BatchNormalization"], 0);
  EXPECT_EQ(ops["GlobalAveragePool"], 2);  // one SE per block after the first
  EXPECT_EQ(ops["HardSigmoid"], 2);
  EXPECT_EQ(ops["Resize"], 1);
}

// PixelShuffle order: a pure pixel_shuffle graph with distinct values must match exactly, and the same file
// with DepthToSpace switched to DCR must not (so the parity tests would catch a wrong order).
TEST(OnnxExport, DepthToSpaceUsesPixelShuffleOrder) {
  GraphBuilder b("shuffle", 2);
  b.output(b.pixel_shuffle(b.input("x", 12), 2));
  const Graph graph = std::move(b).finish();
  auto bytes = export_onnx(graph, {});
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok());
  LITESR_REQUIRE_ORT();
  FeatureMap input = FeatureMap::zeros(12, 3, 5);
  for (std::size_t i = 0; i < input.data.size(); ++i) input.data[i] = static_cast<float>(i);
  auto ref = run_reference(graph, {}, {input});
  ASSERT_TRUE(ref.ok());
  testing::TempDir dir;
  auto crd = testing::run_onnx_runtime(*bytes, input, dir.path());
  ASSERT_TRUE(crd.ok()) << crd.status().to_string();
  EXPECT_EQ(max_abs_diff(*crd, (*ref)[0]), 0.0f);

  std::string dcr = *bytes;
  const auto at = dcr.find("CRD");
  ASSERT_NE(at, std::string::npos);
  dcr.replace(at, 3, "DCR");
  ASSERT_TRUE(check_onnx(dcr).ok());
  auto wrong = testing::run_onnx_runtime(dcr, input, dir.path());
  ASSERT_TRUE(wrong.ok()) << wrong.status().to_string();
  EXPECT_GT(max_abs_diff(*wrong, (*ref)[0]), 1.0f);
}

TEST(OnnxExport, ClampOutputClipsToUnitRange) {
  const ModelFile model = random_model("espcn", 2, R"({"scale": 2, "channels": 3})", 11);
  auto bytes = export_onnx(model, {.clamp_output = true});
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(check_onnx(*bytes).ok());
  LITESR_REQUIRE_ORT();
  testing::TempDir dir;
  const FeatureMap input = sample_crop(50, 60, 20, 16);
  auto ort = testing::run_onnx_runtime(*bytes, input, dir.path());
  ASSERT_TRUE(ort.ok()) << ort.status().to_string();
  FeatureMap ref = reference(model, input);
  int outside = 0;
  for (float& v : ref.data) {
    outside += v < 0.0f || v > 1.0f;
    v = std::clamp(v, 0.0f, 1.0f);
  }
  EXPECT_GT(outside, 0) << "random weights should produce values outside [0, 1]";
  EXPECT_LE(max_abs_diff(*ort, ref), 1e-4f);
}

TEST(OnnxExport, Fp16StoresHalfInitializersAndStaysClose) {
  const ModelFile model = random_model(
      "sam_sr", 4,
      R"({"scale": 4, "nf": 8, "n": 2, "se": true, "bn": true, "bicubic_a": -0.5, "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})",
      7);
  auto bytes = export_onnx(model, {.fp16 = true});
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  ASSERT_TRUE(check_onnx(*bytes).ok()) << check_onnx(*bytes).to_string();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  for (const auto& init : proto.graph().initializer()) {
    if (init.data_type() == onnx::TensorProto::INT64) continue;
    if (init.name().find(".scales") != std::string::npos) continue;  // Resize scales are float32 by spec
    EXPECT_EQ(init.data_type(), onnx::TensorProto::FLOAT16) << init.name();
  }
  EXPECT_EQ(proto.graph().input(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(proto.graph().output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
  LITESR_REQUIRE_ORT();
  testing::TempDir dir;
  const FeatureMap input = sample_crop(10, 20, 32, 24);
  auto ort = testing::run_onnx_runtime(*bytes, input, dir.path());
  ASSERT_TRUE(ort.ok()) << ort.status().to_string();
  const float d = max_abs_diff(*ort, reference(model, input));
  EXPECT_LE(d, 2e-2f);
  std::printf("fp16 max |diff| = %g\n", d);
  EXPECT_GT(d, 0.0f);  // it really computed in half precision
}

TEST(OnnxExport, WriteIsAtomicAndRejectsBadModels) {
  testing::TempDir dir;
  const ModelFile model = random_model("elsr", 2, R"({"scale": 2, "channels": 6})");
  ASSERT_TRUE(write_onnx(dir / "m.onnx", model).ok());
  EXPECT_TRUE(check_onnx(testing::read_file_bytes(dir / "m.onnx")).ok());
  EXPECT_FALSE(write_onnx(dir / "missing" / "m.onnx", model).ok());
  EXPECT_FALSE(std::filesystem::exists(dir / "missing"));
  ModelFile broken = model;
  broken.tensors.erase("conv2.weight");
  EXPECT_FALSE(export_onnx(broken).ok());
  EXPECT_EQ(check_onnx("not a model").code(), StatusCode::kCorruptData);
}

TEST(PhaseFilter, BicubicPhasesSumToOneAndMatchTheTable) {
  for (int s = 2; s <= 4; ++s) {
    auto f = make_bicubic_phase_filter(s, BicubicKind::kMatlab);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->radius, 2);
    for (const auto& taps : f->taps) {
      float sum = 0.0f;
      for (float t : taps) sum += t;
      EXPECT_NEAR(sum, 1.0f, 1e-6f);
    }
  }
  // x2, a = −0.5: phase 0 samples at −0.25 → taps at offsets −2..1.
  auto f2 = make_bicubic_phase_filter(2, BicubicKind::kMatlab);
  EXPECT_NEAR(f2->taps[0][0], -0.0234375f, 1e-6f);
  EXPECT_NEAR(f2->taps[0][2], 0.8671875f, 1e-6f);
  EXPECT_EQ(f2->taps[0][4], 0.0f);
}

TEST(Float16, RoundTripAndRounding) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048.0f), 0x3c00);  // tie to even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048.0f), 0x3c02);
  for (uint32_t h = 0; h < 0x7c00; ++h) EXPECT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h);
}

}  // namespace
}  // namespace litesr
