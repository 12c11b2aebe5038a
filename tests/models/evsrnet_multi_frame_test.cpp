// EVSRNet model files through MultiFrameSession (both modes) and the clear error from create_session.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/builder_test_support.h"
#include "models/evsrnet.h"
#include "models/registry.h"
#include "runtime/multi_frame_session.h"

namespace litesr {
namespace {

using nlohmann::json;

json multi_frame_config(const char* mode, int frames) {
  return json{{"scale", 4}, {"nc", 8}, {"nb", 2}, {"frames", frames}, {"mode", mode}};
}

TEST(EvsrnetMultiFrame, CreateSessionPointsAtMultiFrameSession) {
  for (const char* mode : {"recurrent", "frame_parallel"}) {
    const auto m = testing::random_model("evsrnet", multi_frame_config(mode, 10));
    auto s = models::create_session(m.file);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().to_string().find("MultiFrameSession"), std::string::npos) << s.status().to_string();
    EXPECT_EQ(Session::create(m.file).status().code(), StatusCode::kInvalidArgument);
    auto mfs = MultiFrameSession::create(m.file);
    ASSERT_TRUE(mfs.ok()) << mfs.status().to_string();
    EXPECT_EQ(mfs->window(), 10);
    EXPECT_EQ(mfs->scale(), 4);
    EXPECT_EQ(mfs->recurrent(), std::string(mode) == "recurrent");
  }
  // Single-frame models still get a Session.
  EXPECT_TRUE(models::create_session(testing::random_model("elsr", json{{"scale", 2}, {"channels", 6}}).file).ok());
}

// Streaming over 2 windows + 1 frame (T = 3) equals the documented step loop over run_reference.
TEST(EvsrnetMultiFrame, RecurrentStreamingMatchesStepLoop) {
  const int T = 3, w = 6, h = 5, s = 4;
  const auto m = testing::random_model("evsrnet", multi_frame_config("recurrent", T), 3);
  auto mfs = models::create_multi_frame_session(m.file).value();
  FeatureMap prev, hid, o;
  for (int t = 0; t < 2 * T + 1; ++t) {
    const FeatureMap x = testing::random_map(3, h, w, 50 + t);
    if (t % T == 0) {
      prev = x;
      hid = FeatureMap::zeros(8, h, w);
      o = FeatureMap::zeros(48, h, w);
    }
    std::vector<FeatureMap> ins(4);
    ins[models::kEvsrnetInputPrevFrame] = prev;
    ins[models::kEvsrnetInputFrame] = x;
    ins[models::kEvsrnetInputHidden] = hid;
    ins[models::kEvsrnetInputPrevOutput] = o;
    const auto ref = testing::run_ref(m.graph, m.file.tensors, ins);
    ASSERT_EQ(ref.size(), 3u);
    std::vector<float> lr(w * h * 3), sr(w * h * 3 * s * s);
    for (int y = 0; y < h; ++y) {
      for (int xx = 0; xx < w; ++xx) {
        for (int c = 0; c < 3; ++c) lr[(y * w + xx) * 3 + c] = x.at(c, y, xx);
      }
    }
    ASSERT_TRUE(mfs.push_frame({lr.data(), w, h, 3, w * 3}, {sr.data(), w * s, h * s, 3, w * s * 3}).ok());
    float d = 0.0f;
    const FeatureMap& frame = ref[models::kEvsrnetOutputFrame];
    for (int y = 0; y < h * s; ++y) {
      for (int xx = 0; xx < w * s; ++xx) {
        for (int c = 0; c < 3; ++c) {
          d = std::max(d, std::abs(std::clamp(frame.at(c, y, xx), 0.0f, 1.0f) - sr[(y * w * s + xx) * 3 + c]));
        }
      }
    }
    EXPECT_LE(d, 1e-5f) << "frame " << t;
    prev = x;
    hid = ref[models::kEvsrnetOutputHidden];
    o = ref[models::kEvsrnetOutputPreShuffle];
  }
}

}  // namespace
}  // namespace litesr
