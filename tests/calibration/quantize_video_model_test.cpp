// INT8 video models: `litesr quantize` of the recurrent EVSRNet step (calibration on static windows, state inputs
// tied to their state outputs), the INT8 MultiFrameSession (state carried as int8 maps, equal to a loop of
// run_int8_reference bit for bit) and a file whose state parameters are not tied. (INT8 export of the step:
// tests/export, a clear error for now.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "calibration/quantize_model.h"
#include "eval/metrics.h"
#include "io/image_file.h"
#include "models/registry.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"
#include "runtime/multi_frame_session.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::TempDir;

// A smooth RGB frame with edges that drift with `t` (a small global motion), different per seed.
Image moving_picture(int w, int h, uint32_t seed, int t) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  std::mt19937 rng(seed);
  const double fx = 0.05 + (rng() % 100) / 1000.0, fy = 0.03 + (rng() % 100) / 1000.0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int xs = x + t;
      for (int c = 0; c < 3; ++c) {
        const double v = 128 + 90 * std::sin(fx * xs * (c + 1) + fy * y) + ((xs / 9 + y / 7) % 2 ? 20 : -20);
        img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return img;
}

class QuantizeVideoModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    std::filesystem::create_directories(dir_->path() / "calib");
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(
          write_image(dir_->path() / "calib" / ("img" + std::to_string(i) + ".png"), moving_picture(80, 64, 7 + i, 0))
              .ok());
    }
    QuantizeOptions options;
    options.calib_dir = dir_->path() / "calib";
    Result<QuantizeResult> r = quantize_model(std::string("evsrnet-x4"), options);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    result_ = new QuantizeResult(std::move(r).value());
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  static ModelQuantization quantization() { return read_model_quantization(result_->model).value(); }

  static TempDir* dir_;
  static QuantizeResult* result_;
};
TempDir* QuantizeVideoModel::dir_ = nullptr;
QuantizeResult* QuantizeVideoModel::result_ = nullptr;

TEST_F(QuantizeVideoModel, StateInputsTakeTheirStateOutputsParameters) {
  const ModelQuantization q = quantization();
  EXPECT_EQ(result_->calibration_images, 5);
  EXPECT_EQ(result_->held_out_images, 1);
  // Frames in and out at the image's parameters; the states calibrated, each input tied to its output.
  EXPECT_EQ(q.activations.at("x_prev"), image_quant_params());
  EXPECT_EQ(q.activations.at("x_t"), image_quant_params());
  EXPECT_EQ(q.activations.at("frame"), image_quant_params());
  EXPECT_EQ(q.activations.at("h_prev"), q.activations.at("h"));
  EXPECT_EQ(q.activations.at("o_prev"), q.activations.at("tail"));
  // The pre-shuffle state is not clamped to the image range (the float state never is).
  EXPECT_FALSE(q.activations.at("tail") == image_quant_params());
  // Close to the float model on the held-out image (both scored as static windows).
  for (const MethodScore& m : result_->scores) EXPECT_GT(m.psnr_y, result_->float_psnr_y - 0.5) << m.psnr_y;
}

// The INT8 session carries x_prev and the states as int8 maps: a loop of run_int8_reference over the frames gives
// its outputs bit for bit, and it stays within a fraction of a dB of the float model over a moving sequence.
TEST_F(QuantizeVideoModel, Int8SessionEqualsTheReferenceLoopAndTracksTheFloatModel) {
  const ModelFile& model = result_->model;
  Result<MultiFrameSession> int8 = models::create_multi_frame_session(model);
  ASSERT_TRUE(int8.ok()) << int8.status().to_string();
  EXPECT_EQ(int8->mode(), ExecutionMode::kInt8Reference);
  ModelFile float_model = model;
  float_model.metadata.erase(std::string(kMetaQuantization));
  Result<MultiFrameSession> fp32 = models::create_multi_frame_session(float_model);
  ASSERT_TRUE(fp32.ok()) << fp32.status().to_string();

  const Graph graph = models::build_graph(model).value();
  const Program program = compile_program(graph, model.tensors).value();
  const Int8Program p = compile_int8_program(program, quantization()).value();
  const int w = 24, h = 16, s = 4, frames = 13;  // more than one window of 10: the state resets at frame 10
  std::vector<QuantizedMap> in;
  for (int id : p.inputs) in.push_back(QuantizedMap::zeros(p.steps[id].channels, h, w, p.steps[id].output));
  double psnr_sum = 0;
  for (int t = 0; t < frames; ++t) {
    const Image lr = moving_picture(w, h, 3, t);
    Image sr = Image::create(w * s, h * s, 3, PixelType::kU8).value();
    Image sr_float = Image::create(w * s, h * s, 3, PixelType::kU8).value();
    ASSERT_TRUE(int8->push_frame_u8(lr.view<uint8_t>(), sr.view<uint8_t>()).ok());
    ASSERT_TRUE(fp32->push_frame_u8(lr.view<uint8_t>(), sr_float.view<uint8_t>()).ok());

    in[1] = int8_map_from_image<uint8_t>(lr.view<uint8_t>(), p.steps[p.inputs[1]].output);
    if (t % 10 == 0) {  // window start
      in[0] = in[1];
      for (std::size_t i = 2; i < in.size(); ++i) {
        std::fill(in[i].data.begin(), in[i].data.end(), static_cast<int8_t>(in[i].params.zero_point));
      }
    }
    std::vector<QuantizedMap> out = run_int8_reference(p, in).value();
    Image want = Image::create(w * s, h * s, 3, PixelType::kU8).value();
    int8_map_to_image<uint8_t>(out[0], want.view<uint8_t>());
    bool equal = true;
    for (int y = 0; y < h * s && equal; ++y) {
      equal = std::memcmp(want.view<uint8_t>().row(y), sr.view<uint8_t>().row(y), want.row_bytes()) == 0;
    }
    ASSERT_TRUE(equal) << "frame " << t;
    in[0] = in[1];
    in[2] = out[1];
    in[3] = out[2];
    psnr_sum += compute_sr_scores(sr, sr_float, 0).value().psnr_y;
  }
  EXPECT_GT(psnr_sum / frames, 35.0);  // INT8 against float, per frame
}

TEST_F(QuantizeVideoModel, UntiedStateParametersAreACorruptModel) {
  ModelQuantization q = quantization();
  q.activations["h_prev"].scale *= 2;  // no longer the parameters of h, which is fed back into it
  ModelFile broken = result_->model;
  broken.metadata[std::string(kMetaQuantization)] = model_quantization_json(q);
  Result<MultiFrameSession> session = models::create_multi_frame_session(broken);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(session.status().message().find("h_prev"), std::string::npos) << session.status().message();
}

}  // namespace
}  // namespace litesr
