// The shipped INT8 model (models/elsr-x4-int8.safetensors) is what its README row says: elsr-x4 quantized by
// `litesr quantize elsr-x4 --calib ../shared/data/train/T91`, then fine-tuned by quantization-aware training at those
// ranges (`litesr train --recipe recipes/elsr_x4_int8_qat.toml`), and it scores the README's Set5 numbers within the
// QAT goal of its float model.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "calibration/quantize_model.h"
#include "eval/evaluation.h"
#include "eval/sr_dataset.h"
#include "models/builtin_models.h"
#include "runtime/model_quantization.h"
#include "runtime/session.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

TEST(ShippedInt8Model, IsElsrX4AtItsQuantizeRangesFineTunedByItsQatRecipe) {
  LITESR_REQUIRE_SHARED_DATA(data);
  // The ranges: those of `litesr quantize elsr-x4 --calib ../shared/data/train/T91` (QAT keeps them fixed).
  QuantizeOptions options;
  options.calib_dir = data / "train" / "T91";
  const QuantizeResult made = quantize_model("elsr-x4", options).value();
  const ModelFile shipped = models::load_builtin_model("elsr-x4-int8").value();
  const ModelQuantization want = read_model_quantization(made.model).value();
  const ModelQuantization got = read_model_quantization(shipped).value();
  EXPECT_EQ(got.activations, want.activations);
  EXPECT_EQ(got.calibration.rfind(want.calibration, 0), 0u) << got.calibration;
  EXPECT_NE(got.calibration.find("quantization-aware training"), std::string::npos) << got.calibration;
  // The weights: elsr-x4's network, fine-tuned by the recipe the file names.
  std::ifstream recipe(testing::source_dir() / "recipes" / "elsr_x4_int8_qat.toml");
  std::stringstream text;
  text << recipe.rdbuf();
  EXPECT_EQ(shipped.metadata.at("litesr.recipe"), text.str());
  const ModelFile float_model = models::load_builtin_model("elsr-x4").value();
  ASSERT_EQ(shipped.tensors.size(), float_model.tensors.size());
  for (const auto& [name, t] : float_model.tensors) {
    EXPECT_EQ(shipped.tensors.at(name).shape, t.shape) << name;
    EXPECT_NE(shipped.tensors.at(name).data, t.data) << name;
  }
}

TEST(ShippedInt8Model, ScoresItsReadmeRowOnSet5) {
  LITESR_REQUIRE_SHARED_DATA(data);
  const SrDataset set5 = open_sr_dataset(data / "sr_benchmark" / "Set5", {}).value();
  auto psnr_y = [&](const std::string& name) {
    Session session = Session::create(models::load_builtin_model(name).value()).value();
    const ImageUpscaler upscale = [&](const Image& lr) -> Result<Image> {
      Image sr = Image::create(lr.width() * 4, lr.height() * 4, 3, PixelType::kU8).value();
      LITESR_RETURN_IF_ERROR(session.run_u8(lr.view<uint8_t>(), sr.view<uint8_t>()));
      return sr;
    };
    return evaluate_dataset(set5, {}, upscale, name).value().mean.psnr_y;
  };
  const double int8 = psnr_y("elsr-x4-int8"), fp32 = psnr_y("elsr-x4");
  EXPECT_NEAR(int8, 29.6874, 5e-4);  // README: 29.69 (PSNR-Y, 4 pixels shaved)
  EXPECT_GT(int8, fp32 - 0.05);      // the QAT goal: at most 0.05 dB below the float model
}

}  // namespace
}  // namespace litesr
