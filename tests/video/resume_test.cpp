// --resume: an interrupted segmented job continues without redoing finished segments, and the result
// decodes to the same frames as an uninterrupted run. Cancellation leaves no output file.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/cancel.h"
#include "testing/test_env.h"
#include "video/frame_pipeline.h"
#include "video_test_util.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::run_command;

struct CountingUpscaler {
  int calls = 0;
  Upscaler make() {
    Upscaler u;
    u.scale = 2;
    u.frame = [this](ImageView<const float> lr, ImageView<float> sr) {
      ++calls;
      return testing::nearest_upscale(lr, sr, 2);
    };
    return u;
  }
};

TEST(VideoResume, InterruptedJobResumesToTheSameFrames) {
  testing::TempDir dir;
  const fs::path clip = dir / "clip.mkv";
  ASSERT_EQ(run_command("ffmpeg -v error -f lavfi -i testsrc=size=96x64:rate=25 -f lavfi -i sine=sample_rate=48000 "
                        "-t 2 -c:v libx264 -preset ultrafast -c:a aac " + quote(clip)).exit_code, 0);
  // Reference: one uninterrupted (non-segmented) lossless run.
  VideoJobOptions o;
  o.input = clip.string();
  o.encode.codec = "ffv1";
  o.output = (dir / "ref.mkv").string();
  CountingUpscaler up_ref;
  ASSERT_TRUE(run_video_job(o, up_ref.make()).ok());

  // Interrupted after 25 frames: segments of 10 frames, so two are finished.
  CancelToken cancel;
  o.output = (dir / "out.mkv").string();
  o.resume = true;
  o.segment_frames = 10;
  o.cancel = &cancel;
  o.on_progress = [&](int64_t done, int64_t) {
    if (done == 25) cancel.cancel();
  };
  CountingUpscaler up1;
  Result<VideoJobStats> s = run_video_job(o, up1.make());
  ASSERT_EQ(s.status().code(), StatusCode::kCancelled) << s.status().to_string();
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
  const fs::path work = dir / "out.mkv.litesr-work";
  EXPECT_TRUE(fs::exists(work / "seg_000000.nut"));
  EXPECT_TRUE(fs::exists(work / "seg_000001.nut"));
  EXPECT_FALSE(fs::exists(work / "seg_000002.nut"));
  EXPECT_FALSE(fs::exists(work / "seg_000002.nut.tmp"));

  // Resumed: only the frames after the finished segments are upscaled again.
  CancelToken fresh;
  o.cancel = &fresh;
  o.on_progress = nullptr;
  CountingUpscaler up2;
  s = run_video_job(o, up2.make());
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames_resumed, 20);
  EXPECT_EQ(s->frames, 50);
  EXPECT_EQ(s->segments, 5);
  EXPECT_EQ(up2.calls, 30);
  EXPECT_FALSE(fs::exists(work));
  const auto ref = testing::frame_md5s((dir / "ref.mkv").string());
  ASSERT_EQ(ref.size(), 50u);
  EXPECT_EQ(testing::frame_md5s((dir / "out.mkv").string()), ref);
  EXPECT_EQ(testing::frame_times(dir / "out.mkv"), testing::frame_times(dir / "ref.mkv"));
  EXPECT_EQ(testing::packet_md5s(clip, "0:a"), testing::packet_md5s(dir / "out.mkv", "0:a"));
}

TEST(VideoResume, X264SegmentsConcatenateIntoOnePlayableStream) {
  testing::TempDir dir;
  const fs::path clip = dir / "clip.mp4";
  ASSERT_EQ(run_command("ffmpeg -v error -f lavfi -i testsrc=size=96x64:rate=25 -t 1.6 -c:v libx264 -preset ultrafast "
                        + quote(clip)).exit_code, 0);
  VideoJobOptions o;
  o.input = clip.string();
  o.output = (dir / "out.mp4").string();
  o.encode.preset = "ultrafast";  // no codec: the segments get .mp4's own (H.264), not NUT's default (MPEG-4 part 2)
  o.resume = true;
  o.segment_frames = 16;
  CountingUpscaler up;
  Result<VideoJobStats> s = run_video_job(o, up.make());
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->segments, 3);
  // Decodes cleanly end to end (ffmpeg -xerror fails on any decoding error) with every frame.
  EXPECT_EQ(run_command("ffmpeg -v error -xerror -i " + quote(dir / "out.mp4") + " -f null - ").exit_code, 0);
  EXPECT_EQ(testing::frame_times(dir / "out.mp4").size(), 40u);
  EXPECT_EQ(testing::probe_value(dir / "out.mp4", "stream=codec_name", "v:0"), "h264");
}

TEST(VideoJob, CancelledJobLeavesNothing) {
  testing::TempDir dir;
  const fs::path clip = dir / "clip.mkv";
  ASSERT_EQ(run_command("ffmpeg -v error -f lavfi -i testsrc=size=96x64:rate=25 -t 2 -c:v ffv1 " + quote(clip)).exit_code, 0);
  CancelToken cancel;
  VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
  o.cancel = &cancel;
  o.on_progress = [&](int64_t done, int64_t) {
    if (done == 5) cancel.cancel();
  };
  CountingUpscaler up;
  EXPECT_EQ(run_video_job(o, up.make()).status().code(), StatusCode::kCancelled);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);  // only the input
}

}  // namespace
}  // namespace litesr
