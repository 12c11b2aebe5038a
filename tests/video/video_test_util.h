// Helpers for the video tests: run the ffmpeg/ffprobe command-line tools (the independent reference
// path), generate short clips, and simple upscalers for the pipeline.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/image.h"
#include "base/status.h"
#include "video/av_handles.h"
#include "video/frame_pipeline.h"

namespace litesr::testing {

// FFmpeg logs errors only while the video tests run.
inline const bool kQuietFfmpeg = (set_ffmpeg_verbosity(0), true);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout
};

// Runs `command` through the shell, capturing stdout (stderr goes to the test log).
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// One line per packet of the selected streams ("0:v", "0:a"): "pts_time,size,md5" from ffmpeg's
// framemd5 muxer with stream copy (byte checksums of the packets).
inline std::vector<std::string> packet_md5s(const std::filesystem::path& file, const std::string& map) {
  const CommandResult r = run_command("ffmpeg -v error -i " + quote(file) + " -map " + map +
                                      " -c copy -f framemd5 - 2>/dev/null");
  std::vector<std::string> out;
  for (const std::string& line : split_lines(r.output)) {
    if (line.empty() || line[0] == '#') continue;
    // stream, dts, pts, duration, size, hash
    std::vector<std::string> f;
    std::size_t s = 0;
    while (true) {
      const std::size_t c = line.find(',', s);
      std::string field = line.substr(s, c == std::string::npos ? std::string::npos : c - s);
      field.erase(0, field.find_first_not_of(' '));
      f.push_back(field);
      if (c == std::string::npos) break;
      s = c + 1;
    }
    if (f.size() >= 6) out.push_back(f[4] + "," + f[5]);
  }
  return out;
}

// Decoded-frame checksums (framemd5 of the decoded video, first video stream).
inline std::vector<std::string> frame_md5s(const std::string& input) {
  const CommandResult r = run_command("ffmpeg -v error -i '" + input + "' -map 0:v:0 -f framemd5 - 2>/dev/null");
  std::vector<std::string> out;
  for (const std::string& line : split_lines(r.output)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(line.substr(line.rfind(',') + 1));
  }
  return out;
}

// Presentation times (seconds) of the video frames, in output order, from ffprobe.
inline std::vector<double> frame_times(const std::filesystem::path& file) {
  const CommandResult r = run_command("ffprobe -v error -select_streams v:0 -show_entries frame=pts_time "
                                      "-of csv=p=0 " + quote(file));
  std::vector<double> t;
  for (const std::string& line : split_lines(r.output)) t.push_back(std::stod(line));
  return t;
}

inline std::string probe_value(const std::filesystem::path& file, const std::string& entries,
                               const std::string& select = "") {
  const CommandResult r = run_command("ffprobe -v error " + (select.empty() ? "" : "-select_streams " + select + " ") +
                                      "-show_entries " + entries + " -of default=nw=1:nk=1 " + quote(file));
  std::string s = r.output;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Nearest-neighbour x`scale` (a cheap deterministic SR stand-in).
inline Status nearest_upscale(ImageView<const float> lr, ImageView<float> sr, int scale) {
  for (int y = 0; y < sr.height; ++y) {
    const float* in = lr.row(y / scale);
    float* out = sr.row(y);
    for (int x = 0; x < sr.width; ++x)
      for (int c = 0; c < 3; ++c) out[3 * x + c] = in[3 * (x / scale) + c];
  }
  return {};
}

// The video pipeline's per-frame upscaler doing nearest_upscale.
// A job from `in` to the lossless FFV1 file `out` (whose frames the tests compare).
inline VideoJobOptions ffv1_job(const std::filesystem::path& in, const std::filesystem::path& out) {
  VideoJobOptions o;
  o.input = in.string();
  o.output = out.string();
  o.encode.codec = "ffv1";
  return o;
}

inline Upscaler nearest_upscaler(int scale) {
  Upscaler u;
  u.scale = scale;
  u.frame = [scale](ImageView<const float> lr, ImageView<float> sr) { return nearest_upscale(lr, sr, scale); };
  return u;
}

// A frame of `fmt`, w x h, with its buffers allocated (fails the test when they cannot be).
inline video_detail::FramePtr allocated_frame(AVPixelFormat fmt, int w, int h) {
  video_detail::FramePtr f = video_detail::make_frame();
  f->format = fmt;
  f->width = w;
  f->height = h;
  EXPECT_GE(av_frame_get_buffer(f.get(), 0), 0);
  return f;
}

}  // namespace litesr::testing
