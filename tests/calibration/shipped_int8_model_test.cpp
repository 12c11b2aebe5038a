// The shipped INT8 models are what their README rows say: the float model quantized by `litesr quantize MODEL
// --calib ../shared/data/train/T91`, then fine-tuned by quantization-aware training at those ranges or, for
// evsrnet-x4-int8, with ranges learned from them (`litesr train --recipe recipes/<model>_int8_qat.toml`), scoring
// the README's Set5 numbers: elsr-x4-int8 and the video model evsrnet-x4-int8 (within the QAT goal of their float
// models), sam-sr-xlite-x4-int8 (its Set5 loss is above that goal, README).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "calibration/quantize_model.h"
#include "eval/evaluation.h"
#include "eval/sr_dataset.h"
#include "models/builtin_models.h"
#include "quant/quant_params.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"
#include "testing/test_env.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

// The real range [lo, hi] that int8 parameters represent.
std::pair<double, double> represented_range(QuantParams p) {
  return {dequantize_value(-128, p), dequantize_value(127, p)};
}

// A learned range (qat_learn_ranges) starts at the calibrated one and each end moves by at most a quarter of the
// calibrated width (QatNetwork::kMaxRangeShift, train/qat_network.h), up to the rounding of the zero point (one step).
void expect_within_learned_bound(const std::string& name, QuantParams learned, QuantParams calibrated) {
  SCOPED_TRACE(name);
  const auto [lo0, hi0] = represented_range(calibrated);
  const auto [lo, hi] = represented_range(learned);
  const double bound = 0.25 * (hi0 - lo0) + learned.scale;
  EXPECT_LE(std::abs(lo - lo0), bound);
  EXPECT_LE(std::abs(hi - hi0), bound);
}

enum class QatRanges { kCalibrated, kLearned };

// `int8` has the ranges `litesr quantize float_name --calib T91` chooses (or, with learned ranges, ranges within
// the bound around them: fixed parameters, such as the image's, unchanged), its calibration text says QAT
// followed, it embeds `recipe` (the repository's file), and its weights are the float model's network, fine-tuned.
void expect_quantized_then_fine_tuned(const std::filesystem::path& data, const std::string& int8,
                                      const std::string& float_name, const std::string& recipe,
                                      QatRanges ranges = QatRanges::kCalibrated) {
  SCOPED_TRACE(int8);
  QuantizeOptions options;
  options.calib_dir = data / "train" / "T91";
  const QuantizeResult made = quantize_model(float_name, options).value();
  const ModelFile shipped = models::load_builtin_model(int8).value();
  const ModelQuantization want = read_model_quantization(made.model).value();
  const ModelQuantization got = read_model_quantization(shipped).value();
  if (ranges == QatRanges::kCalibrated) {
    EXPECT_EQ(got.activations, want.activations);
  } else {
    ASSERT_EQ(got.activations.size(), want.activations.size());
    int moved = 0;
    for (const auto& [name, calibrated] : want.activations) {
      ASSERT_TRUE(got.activations.contains(name)) << name;
      const QuantParams learned = got.activations.at(name);
      if (calibrated == image_quant_params()) {
        EXPECT_EQ(learned, calibrated) << name << ": the image's parameters are fixed";
      }
      expect_within_learned_bound(name, learned, calibrated);
      moved += learned != calibrated;
    }
    EXPECT_GT(moved, 0);
  }
  EXPECT_EQ(got.calibration.rfind(want.calibration, 0), 0u) << got.calibration;
  EXPECT_NE(got.calibration.find("quantization-aware training"), std::string::npos) << got.calibration;
  std::ifstream file(testing::source_dir() / "recipes" / recipe);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(shipped.metadata.at("litesr.recipe"), text.str());
  const ModelFile float_model = models::load_builtin_model(float_name).value();
  ASSERT_EQ(shipped.tensors.size(), float_model.tensors.size());
  for (const auto& [name, t] : float_model.tensors) {
    EXPECT_EQ(shipped.tensors.at(name).shape, t.shape) << name;
    EXPECT_NE(shipped.tensors.at(name).data, t.data) << name;
  }
}

TEST(ShippedInt8Model, ElsrX4IsAtItsQuantizeRangesFineTunedByItsQatRecipe) {
  LITESR_REQUIRE_SHARED_DATA(data);
  expect_quantized_then_fine_tuned(data, "elsr-x4-int8", "elsr-x4", "elsr_x4_int8_qat.toml");
}

TEST(ShippedInt8Model, SamSrXliteX4IsAtItsQuantizeRangesFineTunedByItsQatRecipe) {
  LITESR_REQUIRE_SHARED_DATA(data);
  expect_quantized_then_fine_tuned(data, "sam-sr-xlite-x4-int8", "sam-sr-xlite-x4", "sam_sr_xlite_x4_int8_qat.toml");
}

TEST(ShippedInt8Model, EvsrnetX4IsAtItsQuantizeRangesFineTunedByItsQatRecipe) {
  LITESR_REQUIRE_SHARED_DATA(data);
  expect_quantized_then_fine_tuned(data, "evsrnet-x4-int8", "evsrnet-x4", "evsrnet_x4_int8_qat.toml",
                                   QatRanges::kLearned);
}

// Set5 PSNR-Y of a built-in model as `litesr eval -n NAME` computes it (a video model: static windows).
double set5_psnr_y(const std::filesystem::path& data, const std::string& name) {
  const SrDataset set5 = open_sr_dataset(data / "sr_benchmark" / "Set5", {}).value();
  UpscalerOptions options;
  options.model = name;
  const ImageUpscaler upscale = make_model_image_upscaler(options).value();
  return evaluate_dataset(set5, {}, upscale, name).value().mean.psnr_y;
}

TEST(ShippedInt8Model, ScoresTheirReadmeRowsOnSet5) {
  LITESR_REQUIRE_SHARED_DATA(data);
  const double elsr = set5_psnr_y(data, "elsr-x4-int8");
  EXPECT_NEAR(elsr, 29.6874, 5e-4);                      // README: 29.69 (PSNR-Y, 4 pixels shaved)
  EXPECT_GT(elsr, set5_psnr_y(data, "elsr-x4") - 0.05);  // the QAT goal: at most 0.05 dB below the float model
  const double evsrnet = set5_psnr_y(data, "evsrnet-x4-int8");
  EXPECT_NEAR(evsrnet, 30.0904, 5e-4);                                    // README: 30.09 (float 30.11)
  EXPECT_GT(evsrnet, set5_psnr_y(data, "evsrnet-x4") - 0.05);             // the QAT goal
  EXPECT_NEAR(set5_psnr_y(data, "sam-sr-xlite-x4-int8"), 31.0700, 5e-4);  // README: 31.07 (float 31.14)
}

}  // namespace
}  // namespace litesr
