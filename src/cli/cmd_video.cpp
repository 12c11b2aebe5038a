// `litesr video`: upscale a video file or image sequence (docs/video.md).
//
//   litesr video -i IN -o OUT [-n MODEL] [-s SCALE] [-c CODEC] [--crf N] [--preset P] [--pix-fmt F]
//                [-e key=value]... [--no-audio] [--no-subtitles] [--no-data] [--benchmark] [--resume]
//                [--overwrite] [--progress auto|bar|json|none] [-j N] [--frames N]
//
// IN or OUT "-": YUV4MPEG2 on stdin / stdout (docs/video.md "Pipes (y4m)"); all text then goes to stderr.
// Exit codes (DESIGN §7): 0 ok, 1 failure, 2 usage error, 130 interrupted (the output is then absent;
// with --resume the finished segments stay in OUT.litesr-work/ for the next run).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/progress.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "video/frame_pipeline.h"
#include "video/model_video_upscaler.h"

namespace litesr::cli {
namespace {

struct VideoArgs {
  std::string input;
  std::string output;
  std::string model;  // "" = the default model (litesr models)
  int scale = 0;      // 0 = the model's scale (bicubic: 4)
  std::string codec;
  int crf = -1;
  std::string preset;
  std::string pix_fmt;
  std::vector<std::string> codec_options;  // key=value
  bool no_audio = false;
  bool no_subtitles = false;
  bool no_data = false;
  bool benchmark = false;
  bool resume = false;
  bool overwrite = false;
  bool rgb_frames = false;
  std::string progress = "auto";
  int threads = 0;
  int64_t max_frames = 0;
  int segment_frames = 0;
};

std::string fps_text(int64_t frames, double seconds) {
  if (seconds <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", frames / seconds);
  return buf;
}

// ", 2 lanes side by side" where the SR step ran on lanes (VideoJobStats::sr_lanes).
std::string lanes_text(int lanes) {
  return lanes > 1 ? ", " + std::to_string(lanes) + " lanes side by side" : std::string();
}

int run_video(const VideoArgs& a, CommandContext& ctx) {
  if (!a.benchmark && a.output.empty()) return usage_error("video: -o/--output is required (or use --benchmark)");
  Result<ProgressMode> progress_mode = parse_progress_mode(a.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());
  VideoJobOptions o;
  o.input = a.input;
  o.output = a.benchmark ? std::string() : a.output;
  o.encode.codec = a.codec;
  o.encode.crf = a.crf;
  o.encode.preset = a.preset;
  o.encode.pix_fmt = a.pix_fmt;
  o.encode.threads = a.threads;
  for (const std::string& kv : a.codec_options) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return usage_error("video: -e expects key=value, got '" + kv + "'");
    o.encode.codec_options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  o.copy_audio = !a.no_audio;
  o.copy_subtitles = !a.no_subtitles;
  o.copy_data = !a.no_data;
  o.benchmark = a.benchmark;
  o.overwrite = a.overwrite;
  o.resume = a.resume;
  o.segment_frames = a.segment_frames;
  o.decode_threads = a.threads;
  o.convert_threads = a.threads;
  o.max_frames = a.max_frames;
  o.luma_planes = !a.rgb_frames;
  o.cancel = ctx.cancel;
  // Before the model loads or a byte is read: pipes with --resume, encoder options y4m cannot take, a terminal.
  if (const Status st = check_video_job_options(o); !st.ok()) return usage_error("video: " + st.message());

  UpscalerOptions model_options;
  model_options.model = a.model;
  model_options.scale = a.scale;
  model_options.threads = a.threads;
  Result<ModelVideoUpscaler> opened = open_model_video_upscaler(model_options);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kNotFound) return usage_error(opened.status().message());
    return report_error(opened.status());
  }
  const std::string& model_name = opened->model_name;
  const Upscaler* upscaler = &opened->upscaler;
  o.job_signature = "model=" + model_name + " scale=" + std::to_string(a.scale);
  set_ffmpeg_verbosity(ctx.verbosity);

  std::unique_ptr<Progress> progress;
  o.on_progress = [&](int64_t done, int64_t total) {
    if (!progress) progress = std::make_unique<Progress>(*progress_mode, a.benchmark ? "benchmark" : "video", total);
    progress->set_done(done);
  };
  Result<VideoJobStats> result = run_video_job(o, *upscaler);
  if (progress) progress->finish();
  if (!result.ok()) {
    // An existing output without --overwrite is a usage error (exit 2), as in upscale and export.
    if (result.status().code() == StatusCode::kAlreadyExists) return usage_error(result.status().message());
    return report_error(result.status());
  }
  const VideoJobStats& s = *result;
  for (const std::string& skipped : s.skipped_streams)
    std::fprintf(stderr, "litesr: warning: stream %s not copied: the output container cannot hold it\n", skipped.c_str());
  for (const std::string& warning : s.warnings) std::fprintf(stderr, "litesr: warning: %s\n", warning.c_str());
  const int64_t n = s.frames - s.frames_resumed;
  if (a.benchmark) {
    std::printf("benchmark: %lld frames, %dx%d -> %dx%d, model %s x%d, encoder %s, threads %d\n",
                static_cast<long long>(n), s.input.width, s.input.height, s.input.width * upscaler->scale,
                s.input.height * upscaler->scale, model_name.c_str(), upscaler->scale, s.encoder.c_str(), a.threads);
    std::printf("  decode     %10s fps  (demux + decode, %s %s)\n", fps_text(n, s.decode_s).c_str(),
                s.input.codec_name.c_str(), s.input.pixel_format.c_str());
    if (s.luma_planes) {
      std::printf("  to_planes  %10s fps  (Y'CbCr planes -> f32, Cb and Cr upscaled by bicubic)\n",
                  fps_text(n, s.to_rgb_s).c_str());
      std::printf("  sr         %10s fps  (%s on the Y' plane%s)\n", fps_text(n, s.sr_s).c_str(), model_name.c_str(),
                  lanes_text(s.sr_lanes).c_str());
      std::printf("  from_planes%10s fps  (f32 planes -> Y'CbCr)\n", fps_text(n, s.from_rgb_s).c_str());
    } else {
      std::printf("  to_rgb     %10s fps  (Y'CbCr -> RGB f32)\n", fps_text(n, s.to_rgb_s).c_str());
      std::printf("  sr         %10s fps  (%s%s)\n", fps_text(n, s.sr_s).c_str(), model_name.c_str(),
                  lanes_text(s.sr_lanes).c_str());
      std::printf("  from_rgb   %10s fps  (RGB f32 -> Y'CbCr)\n", fps_text(n, s.from_rgb_s).c_str());
    }
    std::printf("  encode     %10s fps  (encode + mux)\n", fps_text(n, s.encode_s).c_str());
    std::printf("  overhead   %10s fps  (decode + convert + encode, summed busy time)\n",
                fps_text(n, s.decode_s + s.to_rgb_s + s.from_rgb_s + s.encode_s).c_str());
    std::printf("  end-to-end %10s fps  (wall clock, stages overlapped)\n", fps_text(n, s.wall_s).c_str());
  } else if (ctx.verbosity > 0) {
    std::fprintf(stderr, "litesr: %s: %lld frames (%lld resumed), %s fps, encoder %s\n",
                 a.output == "-" ? "stdout" : a.output.c_str(), static_cast<long long>(s.frames),
                 static_cast<long long>(s.frames_resumed), fps_text(n, s.wall_s).c_str(), s.encoder.c_str());
  }
  return kExitOk;
}

}  // namespace

void register_video_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<VideoArgs>();
  CLI::App* cmd = app.add_subcommand("video", "Upscale a video file or image sequence (audio/subtitles copied)");
  cmd->add_option("-i,--input", args->input,
                  "Input video file, image-sequence pattern (frames/%08d.png), or - for YUV4MPEG2 on stdin")
      ->required();
  cmd->add_option("-o,--output", args->output,
                  "Output file (.mkv/.mp4/.mov/.nut/.y4m...), pattern (sr/%08d.png), or - for YUV4MPEG2 on stdout");
  cmd->add_option("-n,--model", args->model, "Built-in model name (see `litesr models`) or .safetensors file; default: the default model");
  cmd->add_option("-s,--scale", args->scale, "Upscaling factor (must match the model; bicubic: 2..8, default 4)");
  cmd->add_option("-c,--codec", args->codec, "Encoder: libx264, libx265, ffv1, png, rawvideo (default: container's)");
  cmd->add_option("--crf", args->crf, "Constant rate factor (x264/x265)");
  cmd->add_option("--preset", args->preset, "Encoder preset (x264/x265: ultrafast..veryslow)");
  cmd->add_option("--pix-fmt", args->pix_fmt, "Output pixel format (default: like the input; 10-bit stays 10-bit)");
  cmd->add_option("-e,--encoder-option", args->codec_options, "Encoder option key=value (repeatable)");
  cmd->add_flag("--no-audio", args->no_audio, "Drop audio streams (default: copied unchanged)");
  cmd->add_flag("--no-subtitles", args->no_subtitles, "Drop subtitle streams (default: copied unchanged)");
  cmd->add_flag("--no-data", args->no_data, "Drop data/attachment streams (default: copied unchanged)");
  cmd->add_flag("--benchmark", args->benchmark, "Decode, upscale and encode without writing; report fps per stage");
  cmd->add_flag("--resume", args->resume, "Encode in segments under OUT.litesr-work/; rerun to continue after an interruption");
  cmd->add_option("--segment-frames", args->segment_frames, "Frames per --resume segment (0 = about 2 s)");
  cmd->add_flag("--overwrite", args->overwrite, "Replace an existing output");
  cmd->add_flag("--rgb-frames", args->rgb_frames,
                "Luma models: run on R'G'B' frames (the round trip) even where the Y'CbCr planes could go through");
  cmd->add_option("--progress", args->progress, "auto|bar|json|none")->capture_default_str();
  cmd->add_option("-j,--threads", args->threads, "Codec threads (0 = automatic)");
  cmd->add_option("--frames", args->max_frames, "Stop after this many frames (0 = all)");
  cmd->footer(
      "Pipes (YUV4MPEG2, uncompressed; all messages go to stderr):\n"
      "  ffmpeg -i in.mp4 -f yuv4mpegpipe - | litesr video -i - -o - | ffmpeg -i - out.mp4\n"
      "  -i - reads y4m only; -o - writes y4m in the input's pixel format, frame rate, range and 4:2:0 siting\n"
      "  (no audio, subtitles or timestamps: VFR input is put on a constant-rate grid). --resume, -c, --crf,\n"
      "  --preset and -e do not work with pipes; a reader that closes the pipe early ends litesr with exit code 1.");
  cmd->callback([args, &ctx] { ctx.exit_code = run_video(*args, ctx); });
}

}  // namespace litesr::cli
