// YUV4MPEG2 in and out of the video job (video/y4m_format.h): what y4m carries survives (pixel format, 10-bit
// included, frame rate, sample aspect ratio, range, 4:2:0 siting); what it cannot carry is handled (the colour
// matrix is chosen for what readers assume, VFR input is retimed with a warning, audio is reported as not
// copied); a y4m input cut inside a frame is an error; and the option checks that keep pipes out of --resume.
// Fixtures are made by the ffmpeg command-line tool, as in the other video tests.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/test_env.h"
#include "video/frame_converter.h"
#include "video/frame_pipeline.h"
#include "video/video_reader.h"
#include "video_test_util.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::run_command;
using testing::TempDir;

std::string y4m_header(const fs::path& file) {
  const std::string bytes = testing::read_file_bytes(file);
  return bytes.substr(0, bytes.find('\n'));
}

int decoded_frames(const fs::path& file) { return static_cast<int>(testing::frame_md5s(file.string()).size()); }

void ffmpeg(const std::string& args) {
  ASSERT_EQ(run_command("ffmpeg -v error -y " + args + " 2>&1").exit_code, 0) << args;
}

TEST(Y4m, CarriesPixelFormatRateAspectRangeAndSiting) {
  TempDir dir;
  const std::string src = "-f lavfi -i testsrc2=size=64x48:rate=30000/1001 -frames:v 5 ";
  struct Case {
    std::string name, make;           // input file, ffmpeg arguments that make it
    std::vector<std::string> expect;  // fields of the output's header line
  };
  const std::vector<Case> cases = {
      // y4m in: every field comes from its header.
      {"left_full.y4m",
       "-vf setsar=4/3 -pix_fmt yuv420p -color_range pc -chroma_sample_location left -f yuv4mpegpipe",
       {"W128 H96 ", "F30000:1001", "A4:3", "C420mpeg2", "XCOLORRANGE=FULL"}},
      {"ten_bit.y4m", "-pix_fmt yuv420p10le -strict -1 -f yuv4mpegpipe", {"C420p10", "XCOLORRANGE=LIMITED"}},
      {"four22.y4m", "-pix_fmt yuv422p -f yuv4mpegpipe", {"C422 ", "XCOLORRANGE=LIMITED"}},
      // Other containers in: the nearest y4m format, J formats as plain + full range.
      {"rgb.mkv", "-pix_fmt rgb24 -c:v png", {"C444 ", "W128 H96 "}},
      {"jpeg.mkv", "-pix_fmt yuvj420p -c:v mjpeg", {"C420jpeg", "XCOLORRANGE=FULL"}},
      {"ten_bit_422.mkv", "-pix_fmt yuv422p10le -c:v ffv1", {"C422p10"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path in = dir / c.name;
    ffmpeg(src + c.make + " " + quote(in));
    VideoJobOptions o;
    o.input = in.string();
    o.output = (dir / (c.name + ".out.y4m")).string();
    Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    EXPECT_EQ(s->frames, 5);
    const std::string header = y4m_header(o.output);
    for (const std::string& field : c.expect)
      EXPECT_NE(header.find(field), std::string::npos) << field << " in " << header;
    EXPECT_EQ(decoded_frames(o.output), 5);
  }
}

// The mean R'G'B' of a video's first frame as LiteSR decodes it: with the frame's own (or guessed) colour,
// or with `force` (matrix only) when given.
std::vector<double> first_frame_rgb(const fs::path& file, const video_detail::FrameColor* force = nullptr) {
  auto reader = video_detail::VideoReader::open(file.string(), {});
  EXPECT_TRUE(reader.ok()) << reader.status().to_string();
  if (!reader.ok()) return {};
  video_detail::FramePtr frame = video_detail::make_frame();
  video_detail::PacketPtr packet = video_detail::make_packet();
  auto item = (*reader)->next(*frame, *packet);
  EXPECT_TRUE(item.ok() && *item == video_detail::VideoReader::Item::kFrame);
  video_detail::FrameColor color =
      video_detail::resolve_frame_color(frame->colorspace, frame->color_range, frame->chroma_location,
                                        static_cast<AVPixelFormat>(frame->format), frame->width, frame->height);
  if (force != nullptr) color.matrix = force->matrix;
  Image rgb = Image::create(frame->width, frame->height, 3, PixelType::kF32).value();
  video_detail::FrameToRgb convert;
  EXPECT_TRUE(convert.convert(*frame, color, rgb.view<float>()).ok());
  std::vector<double> mean(3, 0.0);
  const ImageView<const float> v = rgb.view<float>();
  for (int y = 0; y < v.height; ++y)
    for (int x = 0; x < v.width; ++x)
      for (int c = 0; c < 3; ++c) mean[c] += v.row(y)[3 * x + c];
  for (double& m : mean) m /= static_cast<double>(v.width) * v.height;
  return mean;
}

// A 320x180 y4m says nothing of its matrix, so readers (LiteSR too) take BT.601 for it and BT.709 for the
// 1280x720 output: the output is written in BT.709 so that the colour a reader sees is the input's.
TEST(Y4m, UntaggedInputIsWrittenInTheMatrixReadersAssumeForTheOutputSize) {
  TempDir dir;
  const fs::path in = dir / "red.y4m";
  ffmpeg("-f lavfi -i color=c=0xD02818:size=320x180:rate=25 -frames:v 2 -pix_fmt yuv420p -f yuv4mpegpipe " + quote(in));
  VideoJobOptions o;
  o.input = in.string();
  o.output = (dir / "red_x4.y4m").string();
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(4));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_TRUE(s->warnings.empty()) << s->warnings.front();
  const std::vector<double> want = first_frame_rgb(in), got = first_frame_rgb(o.output);
  ASSERT_EQ(got.size(), 3u);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(got[c], want[c], 1.5 / 255) << "channel " << c;
  // The test can tell: read as BT.601 (what keeping the input's matrix would have needed), red is far off.
  video_detail::FrameColor bt601;
  bt601.matrix = ColorMatrix::kBt601;
  const std::vector<double> as601 = first_frame_rgb(o.output, &bt601);
  EXPECT_GT(std::fabs(as601[0] - want[0]), 0.03);
}

// A tagged input keeps its matrix; when readers of the y4m would assume another, or the primaries/transfer
// are not the SDR BT.709 family, a warning says how to tag the stream downstream.
TEST(Y4m, TagsY4mCannotCarryAreWarnedAbout) {
  TempDir dir;
  struct Case {
    std::string name, tags;
    std::vector<std::string> warned;  // empty: no warning
  };
  const std::vector<Case> cases = {
      {"bt709.mkv", "-colorspace bt709 -color_primaries bt709 -color_trc bt709", {}},
      {"smpte170m.mkv",
       "-colorspace smpte170m -color_primaries smpte170m -color_trc smpte170m",
       {"setparams=colorspace=smpte170m", "bt709 matrix"}},
      {"hdr.mkv",
       "-colorspace bt2020nc -color_primaries bt2020 -color_trc smpte2084",
       {"colorspace=bt2020nc", "color_primaries=bt2020", "color_trc=smpte2084"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path in = dir / c.name;
    ffmpeg("-f lavfi -i testsrc2=size=320x180:rate=25 -frames:v 2 -pix_fmt yuv420p10le -c:v ffv1 " + c.tags + " " +
           quote(in));
    VideoJobOptions o;
    o.input = in.string();
    o.output = (dir / (c.name + ".y4m")).string();
    Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(4));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    if (c.warned.empty()) {
      EXPECT_TRUE(s->warnings.empty()) << s->warnings.front();
      continue;
    }
    ASSERT_EQ(s->warnings.size(), 1u);
    for (const std::string& w : c.warned) EXPECT_NE(s->warnings[0].find(w), std::string::npos) << s->warnings[0];
  }
}

// y4m has no timestamps: a variable-rate input is put on the constant-rate grid the way `ffmpeg -vsync cfr`
// does, each frame at its own time, gaps filled by repeating the frame on screen, and the job says so.
TEST(Y4m, VariableRateInputKeepsItsTimingOnAConstantRateGrid) {
  TempDir dir;
  const fs::path in = dir / "vfr.mkv";
  // Frames 0-4 and 10-19 of a 25 fps source, each at its own time: a 0.2 s gap after frame 4.
  // (testsrc: its frame counter makes every frame different.)
  ffmpeg(
      "-f lavfi -i testsrc=size=64x48:rate=25:duration=0.8 -vf \"select='not(between(n,5,9))'\" -vsync vfr "
      "-c:v ffv1 " +
      quote(in));
  VideoJobOptions o;
  o.input = in.string();
  o.output = (dir / "vfr.y4m").string();
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 15);  // upscaled
  const std::vector<std::string> md5 = testing::frame_md5s(o.output);
  ASSERT_EQ(md5.size(), 20u);  // shown: 0.8 s at 25 fps
  for (int i = 5; i <= 9; ++i) EXPECT_EQ(md5[i], md5[4]) << "slot " << i << " repeats frame 4";
  EXPECT_NE(md5[10], md5[4]);
  EXPECT_NE(md5[3], md5[4]);
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("5 frames were repeated and 0 dropped"), std::string::npos) << s->warnings[0];
  EXPECT_NE(y4m_header(o.output).find("F25:1"), std::string::npos) << y4m_header(o.output);

  // Two frames 10 ms apart share a 40 ms slot: the second is dropped (and its slot's neighbour repeated).
  const fs::path close = dir / "close.mkv";
  ffmpeg(
      "-f lavfi -i testsrc=size=64x48:rate=25:duration=0.4 -vf \"settb=1/1000,setpts='if(eq(N,1),10,PTS)'\" "
      "-vsync vfr -enc_time_base 1/1000 -c:v ffv1 " +
      quote(close));
  o.input = close.string();
  o.output = (dir / "close.y4m").string();
  s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 10);
  EXPECT_EQ(decoded_frames(o.output), 10);
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("1 frames were repeated and 1 dropped"), std::string::npos) << s->warnings[0];

  // A constant-rate input is written frame for frame, without a warning.
  const fs::path cfr = dir / "cfr.mkv";
  ffmpeg("-f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 20 -c:v ffv1 " + quote(cfr));
  o.input = cfr.string();
  o.output = (dir / "cfr.y4m").string();
  s = run_video_job(o, testing::nearest_upscaler(2));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_TRUE(s->warnings.empty()) << s->warnings.front();
  EXPECT_EQ(decoded_frames(o.output), 20);
}

// tree.avi (shared data): 68 frames in 444 slots of 1/15 s. As y4m it is 444 frames at 15 fps (29.6 s, as the
// AVI plays), as ffmpeg itself writes it.
TEST(Y4m, RealVariableRateClipKeepsItsDuration) {
  LITESR_REQUIRE_SHARED_DATA(data);
  TempDir dir;
  VideoJobOptions o;
  o.input = (data / "video" / "clips" / "tree.avi").string();
  o.output = (dir / "tree.y4m").string();
  Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(1));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->frames, 68);
  EXPECT_EQ(decoded_frames(o.output), 444);
  EXPECT_NE(y4m_header(o.output).find("F1000000:66667"), std::string::npos) << y4m_header(o.output);
}

// libavformat's y4m demuxer ends quietly at a partial frame; the job does not.
TEST(Y4m, InputCutInsideAFrameIsTruncated) {
  TempDir dir;
  const fs::path clip = dir / "clip.y4m";
  ffmpeg("-f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 12 -pix_fmt yuv420p " + quote(clip));
  const std::string bytes = testing::read_file_bytes(clip);
  const std::size_t frame_bytes = 6 + 64 * 48 * 3 / 2;  // "FRAME\n" + planes
  struct Case {
    std::string name;
    std::size_t cut;  // bytes removed from the end
    bool ok;
    int frames;
  };
  for (const Case& c : {Case{"whole.y4m", 0, true, 12}, Case{"cut_in_frame.y4m", 1000, false, 0},
                        Case{"cut_in_frame_header.y4m", frame_bytes - 3, false, 0},
                        // At a frame boundary nothing tells a cut stream from a complete one.
                        Case{"cut_at_frame.y4m", frame_bytes, true, 11}}) {
    SCOPED_TRACE(c.name);
    testing::write_file_bytes(dir / c.name, bytes.substr(0, bytes.size() - c.cut));
    VideoJobOptions o = testing::ffv1_job(dir / c.name, dir / (c.name + ".out.mkv"));
    Result<VideoJobStats> s = run_video_job(o, testing::nearest_upscaler(1));
    if (c.ok) {
      ASSERT_TRUE(s.ok()) << s.status().to_string();
      EXPECT_EQ(s->frames, c.frames);
    } else {
      ASSERT_EQ(s.status().code(), StatusCode::kCorruptData) << s.status().to_string();
      EXPECT_NE(s.status().message().find("truncated"), std::string::npos) << s.status().to_string();
      EXPECT_NE(s.status().message().find("11 complete frames"), std::string::npos) << s.status().to_string();
      EXPECT_FALSE(fs::exists(o.output));
    }
  }
}

TEST(Y4m, OptionChecksKeepPipesOutOfWhatNeedsFiles) {
  auto check = [](const std::string& in, const std::string& out, auto&& edit) {
    VideoJobOptions o;
    o.input = in;
    o.output = out;
    edit(o);
    return check_video_job_options(o);
  };
  auto none = [](VideoJobOptions&) {};
  auto resume = [](VideoJobOptions& o) { o.resume = true; };
  auto x264 = [](VideoJobOptions& o) { o.encode.codec = "libx264"; };
  auto ten_bit = [](VideoJobOptions& o) { o.encode.pix_fmt = "yuv420p10le"; };
  auto nv12 = [](VideoJobOptions& o) { o.encode.pix_fmt = "nv12"; };
  auto raw = [](VideoJobOptions& o) { o.encode.codec = "rawvideo"; };
  EXPECT_TRUE(check("in.mkv", "out.mkv", resume).ok());
  EXPECT_TRUE(check("in.mkv", "out.mkv", x264).ok());
  EXPECT_TRUE(check("in.mkv", "out.y4m", ten_bit).ok());
  EXPECT_TRUE(check("in.mkv", "out.y4m", raw).ok());
  EXPECT_TRUE(check("in.mkv", "out.y4m", none).ok());
  for (const Status& st :
       {check("in.mkv", "-", resume), check("-", "out.mkv", resume), check("in.mkv", "out.y4m", resume),
        check("in.mkv", "out.y4m", x264), check("in.mkv", "out.y4m", nv12)}) {
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.to_string();
  }
}

}  // namespace
}  // namespace litesr
