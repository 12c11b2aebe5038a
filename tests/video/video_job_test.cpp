// End-to-end video jobs: stream copy (audio bytes, subtitles, metadata), timestamps (CFR and VFR),
// real clips, corrupt input, image sequences in and out.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "testing/test_env.h"
#include "video/frame_pipeline.h"
#include "video/video_info.h"
#include "video_test_util.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::run_command;
using testing::TempDir;

// 2 s of 160x90 H.264 at 25 fps + AAC sine + an SRT track, container title "LiteSR test".
fs::path make_av_clip(const TempDir& dir) {
  const fs::path srt = dir / "subs.srt";
  std::ofstream(srt) << "1\n00:00:00,500 --> 00:00:01,200\nhello\n\n2\n00:00:01,300 --> 00:00:01,900\nworld\n";
  const fs::path clip = dir / "clip.mkv";
  const auto r = run_command(
      "ffmpeg -v error -y -f lavfi -i testsrc=size=160x90:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 "
      "-i " + quote(srt) + " -t 2 -map 0:v -map 1:a -map 2:s -c:v libx264 -preset ultrafast -pix_fmt yuv420p "
      "-c:a aac -c:s srt -metadata title='LiteSR test' -metadata:s:a:0 language=fra " + quote(clip));
  EXPECT_EQ(r.exit_code, 0);
  return clip;
}

// 20 frames of 64x48 FFV1 at 10 fps: 12 of a test pattern, then 8 of flat red — a scene cut at frame 12.
fs::path make_cut_clip(const TempDir& dir) {
  const fs::path clip = dir / "cut.mkv";
  EXPECT_EQ(run_command("ffmpeg -v error -y -f lavfi -i testsrc=size=64x48:rate=10:duration=1.2 -f lavfi "
                        "-i color=c=red:size=64x48:rate=10:duration=0.8 -filter_complex '[0:v][1:v]concat=n=2' "
                        "-c:v ffv1 " + quote(clip)).exit_code, 0);
  return clip;
}

void expect_same_times(const fs::path& a, const fs::path& b, double tolerance_s) {
  const std::vector<double> ta = testing::frame_times(a), tb = testing::frame_times(b);
  ASSERT_EQ(ta.size(), tb.size()) << a << " vs " << b;
  ASSERT_FALSE(ta.empty());
  for (std::size_t i = 0; i < ta.size(); ++i) ASSERT_NEAR(ta[i], tb[i], tolerance_s) << "frame " << i;
}

TEST(VideoJob, CopiesAudioAndSubtitlesAndKeepsTimestamps) {
  TempDir dir;
  const fs::path clip = make_av_clip(dir);
  VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 50);
  EXPECT_TRUE(s->skipped_streams.empty());
  const fs::path out = dir / "out.mkv";
  EXPECT_EQ(testing::probe_value(out, "stream=width,height", "v:0"), "320\n180");
  expect_same_times(clip, out, 1e-3);
  // Audio and subtitle packets are byte-identical, with the same timing.
  const auto audio_in = testing::packet_md5s(clip, "0:a"), audio_out = testing::packet_md5s(out, "0:a");
  ASSERT_GT(audio_in.size(), 50u);
  EXPECT_EQ(audio_in, audio_out);
  const auto subs_in = testing::packet_md5s(clip, "0:s"), subs_out = testing::packet_md5s(out, "0:s");
  ASSERT_EQ(subs_in.size(), 2u);
  EXPECT_EQ(subs_in, subs_out);
  EXPECT_EQ(testing::probe_value(out, "stream_tags=language", "a:0"), "fra");
  EXPECT_EQ(testing::probe_value(out, "format_tags=title"), "LiteSR test");
  const double din = std::stod(testing::probe_value(clip, "format=duration"));
  const double dout = std::stod(testing::probe_value(out, "format=duration"));
  EXPECT_NEAR(din, dout, 0.05);
  // No temporary file is left beside the output.
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().string().find("litesr-tmp"), std::string::npos) << e.path();
}

TEST(VideoJob, DropFlagsAndContainerLimits) {
  TempDir dir;
  const fs::path clip = make_av_clip(dir);
  VideoJobOptions o;
  o.input = clip.string();
  o.output = (dir / "out.mp4").string();
  o.encode.codec = "libx264";
  o.encode.preset = "ultrafast";
  o.encode.crf = 30;
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_EQ(s->skipped_streams.size(), 1u);  // MP4 cannot hold SubRip
  EXPECT_NE(s->skipped_streams[0].find("subrip"), std::string::npos);
  EXPECT_EQ(testing::packet_md5s(clip, "0:a"), testing::packet_md5s(dir / "out.mp4", "0:a"));
  expect_same_times(clip, dir / "out.mp4", 1e-3);

  o.output = (dir / "noaudio.mkv").string();
  o.copy_audio = false;
  o.copy_subtitles = false;
  s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(testing::probe_value(dir / "noaudio.mkv", "stream=codec_type"), "video");

  // An existing output is kept unless overwrite is asked for.
  s = run_video_job(o, testing::nearest_upscaler(2));
  EXPECT_EQ(s.status().code(), StatusCode::kAlreadyExists);
  o.overwrite = true;
  EXPECT_TRUE(run_video_job(o, testing::nearest_upscaler(2)).ok());

  // Bad encoder settings are clear errors, and leave nothing behind.
  o.output = (dir / "bad.mkv").string();
  o.encode.codec_options = {{"no-such-option", "1"}};
  s = run_video_job(o, testing::nearest_upscaler(2));
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("no-such-option"), std::string::npos);
  o.encode.codec_options.clear();
  o.encode.codec = "no-such-codec";
  EXPECT_EQ(run_video_job(o, testing::nearest_upscaler(2)).status().code(), StatusCode::kUnsupported);
  EXPECT_FALSE(fs::exists(dir / "bad.mkv"));
}

TEST(VideoJob, RealClipsKeepFrameCountAndTimestamps) {
  LITESR_REQUIRE_SHARED_DATA(data);
  TempDir dir;
  // vtest.avi: 795 frames at 10 fps (CFR); tree.avi: 68 frames spread over 444 slots (VFR).
  for (const char* name : {"vtest.avi", "tree.avi"}) {
    const fs::path in = data / "video" / "clips" / name;
    const fs::path out = dir / (std::string(name) + ".mkv");
    VideoJobOptions o;
    o.input = in.string();
    o.output = out.string();
    o.encode.codec = "libx264";
    o.encode.preset = "ultrafast";
    Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(1));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    expect_same_times(in, out, 1e-3);
    EXPECT_EQ(s->frames, static_cast<int64_t>(testing::frame_times(in).size()));
    const double din = std::stod(testing::probe_value(in, "format=duration"));
    const double dout = std::stod(testing::probe_value(out, "format=duration"));
    EXPECT_NEAR(din, dout, 0.11) << name;  // one frame at 10 fps
  }
}

TEST(VideoJob, TruncatedOrCorruptInputIsAClearErrorWithNoOutput) {
  TempDir dir;
  const fs::path clip = make_av_clip(dir);
  const std::string bytes = testing::read_file_bytes(clip);
  testing::write_file_bytes(dir / "cut.mkv", bytes.substr(0, bytes.size() * 6 / 10));
  std::string garbage(20000, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 2654435761u) >> 13);
  testing::write_file_bytes(dir / "garbage.mkv", garbage);
  for (const char* name : {"cut.mkv", "garbage.mkv", "missing.mkv"}) {
    VideoJobOptions o = testing::ffv1_job(dir / name, dir / (std::string("out_") + name));
    Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_NE(s.status().message().find(name), std::string::npos) << s.status().to_string();
    EXPECT_FALSE(fs::exists(o.output)) << name;
  }
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 4);  // subs.srt, clip.mkv, cut.mkv, garbage.mkv: no output, no temporary file
}

TEST(VideoJob, TruncatedAviIsReported) {
  LITESR_REQUIRE_SHARED_DATA(data);
  TempDir dir;
  const std::string bytes = testing::read_file_bytes(data / "video" / "clips" / "vtest.avi");
  testing::write_file_bytes(dir / "cut.avi", bytes.substr(0, bytes.size() / 4));
  VideoJobOptions o;
  o.input = (dir / "cut.avi").string();
  o.output = (dir / "out.mkv").string();
  o.encode.codec = "libx264";
  o.encode.preset = "ultrafast";
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(1));
  ASSERT_EQ(s.status().code(), StatusCode::kCorruptData) << s.status().to_string();
  EXPECT_NE(s.status().message().find("cut.avi"), std::string::npos) << s.status().to_string();
  EXPECT_FALSE(fs::exists(dir / "out.mkv"));
}

TEST(VideoJob, ImageSequenceInAndOut) {
  LITESR_REQUIRE_SHARED_DATA(data);
  TempDir dir;
  const fs::path lr = data / "video" / "Vid4_calendar" / "BIx4";
  const std::string in = (lr / "%08d.png").string();
  Result<VideoInfo> info = probe_video(in);
  ASSERT_TRUE(info.ok()) << info.status().to_string();
  EXPECT_EQ(info->width, 180);
  EXPECT_EQ(info->height, 144);

  // Identity: PNG -> f32 -> PNG is lossless for 8-bit RGB, names keep the input's numbering.
  VideoJobOptions o;
  o.input = in;
  o.output = (dir / "same" / "%08d.png").string();
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(1));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 20);
  EXPECT_TRUE(fs::exists(dir / "same" / "00000000.png"));
  EXPECT_TRUE(fs::exists(dir / "same" / "00000019.png"));
  EXPECT_EQ(testing::frame_md5s(in), testing::frame_md5s(o.output));

  o.output = (dir / "x4" / "%08d.png").string();
  s = run_video_job(o, testing::nearest_upscaler(4));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(testing::probe_value(dir / "x4" / "00000007.png", "stream=width,height"), "720\n576");
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir / "x4")) ++n;
  EXPECT_EQ(n, 20);
}

TEST(VideoJob, WindowedUpscalerSeesWindowsResetsAndCuts) {
  TempDir dir;
  const fs::path clip = make_cut_clip(dir);  // a scene cut at frame 12
  std::vector<std::pair<int, bool>> calls;  // (frames, reset)
  Upscaler u;
  u.scale = 2;
  u.window_frames = 5;
  u.reset_each_window = false;
  u.window = [&](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr, bool reset) {
    EXPECT_EQ(lr.size(), sr.size());
    calls.emplace_back(static_cast<int>(lr.size()), reset);
    for (std::size_t i = 0; i < lr.size(); ++i) LITESR_RETURN_IF_ERROR(testing::nearest_upscale(lr[i], sr[i], 2));
    return Status();
  };
  VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
  Result<VideoJobStats> s = run_video_job(o, u);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 20);
  const std::vector<std::pair<int, bool>> want = {{5, true}, {5, false}, {2, false}, {5, true}, {3, false}};
  EXPECT_EQ(calls, want);
}

// Upscaler::window_streams: every frame in its own call as it arrives, the reset only on a window's first frame (a
// window start after a cut or, with reset_each_window, every window start).
TEST(VideoJob, StreamingWindowUpscalerGetsFramesOneCallEachWithResetsAtWindowStarts) {
  TempDir dir;
  const fs::path clip = make_cut_clip(dir);
  for (bool reset_each_window : {false, true}) {
    SCOPED_TRACE(reset_each_window ? "reset each window" : "state across windows");
    std::vector<int> resets;  // frame numbers whose call said reset
    int calls = 0;
    Upscaler u;
    u.scale = 2;
    u.window_frames = 5;
    u.window_streams = true;
    u.reset_each_window = reset_each_window;
    u.window = [&](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr, bool reset) {
      EXPECT_EQ(lr.size(), 1u);
      if (reset) resets.push_back(calls);
      ++calls;
      for (std::size_t i = 0; i < lr.size(); ++i) LITESR_RETURN_IF_ERROR(testing::nearest_upscale(lr[i], sr[i], 2));
      return Status();
    };
    VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
    o.overwrite = true;
    Result<VideoJobStats> s = run_video_job(o, u);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    EXPECT_EQ(s->frames, 20);
    EXPECT_EQ(calls, 20);
    // Windows 0-4, 5-9, 10-11 (cut), 12-16, 17-19.
    const std::vector<int> want = reset_each_window ? std::vector<int>{0, 5, 10, 12, 17} : std::vector<int>{0, 12};
    EXPECT_EQ(resets, want);
  }
}

// Upscaler::rows: where the writer's Y'CbCr converts groups of rows on their own (4:2:0 with H.264's default left
// siting, 4:4:4), the job runs the row-streaming step — here nearest neighbour reporting its groups in reverse
// order from two threads — and writes the same frames as `frame` / `window` with whole-frame conversions; a
// streaming window's frames get the same resets. Where it cannot (4:2:0 tagged vertically co-sited), `frame` runs.
TEST(VideoJob, RowStreamingUpscalerWritesTheSameFrames) {
  TempDir dir;
  struct Case {
    const char* name;
    const char* options;  // of the input clip's encoding
    bool streams;
  };
  for (const Case& c : {Case{"yuv420p", "-pix_fmt yuv420p", true}, Case{"yuv444p", "-pix_fmt yuv444p", true},
                        Case{"yuv420p topleft", "-pix_fmt yuv420p -chroma_sample_location topleft", false}}) {
    SCOPED_TRACE(c.name);
    const fs::path clip = dir / "in.mkv";
    ASSERT_EQ(run_command("ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=10:duration=1.4 -c:v ffv1 " +
                          std::string(c.options) + " " + quote(clip))
                  .exit_code,
              0);
    for (bool windows : {false, true}) {
      SCOPED_TRACE(windows ? "streaming windows" : "single frames");
      int row_calls = 0, resets = 0;
      auto upscale = [](ImageView<const float> lr, ImageView<float> sr) { return testing::nearest_upscale(lr, sr, 2); };
      Upscaler whole;
      whole.scale = 2;
      if (windows) {
        whole.window_frames = 5;
        whole.window_streams = true;
        whole.window = [&](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr, bool) {
          for (std::size_t i = 0; i < lr.size(); ++i) LITESR_RETURN_IF_ERROR(upscale(lr[i], sr[i]));
          return Status();
        };
      } else {
        whole.frame = upscale;
      }
      Upscaler streamed = whole;
      streamed.rows = [&](ImageView<const float> lr, ImageView<float> sr, bool reset, RowSink& rows) {
        ++row_calls;
        resets += reset;
        LITESR_RETURN_IF_ERROR(upscale(lr, sr));
        auto report = [&](int first) {  // groups first, first + 2, ... from the bottom up
          for (int y0 = (sr.height / 2 - 1 - first) * 2; y0 >= 0; y0 -= 4) rows.rows_ready(y0, y0 + 2);
        };
        std::thread other(report, 1);
        report(0);
        other.join();
        return Status();
      };
      std::vector<std::string> md5s[2];
      for (int i = 0; i < 2; ++i) {
        VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
        o.overwrite = true;
        Result<VideoJobStats> st = run_video_job(o, i == 0 ? whole : streamed);
        ASSERT_TRUE(st.ok()) << st.status().to_string();
        EXPECT_EQ(st->frames, 14);
        md5s[i] = testing::frame_md5s(o.output);
      }
      EXPECT_EQ(md5s[1], md5s[0]);
      EXPECT_EQ(md5s[0].size(), 14u);
      EXPECT_EQ(row_calls, c.streams ? 14 : 0);
      EXPECT_EQ(resets, c.streams && windows ? 3 : 0);  // windows 0-4, 5-9, 10-13
    }
  }
}

TEST(VideoJob, CallbackErrorStopsTheJobAndRemovesTheOutput) {
  TempDir dir;
  const fs::path clip = make_av_clip(dir);
  for (bool streamed : {false, true}) {  // Upscaler::frame, or Upscaler::rows (the conversion inside the SR step)
    SCOPED_TRACE(streamed ? "row streaming" : "whole frames");
    Upscaler u;
    u.scale = 2;
    int calls = 0, row_calls = 0;
    u.frame = [&](ImageView<const float> lr, ImageView<float> sr) {
      if (++calls == 10) return internal_error("model exploded");
      return testing::nearest_upscale(lr, sr, 2);
    };
    if (streamed) {
      u.rows = [&](ImageView<const float> lr, ImageView<float> sr, bool, RowSink& rows) {
        ++row_calls;
        LITESR_RETURN_IF_ERROR(u.frame(lr, sr));
        rows.rows_ready(0, sr.height);
        return Status();
      };
    }
    VideoJobOptions o = testing::ffv1_job(clip, dir / "out.mkv");
    Result<VideoJobStats> s = run_video_job(o, u);
    ASSERT_EQ(s.status().code(), StatusCode::kInternal);
    EXPECT_NE(s.status().message().find("model exploded"), std::string::npos);
    EXPECT_NE(s.status().message().find("upscaling frame 9"), std::string::npos) << s.status().message();
    EXPECT_FALSE(fs::exists(dir / "out.mkv"));
    EXPECT_FALSE(fs::exists(dir / ".out.mkv.litesr-tmp"));
    EXPECT_EQ(row_calls, streamed ? 10 : 0);
  }
}

// A lane's record of its calls (Upscaler::lanes run on their own threads).
struct LaneLog {
  std::mutex mu;
  std::vector<std::pair<int, bool>> calls;  // (frames, reset) per call
  std::set<std::thread::id> threads;
  int since_reset = 0;  // the window state: frames upscaled since the last reset
};

// A window upscaler with state: nearest neighbour, brightened by 8/255 per frame upscaled since the window's reset,
// so a frame upscaled with another window's state (or a missed reset) comes out different.
Upscaler stateful_window_upscaler(std::shared_ptr<LaneLog> log, bool streams) {
  Upscaler u;
  u.scale = 2;
  u.window_frames = 5;
  u.window_streams = streams;
  u.window = [log](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr, bool reset) {
    std::lock_guard lock(log->mu);
    log->calls.emplace_back(static_cast<int>(lr.size()), reset);
    log->threads.insert(std::this_thread::get_id());
    if (reset) log->since_reset = 0;
    for (std::size_t i = 0; i < lr.size(); ++i) {
      LITESR_RETURN_IF_ERROR(testing::nearest_upscale(lr[i], sr[i], 2));
      const float lift = 8.0f * static_cast<float>(log->since_reset++) / 255.0f;
      for (int y = 0; y < sr[i].height; ++y) {
        float* row = sr[i].row(y);
        for (int x = 0; x < sr[i].width * sr[i].channels; ++x) row[x] = std::min(1.0f, row[x] + lift);
      }
    }
    return Status();
  };
  return u;
}

// Lanes (Upscaler::lanes): windows go round robin to two upscalers with their own state, each on its own thread, and
// the job writes what one upscaler writes alone — every window with its reset, frames in order — whether windows
// come whole or frame by frame. Where windows carry state (reset_each_window false) the lanes are not used.
TEST(VideoJob, LanesUpscaleWindowsSideBySideAndWriteTheSameFrames) {
  TempDir dir;
  const fs::path clip = make_cut_clip(dir);  // windows 0-4, 5-9, 10-11 (the cut), 12-16, 17-19
  auto run = [&](const Upscaler& u, const std::string& name, int* lanes_used) {
    VideoJobOptions o = testing::ffv1_job(clip, dir / name);
    o.overwrite = true;
    Result<VideoJobStats> s = run_video_job(o, u);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    if (!s.ok()) return std::vector<std::string>{};
    EXPECT_EQ(s->frames, 20);
    *lanes_used = s->sr_lanes;
    return testing::frame_md5s(o.output);
  };
  for (bool streams : {false, true}) {
    SCOPED_TRACE(streams ? "frame by frame" : "whole windows");
    int lanes_used = 0;
    const auto alone = std::make_shared<LaneLog>();
    const std::vector<std::string> want = run(stateful_window_upscaler(alone, streams), "alone.mkv", &lanes_used);
    EXPECT_EQ(lanes_used, 1);
    const auto main = std::make_shared<LaneLog>(), lane0 = std::make_shared<LaneLog>(),
               lane1 = std::make_shared<LaneLog>();
    Upscaler u = stateful_window_upscaler(main, streams);
    u.lanes = {stateful_window_upscaler(lane0, streams), stateful_window_upscaler(lane1, streams)};
    EXPECT_EQ(run(u, "lanes.mkv", &lanes_used), want);
    EXPECT_EQ(lanes_used, 2);
    EXPECT_TRUE(main->calls.empty());
    // Lane 0: windows 0-4, 10-11, 17-19; lane 1: 5-9, 12-16 — each starting with its reset, on one thread each.
    auto windows = [&](const LaneLog& log) {
      std::vector<std::pair<int, bool>> w;
      for (const auto& [frames, reset] : log.calls) {
        if (reset || w.empty()) {
          w.emplace_back(frames, reset);
        } else {
          w.back().first += frames;
        }
      }
      return w;
    };
    EXPECT_EQ(windows(*lane0), (std::vector<std::pair<int, bool>>{{5, true}, {2, true}, {3, true}}));
    EXPECT_EQ(windows(*lane1), (std::vector<std::pair<int, bool>>{{5, true}, {5, true}}));
    EXPECT_EQ(lane0->calls.size() + lane1->calls.size(), streams ? 20u : 5u);
    ASSERT_EQ(lane0->threads.size(), 1u);
    ASSERT_EQ(lane1->threads.size(), 1u);
    EXPECT_NE(*lane0->threads.begin(), *lane1->threads.begin());
    // The state matters: a plain nearest-neighbour job writes other frames.
    EXPECT_NE(run(testing::nearest_upscaler(2), "nearest.mkv", &lanes_used), want);

    // Windows that carry state run on the upscaler itself, with the same calls as alone.
    const auto carry_alone = std::make_shared<LaneLog>(), carry_main = std::make_shared<LaneLog>(),
               carry_lane = std::make_shared<LaneLog>();
    Upscaler carrying = stateful_window_upscaler(carry_alone, streams);
    carrying.reset_each_window = false;
    const std::vector<std::string> carried = run(carrying, "carry_alone.mkv", &lanes_used);
    Upscaler carrying_lanes = stateful_window_upscaler(carry_main, streams);
    carrying_lanes.reset_each_window = false;
    carrying_lanes.lanes = {stateful_window_upscaler(carry_lane, streams),
                            stateful_window_upscaler(carry_lane, streams)};
    EXPECT_EQ(run(carrying_lanes, "carry_lanes.mkv", &lanes_used), carried);
    EXPECT_EQ(lanes_used, 1);
    EXPECT_TRUE(carry_lane->calls.empty());
    EXPECT_EQ(carry_main->calls, carry_alone->calls);
  }
}

// Single frames on lanes: frame k on lane k mod 2 (row streaming where the format allows), audio and subtitle
// packets in place; a failing lane stops the job naming its frame; above the memory bound the lanes are not used.
TEST(VideoJob, LanesUpscaleFramesSideBySideKeepingPacketsInOrder) {
  TempDir dir;
  const fs::path clip = make_av_clip(dir);
  auto lane = [](std::shared_ptr<LaneLog> log, int fail_at_call) {
    Upscaler u = testing::nearest_upscaler(2);
    u.rows = [log, fail_at_call](ImageView<const float> lr, ImageView<float> sr, bool, RowSink& rows) {
      {
        std::lock_guard lock(log->mu);
        log->calls.emplace_back(1, false);
        log->threads.insert(std::this_thread::get_id());
        if (static_cast<int>(log->calls.size()) == fail_at_call) return internal_error("lane exploded");
      }
      LITESR_RETURN_IF_ERROR(testing::nearest_upscale(lr, sr, 2));
      rows.rows_ready(0, sr.height);
      return Status();
    };
    return u;
  };
  VideoJobOptions o = testing::ffv1_job(clip, dir / "alone.mkv");
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  const std::vector<std::string> want = testing::frame_md5s(o.output);
  ASSERT_EQ(want.size(), 50u);

  const auto lane0 = std::make_shared<LaneLog>(), lane1 = std::make_shared<LaneLog>();
  Upscaler u = testing::nearest_upscaler(2);
  u.lanes = {lane(lane0, 0), lane(lane1, 0)};
  o.output = (dir / "lanes.mkv").string();
  s = run_video_job(o, u);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->sr_lanes, 2);
  EXPECT_EQ(testing::frame_md5s(o.output), want);
  EXPECT_EQ(lane0->calls.size(), 25u);
  EXPECT_EQ(lane1->calls.size(), 25u);
  EXPECT_EQ(testing::packet_md5s(clip, "0:a"), testing::packet_md5s(o.output, "0:a"));
  EXPECT_EQ(testing::packet_md5s(clip, "0:s"), testing::packet_md5s(o.output, "0:s"));
  expect_same_times(clip, o.output, 1e-3);

  // Lane 1's third frame (frame 5) fails: the error names it, and no output is left.
  u.lanes = {lane(std::make_shared<LaneLog>(), 0), lane(std::make_shared<LaneLog>(), 3)};
  o.output = (dir / "failed.mkv").string();
  s = run_video_job(o, u);
  ASSERT_EQ(s.status().code(), StatusCode::kInternal);
  EXPECT_NE(s.status().message().find("lane exploded"), std::string::npos);
  EXPECT_NE(s.status().message().find("upscaling frame 5"), std::string::npos) << s.status().message();
  EXPECT_FALSE(fs::exists(dir / "failed.mkv"));
  EXPECT_FALSE(fs::exists(dir / ".failed.mkv.litesr-tmp"));

  // Input frames the lanes' queues could hold beyond the bound: the upscaler itself runs.
  const auto unused = std::make_shared<LaneLog>();
  u.lanes = {lane(unused, 0), lane(unused, 0)};
  o.output = (dir / "bounded.mkv").string();
  o.max_lane_queue_bytes = 1 << 20;
  s = run_video_job(o, u);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->sr_lanes, 1);
  EXPECT_TRUE(unused->calls.empty());
  EXPECT_EQ(testing::frame_md5s(o.output), want);
}

}  // namespace
}  // namespace litesr
