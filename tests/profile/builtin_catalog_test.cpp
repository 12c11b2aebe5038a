// profile/builtin_catalog.h: what `litesr models` lists.
#include "profile/builtin_catalog.h"

#include <gtest/gtest.h>

#include "models/builtin_models.h"

namespace litesr {
namespace {

TEST(BuiltinCatalog, EveryBuiltinModelWithItsCostAndOneDefaultEach) {
  const std::vector<BuiltinModelSummary> catalog = builtin_model_catalog().value();
  ASSERT_EQ(catalog.size(), models::builtin_model_names().size());
  int image_defaults = 0, video_defaults = 0;
  for (const BuiltinModelSummary& m : catalog) {
    SCOPED_TRACE(m.name);
    EXPECT_GE(m.scale, 2);
    image_defaults += m.default_for_images;
    video_defaults += m.default_for_video;
    if (m.name == "bicubic") {
      EXPECT_EQ(m.params, 0);
      EXPECT_EQ(m.scale, models::kBicubicDefaultScale);
    } else {
      EXPECT_GT(m.params, 0);
      EXPECT_GT(m.macs_720p, 0);
    }
    if (m.name == "elsr-x4") {  // docs/architectures.md: 3,474 parameters, 0.196 GMACs at 720p
      EXPECT_EQ(m.arch, "elsr");
      EXPECT_EQ(m.params, 3474);
      EXPECT_NEAR(static_cast<double>(m.macs_720p) / 1e9, 0.196, 0.001);
    }
  }
  EXPECT_EQ(image_defaults, 1);
  EXPECT_EQ(video_defaults, 1);
}

}  // namespace
}  // namespace litesr
