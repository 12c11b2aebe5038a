// The luma plane path (video/luma_planes.h): plane reads and writes are exact, chroma is upscaled at its sites
// (a ramp lands where the siting says), the rule for when planes go through, and a job through it: its output
// Y' is the callback's on the input Y', its chroma the bicubic upscale of the input's, with no R'G'B' anywhere.
#include "video/luma_planes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "testing/test_env.h"
#include "video/frame_pipeline.h"
#include "video/model_video_upscaler.h"
#include "video/video_reader.h"
#include "video_test_util.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using namespace video_detail;
using testing::quote;
using testing::run_command;
using testing::allocated_frame;
using testing::TempDir;

Image plane_image(int w, int h) { return Image::create(w, h, 1, PixelType::kF32).value(); }

// Every code of every plane of `f`, in order (8- or 16-bit samples).
std::vector<int> codes(const AVFrame& f, int depth) {
  PlanarYuv p;
  EXPECT_TRUE(planar_yuv(static_cast<AVPixelFormat>(f.format), &p));
  std::vector<int> out;
  for (int plane = 0; plane < 3; ++plane) {
    const int w = plane == 0 ? f.width : chroma_length(f.width, p.log2_cw);
    const int h = plane == 0 ? f.height : chroma_length(f.height, p.log2_ch);
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = f.data[plane] + static_cast<std::ptrdiff_t>(y) * f.linesize[plane];
      for (int x = 0; x < w; ++x)
        out.push_back(depth > 8 ? reinterpret_cast<const uint16_t*>(row)[x] : row[x]);
    }
  }
  return out;
}

TEST(LumaPlanes, ReadAndWriteAreExactForEveryDepthAndSubsampling) {
  struct Case {
    AVPixelFormat fmt;
    int depth;
  };
  for (const Case c : {Case{AV_PIX_FMT_YUV420P, 8}, Case{AV_PIX_FMT_YUV422P, 8}, Case{AV_PIX_FMT_YUV444P, 8},
                       Case{AV_PIX_FMT_YUV420P10LE, 10}, Case{AV_PIX_FMT_YUV444P12LE, 12}}) {
    SCOPED_TRACE(av_get_pix_fmt_name(c.fmt));
    PlanarYuv p;
    ASSERT_TRUE(planar_yuv(c.fmt, &p));
    constexpr int kW = 13, kH = 7;  // odd: chroma sides round up
    FramePtr in = allocated_frame(c.fmt, kW, kH);
    const int max_code = (1 << c.depth) - 1;
    for (int plane = 0; plane < 3; ++plane) {
      const int w = plane == 0 ? kW : chroma_length(kW, p.log2_cw), h = plane == 0 ? kH : chroma_length(kH, p.log2_ch);
      for (int y = 0; y < h; ++y) {
        uint8_t* row = in->data[plane] + static_cast<std::ptrdiff_t>(y) * in->linesize[plane];
        for (int x = 0; x < w; ++x) {
          const int v = (x * 977 + y * 131 + plane * 53) % (max_code + 1);
          if (c.depth > 8) reinterpret_cast<uint16_t*>(row)[x] = static_cast<uint16_t>(v);
          else row[x] = static_cast<uint8_t>(v);
        }
      }
    }
    const int cw = chroma_length(kW, p.log2_cw), ch = chroma_length(kH, p.log2_ch);
    Image y = plane_image(kW, kH), chroma = plane_image(cw, 2 * ch);
    ASSERT_TRUE(read_planes(*in, y.view<float>(), chroma.view<float>()).ok());
    // 8-bit Y' 235 (limited-range white) is 235/255; a deeper code scales by 2^(depth - 8).
    EXPECT_FLOAT_EQ(y.view<float>().row(0)[0] * 255.0f * static_cast<float>(1 << (c.depth - 8)),
                    static_cast<float>(codes(*in, c.depth)[0]));
    FramePtr out = allocated_frame(c.fmt, kW, kH);
    ASSERT_TRUE(write_planes(y.view<float>(), chroma.view<float>(), *out).ok());
    EXPECT_EQ(codes(*out, c.depth), codes(*in, c.depth));
    // Plane sizes that do not fit the frame are refused.
    Image wrong = plane_image(cw, ch);
    EXPECT_FALSE(write_planes(y.view<float>(), wrong.view<float>(), *out).ok());
  }
}

TEST(LumaPlanes, WritesRoundAndClampToTheCodeRange) {
  FramePtr f = allocated_frame(AV_PIX_FMT_YUV444P, 2, 1);
  Image y = plane_image(2, 1), chroma = plane_image(2, 2);
  y.view<float>().row(0)[0] = -0.2f;            // below 0: code 0
  y.view<float>().row(0)[1] = 2.0f;             // above 1: 255
  chroma.view<float>().row(0)[0] = 100.51f / 255.0f;  // nearest code
  chroma.view<float>().row(0)[1] = 100.49f / 255.0f;
  chroma.view<float>().row(1)[0] = 128.0f / 255.0f;
  chroma.view<float>().row(1)[1] = 128.0f / 255.0f;
  ASSERT_TRUE(write_planes(y.view<float>(), chroma.view<float>(), *f).ok());
  EXPECT_EQ(codes(*f, 8), (std::vector<int>{0, 255, 101, 100, 128, 128}));
}

// A linear ramp is reproduced exactly by the cubic (it sums to one and is symmetric), so away from the borders the
// upscaled plane is the ramp read at each output sample's site: the check of the siting shift.
TEST(LumaPlanes, ChromaLandsAtItsSites) {
  struct Case {
    AVPixelFormat fmt;
    AVChromaLocation loc;
    double shift_x, shift_y;  // expected, input chroma samples, at x4
  };
  for (const Case c : {Case{AV_PIX_FMT_YUV420P, AVCHROMA_LOC_LEFT, 3.0 / 16, 0.0},    // H.264 default
                       Case{AV_PIX_FMT_YUV420P, AVCHROMA_LOC_CENTER, 0.0, 0.0},       // JPEG / MPEG-1
                       Case{AV_PIX_FMT_YUV420P, AVCHROMA_LOC_TOPLEFT, 3.0 / 16, 3.0 / 16},
                       Case{AV_PIX_FMT_YUV444P, AVCHROMA_LOC_LEFT, 0.0, 0.0}}) {
    SCOPED_TRACE(std::string(av_get_pix_fmt_name(c.fmt)) + " " + av_chroma_location_name(c.loc));
    constexpr int kW = 40, kH = 24, kScale = 4;
    Result<ChromaUpscaler> up = ChromaUpscaler::create(c.fmt, c.loc, kW, kH, kScale);
    ASSERT_TRUE(up.ok()) << up.status().to_string();
    const int cw = up->in_width(), ch = up->in_height(), ow = up->out_width(), oh = up->out_height();
    Image in = plane_image(cw, 2 * ch), out = plane_image(ow, 2 * oh);
    for (int y = 0; y < ch; ++y) {
      for (int x = 0; x < cw; ++x) {
        in.view<float>().row(y)[x] = static_cast<float>(x);       // Cb: ramp across
        in.view<float>().row(ch + y)[x] = static_cast<float>(y);  // Cr: ramp down
      }
    }
    ASSERT_TRUE(up->run(in.view<float>(), out.view<float>()).ok());
    // Interior samples only: their taps stay inside the plane.
    for (int y = 2 * kScale; y < oh - 2 * kScale; ++y) {
      for (int x = 2 * kScale; x < ow - 2 * kScale; ++x) {
        const double want_x = (x + 0.5) / kScale - 0.5 + c.shift_x;
        const double want_y = (y + 0.5) / kScale - 0.5 + c.shift_y;
        ASSERT_NEAR(out.view<float>().row(y)[x], want_x, 1e-4) << x << "," << y;
        ASSERT_NEAR(out.view<float>().row(oh + y)[x], want_y, 1e-4) << x << "," << y;
      }
    }
  }
}

TEST(LumaPlanes, PlanesGoThroughOnlyWithTheSameSubsamplingColourAndLimitedRange) {
  const FrameColor sd{ColorMatrix::kBt601, ColorRange::kLimited, AVCHROMA_LOC_LEFT};
  FrameColor hd = sd, full = sd, centre = sd;
  hd.matrix = ColorMatrix::kBt709;
  full.range = ColorRange::kFull;
  centre.chroma_location = AVCHROMA_LOC_CENTER;
  EXPECT_TRUE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_YUV420P, sd));
  EXPECT_TRUE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_YUV420P10LE, sd));  // depth may change
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_YUV444P, sd));
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_RGB24, sd));
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_NV12, sd, AV_PIX_FMT_YUV420P, sd));  // not planar: swscale's
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_YUV420P, hd));
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_YUVJ420P, full, AV_PIX_FMT_YUVJ420P, full));
  EXPECT_FALSE(luma_planes_apply(AV_PIX_FMT_YUV420P, sd, AV_PIX_FMT_YUV420P, centre));
}

// All decoded frames of a file, as planes.
struct DecodedPlanes {
  Image y, chroma;
};
std::vector<DecodedPlanes> read_all_planes(const fs::path& file) {
  ReaderOptions o;
  auto reader = VideoReader::open(file.string(), o).value();
  std::vector<DecodedPlanes> out;
  FramePtr frame = make_frame();
  PacketPtr pkt = make_packet();
  while (true) {
    const VideoReader::Item item = reader->next(*frame, *pkt).value();
    if (item == VideoReader::Item::kEnd) break;
    if (item != VideoReader::Item::kFrame) continue;
    PlanarYuv p;
    EXPECT_TRUE(planar_yuv(static_cast<AVPixelFormat>(frame->format), &p));
    DecodedPlanes planes{
        plane_image(frame->width, frame->height),
        plane_image(chroma_length(frame->width, p.log2_cw), 2 * chroma_length(frame->height, p.log2_ch))};
    EXPECT_TRUE(read_planes(*frame, planes.y.view<float>(), planes.chroma.view<float>()).ok());
    out.push_back(std::move(planes));
    av_frame_unref(frame.get());
  }
  return out;
}

// Nearest-neighbour x`scale` of one plane.
Status nearest_plane(ImageView<const float> lr, ImageView<float> sr, int scale) {
  if (lr.channels != 1 || sr.channels != 1) return invalid_argument("planes have one channel");
  for (int y = 0; y < sr.height; ++y)
    for (int x = 0; x < sr.width; ++x) sr.row(y)[x] = lr.row(y / scale)[x / scale];
  return {};
}

// A 48x32 limited-range BT.601 yuv420p FFV1 clip of `frames` frames (testsrc2).
bool make_yuv420_clip(const fs::path& file, int frames) {
  return run_command("ffmpeg -v error -y -f lavfi -i testsrc2=size=48x32:rate=25 -frames:v " + std::to_string(frames) +
                     " -pix_fmt yuv420p -color_range tv -colorspace bt470bg -c:v ffv1 " + quote(file) + " 2>&1")
             .exit_code == 0;
}

TEST(LumaPlanes, JobRunsTheCallbackOnYAndUpscalesChromaWithoutRgb) {
  TempDir dir;
  const fs::path in = dir.path() / "in.mkv";
  ASSERT_TRUE(make_yuv420_clip(in, 4));
  constexpr int kScale = 2;
  Upscaler u;
  u.scale = kScale;
  int rgb_calls = 0, plane_calls = 0;
  u.frame = [&](ImageView<const float> lr, ImageView<float> sr) {
    ++rgb_calls;
    return testing::nearest_upscale(lr, sr, kScale);
  };
  u.luma_plane = [&](ImageView<const float> lr, ImageView<float> sr) {
    ++plane_calls;
    return nearest_plane(lr, sr, kScale);
  };
  VideoJobOptions o = testing::ffv1_job(in, dir.path() / "out.mkv");
  Result<VideoJobStats> stats = run_video_job(o, u);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_TRUE(stats->luma_planes);
  EXPECT_EQ(plane_calls, 4);
  EXPECT_EQ(rgb_calls, 0);

  const std::vector<DecodedPlanes> lr = read_all_planes(in), sr = read_all_planes(o.output);
  ASSERT_EQ(lr.size(), 4u);
  ASSERT_EQ(sr.size(), 4u);
  ChromaUpscaler chroma = ChromaUpscaler::create(AV_PIX_FMT_YUV420P, AVCHROMA_LOC_LEFT, 48, 32, kScale).value();
  for (std::size_t i = 0; i < lr.size(); ++i) {
    Image want_y = plane_image(96, 64), want_chroma = plane_image(chroma.out_width(), 2 * chroma.out_height());
    ASSERT_TRUE(nearest_plane(lr[i].y.view<float>(), want_y.view<float>(), kScale).ok());
    ASSERT_TRUE(chroma.run(lr[i].chroma.view<float>(), want_chroma.view<float>()).ok());
    // Written as codes (rounded): equal within half a code.
    const auto near = [](const Image& got, const Image& want) {
      double worst = 0;  // codes; bicubic overshoots are clamped to the code range
      for (int y = 0; y < got.height(); ++y)
        for (int x = 0; x < got.width(); ++x) {
          const double w = std::clamp(double{want.view<float>().row(y)[x]}, 0.0, 1.0);
          worst = std::max(worst, std::fabs(double{got.view<float>().row(y)[x]} - w) * 255);
        }
      return worst;
    };
    EXPECT_LE(near(sr[i].y, want_y), 1e-3) << "frame " << i;
    EXPECT_LE(near(sr[i].chroma, want_chroma), 0.5 + 1e-3) << "frame " << i;
  }

  // --rgb-frames (luma_planes = false), and an output that is not Y'CbCr: the R'G'B' frames.
  o.luma_planes = false;
  o.overwrite = true;
  plane_calls = rgb_calls = 0;
  stats = run_video_job(o, u);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_FALSE(stats->luma_planes);
  EXPECT_EQ(rgb_calls, 4);
  EXPECT_EQ(plane_calls, 0);
  o.luma_planes = true;
  o.output = (dir.path() / "png" / "%04d.png").string();
  o.encode.codec.clear();
  stats = run_video_job(o, u);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_FALSE(stats->luma_planes);
  EXPECT_EQ(plane_calls, 0);
}

// Multi-frame luma networks (Upscaler::luma_window): windows of Y' planes, chroma by the job's bicubic.
TEST(LumaPlanes, WindowedJobRunsLumaWindowsOnYPlanes) {
  TempDir dir;
  const fs::path in = dir.path() / "in.mkv";
  ASSERT_TRUE(make_yuv420_clip(in, 5));
  constexpr int kScale = 2;
  Upscaler u;
  u.scale = kScale;
  u.window_frames = 2;
  u.scene_cut_threshold = 0.9;  // testsrc2 moves a little each frame: no cut
  int rgb_windows = 0, plane_windows = 0, plane_frames = 0, resets = 0;
  u.window = [&](std::span<const ImageView<const float>>, std::span<const ImageView<float>>, bool) {
    ++rgb_windows;
    return Status();
  };
  u.luma_window = [&](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr, bool reset) {
    ++plane_windows;
    resets += reset;
    for (std::size_t i = 0; i < lr.size(); ++i) {
      ++plane_frames;
      LITESR_RETURN_IF_ERROR(nearest_plane(lr[i], sr[i], kScale));
    }
    return Status();
  };
  VideoJobOptions o = testing::ffv1_job(in, dir.path() / "out.mkv");
  Result<VideoJobStats> stats = run_video_job(o, u);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_TRUE(stats->luma_planes);
  EXPECT_EQ(rgb_windows, 0);
  EXPECT_EQ(plane_windows, 3);  // 2 + 2 + 1 frames
  EXPECT_EQ(plane_frames, 5);
  EXPECT_EQ(resets, 3);  // reset_each_window
  const std::vector<DecodedPlanes> lr = read_all_planes(in), sr = read_all_planes(o.output);
  ASSERT_EQ(sr.size(), 5u);
  for (std::size_t i = 0; i < lr.size(); ++i) {
    Image want_y = plane_image(96, 64);
    ASSERT_TRUE(nearest_plane(lr[i].y.view<float>(), want_y.view<float>(), kScale).ok());
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 96; ++x) ASSERT_NEAR(sr[i].y.view<float>().row(y)[x], want_y.view<float>().row(y)[x], 1e-3);
  }
  // Without luma_window the windows run on R'G'B' frames.
  u.luma_window = nullptr;
  o.overwrite = true;
  plane_windows = 0;
  stats = run_video_job(o, u);
  ASSERT_TRUE(stats.ok()) << stats.status().to_string();
  EXPECT_FALSE(stats->luma_planes);
  EXPECT_EQ(rgb_windows, 3);
}

TEST(LumaPlanes, LumaModelsTakePlanesAndRgbModelsDoNot) {
  UpscalerOptions options;
  options.threads = 1;
  options.model = "elsr-x4";
  EXPECT_FALSE(open_model_video_upscaler(options).value().upscaler.luma_plane);
  options.model = "elsr-x4-y";
  const ModelVideoUpscaler luma = open_model_video_upscaler(options).value();
  ASSERT_TRUE(luma.upscaler.luma_plane);
  ASSERT_TRUE(luma.upscaler.frame);  // the R'G'B' path where planes cannot go through
  constexpr int kW = 9, kH = 7;
  Image lr = plane_image(kW, kH), sr = plane_image(4 * kW, 4 * kH), want = plane_image(4 * kW, 4 * kH);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) lr.view<float>().row(y)[x] = static_cast<float>(16 + (x * 37 + y * 11) % 220) / 255;
  ASSERT_TRUE(luma.upscaler.luma_plane(lr.view<float>(), sr.view<float>()).ok());
  ModelUpscaler direct = ModelUpscaler::open(options).value();
  ASSERT_TRUE(direct.push_luma_plane(lr.view<float>(), want.view<float>()).ok());
  for (int y = 0; y < 4 * kH; ++y)
    for (int x = 0; x < 4 * kW; ++x) ASSERT_EQ(sr.view<float>().row(y)[x], want.view<float>().row(y)[x]);
  // An RGB frame is not a plane.
  Image rgb = Image::create(kW, kH, 3, PixelType::kF32).value();
  EXPECT_EQ(direct.push_luma_plane(rgb.view<float>(), want.view<float>()).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr
