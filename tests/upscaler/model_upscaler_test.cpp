// ModelUpscaler (upscaler/model_upscaler.h): every built-in model — the ones `litesr upscale`, `eval -n`,
// `video` and the C API open — runs on the fused band executor, never on the scalar layer-by-layer one, and
// upscales a photo-sized odd image (video models as one static window).
#include <gtest/gtest.h>

#include <string>

#include "models/builtin_models.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

TEST(ModelUpscaler, EveryBuiltinModelRunsOnTheFusedEngine) {
  for (const std::string& name : models::builtin_model_names()) {
    SCOPED_TRACE(name);
    UpscalerOptions options;
    options.model = name;
    options.threads = 2;
    Result<ModelUpscaler> up = ModelUpscaler::open(options);
    ASSERT_TRUE(up.ok()) << up.status().to_string();
    EXPECT_EQ(up->mode(), name.ends_with("-int8") ? ExecutionMode::kInt8Bands : ExecutionMode::kFusedBands);
    EXPECT_EQ(up->threads(), 2);
    Image lr = Image::create(23, 17, 3, PixelType::kU8).value();
    for (int y = 0; y < 17; ++y) {
      for (int x = 0; x < 23 * 3; ++x) lr.view<uint8_t>().row(y)[x] = static_cast<uint8_t>((x * 7 + y * 13) % 256);
    }
    Result<Image> sr = up->upscale(lr);
    ASSERT_TRUE(sr.ok()) << sr.status().to_string();
    EXPECT_EQ(sr->width(), 23 * up->scale());
    EXPECT_EQ(sr->height(), 17 * up->scale());
  }
}

}  // namespace
}  // namespace litesr
