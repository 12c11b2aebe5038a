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
#include "testing/isa_loop.h"
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

// What a loop of run_int8_reference over `frames` moving w x h frames gives (x_prev and the states carried as int8
// maps, reset every 10 frames): the SR frames, u8.
std::vector<Image> reference_loop(const ModelFile& model, const ModelQuantization& q, int w, int h, int frames) {
  const Graph graph = models::build_graph(model).value();
  const Program program = compile_program(graph, model.tensors).value();
  const Int8Program p = compile_int8_program(program, q).value();
  const int s = program.scale;
  std::vector<QuantizedMap> in;
  for (int id : p.inputs) in.push_back(QuantizedMap::zeros(p.steps[id].channels, h, w, p.steps[id].output));
  std::vector<Image> out_frames;
  for (int t = 0; t < frames; ++t) {
    in[1] = int8_map_from_image<uint8_t>(moving_picture(w, h, 3, t).view<uint8_t>(), p.steps[p.inputs[1]].output);
    if (t % 10 == 0) {  // window start
      in[0] = in[1];
      for (std::size_t i = 2; i < in.size(); ++i) {
        std::fill(in[i].data.begin(), in[i].data.end(), static_cast<int8_t>(in[i].params.zero_point));
      }
    }
    std::vector<QuantizedMap> out = run_int8_reference(p, in).value();
    Image sr = Image::create(w * s, h * s, 3, PixelType::kU8).value();
    int8_map_to_image<uint8_t>(out[0], sr.view<uint8_t>());
    out_frames.push_back(std::move(sr));
    in[0] = in[1];
    for (std::size_t i = 1; i < out.size(); ++i) in[i + 1] = out[i];
  }
  return out_frames;
}

bool same_pixels(const Image& a, const Image& b) {
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), a.row_bytes()) != 0) return false;
  }
  return true;
}

// The INT8 session carries x_prev and the states as int8 maps: on the fused INT8 band executor (every ISA this CPU
// runs, 1-3 threads, several band heights) and on the INT8 reference, a loop of run_int8_reference over the frames
// gives its outputs bit for bit; and it stays close to the float model over a moving sequence.
TEST_F(QuantizeVideoModel, Int8SessionEqualsTheReferenceLoopAndTracksTheFloatModel) {
  const ModelFile& model = result_->model;
  const int w = 24, h = 19, s = 4, frames = 13;  // more than one window of 10: the state resets at frame 10
  const std::vector<Image> want = reference_loop(model, quantization(), w, h, frames);
  struct Engine {
    bool reference;
    int threads, band_rows;
  };
  std::vector<std::pair<Engine, std::string>> engines{{{true, 1, 0}, ""}};
  for (const std::string& isa : available_isas()) {
    for (const Engine e : {Engine{false, 1, 0}, Engine{false, 2, 3}, Engine{false, 3, 1}, Engine{false, 2, 0}}) {
      engines.push_back({e, isa});
    }
  }
  for (const auto& [engine, isa] : engines) {
    SCOPED_TRACE("reference " + std::to_string(engine.reference) + " isa " + isa + " threads " +
                 std::to_string(engine.threads) + " band_rows " + std::to_string(engine.band_rows));
    SessionOptions options;
    options.reference = engine.reference;
    options.threads = engine.threads;
    options.band_rows = engine.band_rows;
    options.isa = isa;
    Result<MultiFrameSession> int8 = models::create_multi_frame_session(model, options);
    ASSERT_TRUE(int8.ok()) << int8.status().to_string();
    EXPECT_EQ(int8->mode(), engine.reference ? ExecutionMode::kInt8Reference : ExecutionMode::kInt8Bands);
    for (int t = 0; t < frames; ++t) {
      const Image lr = moving_picture(w, h, 3, t);
      Image sr = Image::create(w * s, h * s, 3, PixelType::kU8).value();
      ASSERT_TRUE(int8->push_frame_u8(lr.view<uint8_t>(), sr.view<uint8_t>()).ok());
      ASSERT_TRUE(same_pixels(sr, want[t])) << "frame " << t;
    }
  }

  // f32 frames and a stacked window give the same integers (dequantized: (q − zp) · 1/255, within a float rounding
  // of u8 / 255), and INT8 tracks the float model.
  Result<MultiFrameSession> int8 = models::create_multi_frame_session(model);
  ModelFile float_model = model;
  float_model.metadata.erase(std::string(kMetaQuantization));
  Result<MultiFrameSession> fp32 = models::create_multi_frame_session(float_model);
  ASSERT_TRUE(int8.ok() && fp32.ok());
  std::vector<float> lr_data(static_cast<std::size_t>(w) * h * 30), sr_data(lr_data.size() * s * s);
  const ImageView<float> lr_stacked{lr_data.data(), w, h, 30, static_cast<std::ptrdiff_t>(w) * 30};
  const ImageView<float> sr_stacked{sr_data.data(), w * s, h * s, 30, static_cast<std::ptrdiff_t>(w) * s * 30};
  double psnr_sum = 0;
  for (int t = 0; t < 10; ++t) {
    const Image lr = moving_picture(w, h, 3, t);
    Image lr_f32 = Image::create(w, h, 3, PixelType::kF32).value();
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        for (int c = 0; c < 3; ++c) {
          const float v = lr.view<uint8_t>().at(x, y, c) / 255.0f;
          lr_f32.view<float>().at(x, y, c) = v;
          lr_stacked.at(x, y, 3 * t + c) = v;
        }
      }
    }
    Image sr = Image::create(w * s, h * s, 3, PixelType::kF32).value();
    ASSERT_TRUE(int8->push_frame(lr_f32.view<float>(), sr.view<float>()).ok());
    Image sr_float = Image::create(w * s, h * s, 3, PixelType::kU8).value();
    ASSERT_TRUE(fp32->push_frame_u8(lr.view<uint8_t>(), sr_float.view<uint8_t>()).ok());
    for (int y = 0; y < h * s; ++y) {
      for (int x = 0; x < w * s; ++x) {
        for (int c = 0; c < 3; ++c) {
          ASSERT_NEAR(sr.view<float>().at(x, y, c), want[t].view<uint8_t>().at(x, y, c) / 255.0f, 1e-6) << t;
        }
      }
    }
    psnr_sum += compute_sr_scores(want[t], sr_float, 0).value().psnr_y;
  }
  EXPECT_GT(psnr_sum / 10, 35.0);  // INT8 against float, per frame
  ASSERT_TRUE(int8->run_stacked(lr_stacked, sr_stacked).ok());
  for (int t = 0; t < 10; ++t) {
    for (int y = 0; y < h * s; y += 7) {
      for (int x = 0; x < w * s; x += 5) {
        ASSERT_NEAR(sr_stacked.at(x, y, 3 * t + 1), want[t].view<uint8_t>().at(x, y, 1) / 255.0f, 1e-6) << t;
      }
    }
  }
}

// A luma video model (one channel: its frame output is stored from its own rows, not by the RGB shuffle store)
// quantizes and runs fused, equal to its INT8 reference session.
TEST_F(QuantizeVideoModel, LumaVideoModelRunsFusedAsItsReference) {
  QuantizeOptions options;
  options.calib_dir = dir_->path() / "calib";
  options.method = "minmax";
  Result<QuantizeResult> r = quantize_model(std::string("evsrnet-x4-y"), options);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  SessionOptions reference;
  reference.reference = true;
  SessionOptions fused;
  fused.threads = 2;
  fused.band_rows = 5;
  Result<MultiFrameSession> a = models::create_multi_frame_session(r->model, reference);
  Result<MultiFrameSession> b = models::create_multi_frame_session(r->model, fused);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->mode(), ExecutionMode::kInt8Bands);
  const int w = 21, h = 17;
  for (int t = 0; t < 12; ++t) {
    Image y = Image::create(w, h, 1, PixelType::kU8).value();
    const Image rgb = moving_picture(w, h, 5, t);
    for (int yy = 0; yy < h; ++yy) {
      for (int x = 0; x < w; ++x) y.view<uint8_t>().at(x, yy, 0) = rgb.view<uint8_t>().at(x, yy, 1);
    }
    Image sa = Image::create(4 * w, 4 * h, 1, PixelType::kU8).value();
    Image sb = Image::create(4 * w, 4 * h, 1, PixelType::kU8).value();
    ASSERT_TRUE(a->push_frame_u8(y.view<uint8_t>(), sa.view<uint8_t>()).ok());
    ASSERT_TRUE(b->push_frame_u8(y.view<uint8_t>(), sb.view<uint8_t>()).ok());
    ASSERT_TRUE(same_pixels(sa, sb)) << "frame " << t;
  }
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
