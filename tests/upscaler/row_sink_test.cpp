// Output rows handed on as they are stored (base/row_sink.h): ModelUpscaler::push_frame with a RowSink, on every
// engine a shipped model runs on — the fused FP32 executor (a pixel-shuffle output: elsr-x4; a full-resolution
// output after squeeze-excite passes: sam-sr-xlite-x4), the fused INT8 executor (elsr-x4-int8, sam-sr-xlite-x4-int8),
// the recurrent step (evsrnet-x4, evsrnet-x4-int8), a luma model's R'G'B' frames (one call) — and the reference
// executors (Session / MultiFrameSession with SessionOptions::reference). Each checks the contract: every row in
// exactly one call, groups aligned to the scale (the last may end at the height), the rows final when reported,
// and the frames the same as without a sink.
#include "base/row_sink.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "models/builtin_models.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

// Records each call and a copy of its rows as they were when reported.
class RecordingSink final : public RowSink {
 public:
  explicit RecordingSink(ImageView<const float> sr)
      : sr_(sr), snapshot_(static_cast<std::size_t>(sr.height) * sr.width * sr.channels, -2.0f) {}
  void rows_ready(int y0, int y1) override {
    std::lock_guard lock(mu_);
    calls_.emplace_back(y0, y1);
    for (int y = std::max(0, y0); y < std::min(y1, sr_.height); ++y) {
      const float* row = sr_.row(y);
      std::copy(row, row + sr_.width * sr_.channels,
                snapshot_.begin() + static_cast<std::ptrdiff_t>(y) * sr_.width * sr_.channels);
    }
  }
  // The contract for groups of `group` rows: returns "" or what is wrong.
  std::string check(int group) const {
    std::vector<int> seen(sr_.height, 0);
    for (const auto& [y0, y1] : calls_) {
      if (y0 < 0 || y1 > sr_.height || y0 >= y1) return "bad range " + std::to_string(y0) + ".." + std::to_string(y1);
      if (y0 % group != 0 || (y1 % group != 0 && y1 != sr_.height)) {
        return "unaligned group " + std::to_string(y0) + ".." + std::to_string(y1);
      }
      for (int y = y0; y < y1; ++y) ++seen[y];
    }
    for (int y = 0; y < sr_.height; ++y) {
      if (seen[y] != 1) return "row " + std::to_string(y) + " reported " + std::to_string(seen[y]) + " times";
    }
    for (int y = 0; y < sr_.height; ++y) {
      const float* row = sr_.row(y);
      if (!std::equal(row, row + sr_.width * sr_.channels,
                      snapshot_.begin() + static_cast<std::ptrdiff_t>(y) * sr_.width * sr_.channels)) {
        return "row " + std::to_string(y) + " changed after it was reported";
      }
    }
    return "";
  }
  std::size_t calls() const { return calls_.size(); }

 private:
  ImageView<const float> sr_;
  std::vector<float> snapshot_;
  std::vector<std::pair<int, int>> calls_;
  std::mutex mu_;
};

std::vector<float> frame_values(int w, int h, int t) {
  std::vector<float> v(static_cast<std::size_t>(w) * h * 3);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 37 + t * 101) % 256) / 255.0f;
  return v;
}

TEST(RowSink, EveryEngineReportsEachRowOnceAlignedAndFinal) {
  constexpr int kW = 23, kH = 17, kFrames = 3;
  const struct {
    const char* model;
    bool streams;  // rows in groups of the scale (else one call for the frame)
  } cases[] = {{"elsr-x4", true},    {"sam-sr-xlite-x4", true}, {"elsr-x4-int8", true}, {"sam-sr-xlite-x4-int8", true},
               {"evsrnet-x4", true}, {"evsrnet-x4-int8", true}, {"fsrcnn-x4-y", false}};
  for (const auto& c : cases) {
    for (int threads : {1, 2, 3}) {
      SCOPED_TRACE(std::string(c.model) + " threads " + std::to_string(threads));
      UpscalerOptions options;
      options.model = c.model;
      options.threads = threads;
      options.band_rows = 2;  // several bands per thread
      ModelUpscaler with = ModelUpscaler::open(options).value();
      ModelUpscaler without = ModelUpscaler::open(options).value();
      const int s = with.scale();
      for (int t = 0; t < kFrames; ++t) {
        const std::vector<float> lr = frame_values(kW, kH, t);
        const ImageView<const float> lr_view{lr.data(), kW, kH, 3, kW * 3};
        std::vector<float> sr(static_cast<std::size_t>(kW) * kH * s * s * 3, -1.0f), want(sr.size(), -1.0f);
        const ImageView<float> sr_view{sr.data(), kW * s, kH * s, 3, kW * s * 3};
        RecordingSink sink(sr_view);
        ASSERT_TRUE(with.push_frame(lr_view, sr_view, &sink).ok());
        ASSERT_TRUE(without.push_frame(lr_view, {want.data(), kW * s, kH * s, 3, kW * s * 3}).ok());
        EXPECT_EQ(sink.check(c.streams ? s : kH * s), "") << "frame " << t;
        EXPECT_EQ(sink.calls(), c.streams ? static_cast<std::size_t>(kH) : 1u);
        EXPECT_EQ(sr, want) << "frame " << t;  // the same frames (multi-frame: the same carried state)
      }
    }
  }
}

// Engines that do not stream rows report the whole frame once, after it is complete.
TEST(RowSink, ReferenceExecutorsReportTheWholeFrame) {
  constexpr int kW = 11, kH = 9;
  // One x4 frame t through `run(lr, sr, sink)`, then the contract for one call of the whole frame.
  auto expect_whole_frame = [&](int t, auto&& run) {
    const std::vector<float> lr = frame_values(kW, kH, t);
    std::vector<float> sr(static_cast<std::size_t>(kW) * kH * 48, -1.0f);
    const ImageView<float> sr_view{sr.data(), kW * 4, kH * 4, 3, kW * 12};
    RecordingSink sink(sr_view);
    ASSERT_TRUE(run(ImageView<const float>{lr.data(), kW, kH, 3, kW * 3}, sr_view, &sink).ok());
    EXPECT_EQ(sink.check(kH * 4), "");
    EXPECT_EQ(sink.calls(), 1u);
  };
  SessionOptions reference;
  reference.reference = true;
  for (const char* name : {"elsr-x4", "elsr-x4-int8"}) {
    SCOPED_TRACE(name);
    Session session = Session::create(models::load_builtin_model(name).value(), reference).value();
    expect_whole_frame(0, [&](auto lr, auto sr, RowSink* rows) { return session.run(lr, sr, rows); });
  }
  for (const char* name : {"evsrnet-x4", "evsrnet-x4-int8"}) {
    SCOPED_TRACE(name);
    MultiFrameSession session = MultiFrameSession::create(models::load_builtin_model(name).value(), reference).value();
    for (int t = 0; t < 2; ++t) {
      expect_whole_frame(t, [&](auto lr, auto sr, RowSink* rows) { return session.push_frame(lr, sr, rows); });
    }
  }
}

}  // namespace
}  // namespace litesr
