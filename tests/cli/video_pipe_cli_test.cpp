// `litesr video -i - -o -`: YUV4MPEG2 through pipes, as in
//   ffmpeg -i in.mp4 -f yuv4mpegpipe - | litesr video -i - -o - | ffmpeg -i - out.mp4
// Each test writes a small shell script (pipes, redirections, exit codes recorded per command) and runs it.
// The ffmpeg/ffprobe command-line tools make the fixtures and read the results; without them the tests skip.
// Every litesr run is under `timeout` (when present), so a hang fails the test instead of stalling ctest.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::read_file_bytes;
using testing::TempDir;

constexpr int kClipWidth = 64, kClipHeight = 48, kClipFrames = 12;  // the generated clip: pixels, frames
constexpr int kScale = 4;                                           // elsr-x4 and evsrnet-nas-x4
// One 4:2:0 8-bit output frame, bytes: 256x192 luma + two 128x96 chroma planes.
constexpr std::size_t kOutFrameBytes = (kClipWidth * kScale) * (kClipHeight * kScale) * 3 / 2;

bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

#define LITESR_REQUIRE_FFMPEG_CLI()                                                                            \
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");                                                        \
  if (!have_tool("ffmpeg") || !have_tool("ffprobe")) {                                                         \
    GTEST_SKIP() << "the ffmpeg and ffprobe command-line tools are not on PATH; the y4m pipe tests need them " \
                    "to make the input stream and read the output (Debian: apt-get install ffmpeg)";           \
  }

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// `litesr` under a time limit (seconds) when coreutils' timeout exists: a hang becomes exit code 124.
std::string litesr_cmd() {
  const std::string bin = std::string("'") + LITESR_BINARY + "'";
  return have_tool("timeout") ? "timeout -k 10 300 " + bin : bin;
}

// Runs `script` with /bin/sh in `dir`; returns the shell's exit code (-1 when it did not exit normally).
int run_script(const fs::path& dir, const std::string& script) {
  const fs::path file = dir / "script.sh";
  testing::write_file_bytes(file, "cd " + q(dir) + " || exit 99\n" + script + "\n");
  const int status = std::system(("sh " + q(file)).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The exit code a script wrote into `file` with `echo $? > file` (-1 when missing).
int recorded_code(const fs::path& file) {
  const std::string text = read_file_bytes(file);
  return text.empty() ? -1 : std::atoi(text.c_str());
}

// dir/clip.y4m: 64x48 yuv420p, 12 frames at 25 fps of FFmpeg's moving test pattern; dir/clip.mkv: the same
// frames (FFV1, lossless) plus a FLAC sine track, for the stream-copy warning.
void make_clips(const fs::path& dir, int frames = kClipFrames) {
  const std::string src = "-f lavfi -i testsrc2=size=" + std::to_string(kClipWidth) + "x" +
                          std::to_string(kClipHeight) + ":rate=25 -frames:v " + std::to_string(frames) +
                          " -pix_fmt yuv420p";
  ASSERT_EQ(run_script(dir, "ffmpeg -v error -y " + src +
                                " clip.y4m && ffmpeg -v error -y -i clip.y4m "
                                "-f lavfi -i sine=frequency=440:sample_rate=48000 -map 0:v -map 1:a -c:v ffv1 "
                                "-c:a flac -shortest clip.mkv"),
            0);
}

int count_frames(const fs::path& file) {
  const fs::path out = file.parent_path() / "count.txt";
  run_script(file.parent_path(),
             "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
             "stream=nb_read_frames -of csv=p=0 " +
                 q(file) + " > " + q(out));
  const std::string text = read_file_bytes(out);
  return text.empty() ? -1 : std::atoi(text.c_str());
}

// The y4m header line (up to the first newline).
std::string y4m_header(const fs::path& file) {
  const std::string bytes = read_file_bytes(file);
  return bytes.substr(0, bytes.find('\n'));
}

// (a) The pipeline of the docs against the file path: `litesr video -i clip.y4m -o file.y4m` and
// `ffmpeg -f yuv4mpegpipe - | litesr video -i - -o - | ffmpeg -i - ...` give the same frames bit for bit
// (and the same y4m bytes: litesr's stdout is teed off), with the frame count kept.
void expect_pipe_equals_file(const std::vector<std::string>& model_args) {
  TempDir dir;
  make_clips(dir.path());
  std::string model;
  for (const std::string& a : model_args) model += " " + a;
  const std::string litesr = litesr_cmd();
  ASSERT_EQ(run_script(dir.path(), litesr + " video -i clip.y4m -o file.y4m --progress none" + model + " 2> file.err"),
            0)
      << read_file_bytes(dir / "file.err");
  const int rc = run_script(
      dir.path(),
      "ffmpeg -v error -i clip.y4m -f yuv4mpegpipe - 2> up.err | { " + litesr + " video -i - -o -" + model +
          " 2> litesr.err; echo $? > litesr.rc; } | tee stdout.y4m | ffmpeg -v error -i - -f rawvideo -pix_fmt yuv420p "
          "pipe.raw 2> down.err; echo $? > down.rc\n"
          "ffmpeg -v error -i file.y4m -f rawvideo -pix_fmt yuv420p file.raw");
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(recorded_code(dir / "litesr.rc"), 0) << read_file_bytes(dir / "litesr.err");
  ASSERT_EQ(recorded_code(dir / "down.rc"), 0) << read_file_bytes(dir / "down.err");
  const std::string pipe_raw = read_file_bytes(dir / "pipe.raw"), file_raw = read_file_bytes(dir / "file.raw");
  EXPECT_EQ(pipe_raw.size(), kClipFrames * kOutFrameBytes);  // 12 frames of 256x192 4:2:0
  EXPECT_EQ(file_raw.size(), kClipFrames * kOutFrameBytes);
  EXPECT_TRUE(pipe_raw == file_raw) << "the frames through the pipes differ from those of the file path";
  EXPECT_TRUE(read_file_bytes(dir / "stdout.y4m") == read_file_bytes(dir / "file.y4m"))
      << "litesr's y4m on stdout differs from its .y4m file";
  // 4:2:0 in, 4:2:0 out at 4x the size, the frame rate and siting kept.
  const std::string header = y4m_header(dir / "file.y4m");
  for (const char* field : {"W256", "H192", "F25:1", "C420jpeg", "XCOLORRANGE=LIMITED"})
    EXPECT_NE(header.find(field), std::string::npos) << field << " not in " << header;
  EXPECT_EQ(count_frames(dir / "file.y4m"), kClipFrames);
  // Nothing but video went to stdout: no message in it, and litesr said nothing unasked on stderr.
  EXPECT_EQ(read_file_bytes(dir / "litesr.err"), "");
}

TEST(VideoPipeCli, ElsrThroughPipesEqualsTheFilePath) {
  LITESR_REQUIRE_FFMPEG_CLI();
  expect_pipe_equals_file({"-n", "elsr-x4"});
}

// evsrnet-nas-x4 is multi-frame and recurrent: 12 frames are a 10-frame window and a 2-frame one, with hidden
// state carried within each.
TEST(VideoPipeCli, RecurrentModelThroughPipesEqualsTheFilePath) {
  LITESR_REQUIRE_FFMPEG_CLI();
  expect_pipe_equals_file({"-n", "evsrnet-nas-x4"});
}

// The default video model, fsrcnn-x4-y, is a luma model: y4m's yuv420p planes go through it (docs/video.md).
TEST(VideoPipeCli, DefaultLumaModelThroughPipesEqualsTheFilePath) {
  LITESR_REQUIRE_FFMPEG_CLI();
  expect_pipe_equals_file({});
}

// (b) One end a pipe, the other a file: y4m in -> MP4 out; MP4... (here FFV1 + FLAC Matroska) in -> y4m out,
// with -v and JSON progress (all on stderr) and the audio track reported as not copied.
TEST(VideoPipeCli, PipeToFileAndFileToPipe) {
  LITESR_REQUIRE_FFMPEG_CLI();
  TempDir dir;
  make_clips(dir.path());
  const std::string litesr = litesr_cmd();
  int rc = run_script(dir.path(), "ffmpeg -v error -i clip.mkv -f yuv4mpegpipe - | " + litesr +
                                      " video -i - -o out.mp4 -n elsr-x4 --progress none 2> a.err");
  ASSERT_EQ(rc, 0) << read_file_bytes(dir / "a.err");
  EXPECT_EQ(count_frames(dir / "out.mp4"), kClipFrames);
  for (const auto& e : fs::directory_iterator(dir.path()))  // the file output went through its temporary
    EXPECT_EQ(e.path().string().find("litesr-tmp"), std::string::npos) << e.path();

  rc = run_script(dir.path(), litesr + " -v video -i clip.mkv -o - -n elsr-x4 --progress json > out.y4m 2> b.err");
  ASSERT_EQ(rc, 0) << read_file_bytes(dir / "b.err");
  const std::string err = read_file_bytes(dir / "b.err");
  EXPECT_NE(err.find("not copied"), std::string::npos) << err;  // y4m holds no audio
  EXPECT_NE(err.find("\"event\""), std::string::npos) << err;   // progress on stderr
  EXPECT_NE(err.find("12 frames"), std::string::npos) << err;   // the -v summary on stderr
  const std::string y4m = read_file_bytes(dir / "out.y4m");
  const std::string header = y4m_header(dir / "out.y4m");
  ASSERT_EQ(header.rfind("YUV4MPEG2 W256 H192 ", 0), 0u) << header;
  // Exactly the header and 12 frames ("FRAME\n" + planes): not one byte of text in the stream.
  EXPECT_EQ(y4m.size(), header.size() + 1 + kClipFrames * (6 + kOutFrameBytes));
  EXPECT_EQ(count_frames(dir / "out.y4m"), kClipFrames);
}

// (c) Garbage, a non-y4m container, an empty stream, a stream cut inside a frame: exit 1 with a message that
// says what is wrong, no crash, and no output file left.
TEST(VideoPipeCli, BadStdinIsAClearErrorWithNoOutput) {
  LITESR_REQUIRE_FFMPEG_CLI();
  TempDir dir;
  make_clips(dir.path());
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251);
  testing::write_file_bytes(dir / "garbage.bin", garbage);
  const std::string clip = read_file_bytes(dir / "clip.y4m");
  testing::write_file_bytes(dir / "cut.y4m", clip.substr(0, clip.size() - 1000));  // inside the last frame
  testing::write_file_bytes(dir / "badheader.y4m", "YUV4MPEG2 this is no header\nFRAME\nxyz");
  ASSERT_EQ(run_script(dir.path(), "ffmpeg -v error -i clip.mkv -map 0:v -c copy -f matroska clip_v.mkv"), 0);
  struct Case {
    const char* stdin_from;
    const char* message;
  };
  const std::string litesr = litesr_cmd();
  for (const Case& c :
       {Case{"garbage.bin", "not a YUV4MPEG2 stream"}, Case{"clip_v.mkv", "not a YUV4MPEG2 stream"},
        Case{"/dev/null", "empty input"}, Case{"cut.y4m", "truncated"}, Case{"badheader.y4m", "stdin"}}) {
    for (const char* out : {"out.y4m", "out.mkv", "-"}) {
      SCOPED_TRACE(std::string(c.stdin_from) + " -> " + out);
      const int rc = run_script(dir.path(), litesr + " video -i - -o " + out + " -n elsr-x4 --progress none < " +
                                                c.stdin_from + " > stdout.bin 2> err.txt");
      const std::string err = read_file_bytes(dir / "err.txt");
      EXPECT_EQ(rc, 1) << err;
      EXPECT_NE(err.find("litesr: error: "), std::string::npos) << err;
      EXPECT_NE(err.find(c.message), std::string::npos) << err;
      EXPECT_FALSE(fs::exists(dir / "out.y4m"));
      EXPECT_FALSE(fs::exists(dir / "out.mkv"));
      for (const auto& e : fs::directory_iterator(dir.path()))
        EXPECT_EQ(e.path().string().find("litesr-tmp"), std::string::npos) << e.path();
    }
  }
}

// (c) A reader that stops early (`| head -c 100`): exit 1 and a message naming the closed pipe, not death by
// SIGPIPE (exit status 141 from sh) and not a hang; with stdin a pipe too.
TEST(VideoPipeCli, DownstreamClosingEarlyIsAClearError) {
  LITESR_REQUIRE_FFMPEG_CLI();
  TempDir dir;
  make_clips(dir.path(), 48);  // 48 x 74 kB of output: far more than the pipe and litesr's buffers hold
  const std::string litesr = litesr_cmd();
  for (const std::string& in :
       {std::string("-i clip.y4m"), std::string("-i - < clip.y4m"), std::string("-i - -n evsrnet-nas-x4 < clip.y4m")}) {
    SCOPED_TRACE(in);
    const std::string model = in.find("-n ") == std::string::npos ? " -n elsr-x4" : "";
    const int rc = run_script(dir.path(), "{ " + litesr + " video " + in + " -o -" + model +
                                              " 2> err.txt; echo $? > litesr.rc; } | head -c 100 > head.bin");
    ASSERT_EQ(rc, 0);
    const std::string err = read_file_bytes(dir / "err.txt");
    EXPECT_EQ(recorded_code(dir / "litesr.rc"), 1) << err;
    EXPECT_NE(err.find("closed the pipe"), std::string::npos) << err;
    EXPECT_EQ(read_file_bytes(dir / "head.bin").size(), 100u);
  }
}

// (d) What cannot work on a pipe is a usage error (exit 2) before anything is read or written.
TEST(VideoPipeCli, WhatPipesCannotDoIsAUsageError) {
  LITESR_REQUIRE_FFMPEG_CLI();
  TempDir dir;
  make_clips(dir.path());
  struct Case {
    std::string args;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"-i clip.y4m -o - --resume", "--resume cannot write to a pipe"},
      {"-i - -o out.mkv --resume < clip.y4m", "--resume cannot read a pipe"},
      {"-i clip.y4m -o out.y4m --resume", "--resume cannot write YUV4MPEG2"},
      {"-i clip.y4m -o - -c libx264", "-c libx264 does not apply"},
      {"-i clip.y4m -o - --crf 18", "--crf"},
      {"-i clip.y4m -o out.y4m -e g=12", "-e"},
      {"-i clip.y4m -o - --pix-fmt nv12", "cannot hold pixel format nv12"},
  };
  const std::string litesr = litesr_cmd();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    const int rc = run_script(dir.path(), litesr + " video " + c.args + " -n elsr-x4 > stdout.bin 2> err.txt");
    const std::string err = read_file_bytes(dir / "err.txt");
    EXPECT_EQ(rc, 2) << err;
    EXPECT_NE(err.find("litesr: usage error: "), std::string::npos) << err;
    EXPECT_NE(err.find(c.message), std::string::npos) << err;
    EXPECT_EQ(read_file_bytes(dir / "stdout.bin"), "");
    EXPECT_FALSE(fs::exists(dir / "out.mkv"));
    EXPECT_FALSE(fs::exists(dir / "out.y4m"));
    EXPECT_FALSE(fs::exists(dir / "out.mkv.litesr-work"));
  }
}

// The help names the pipe form.
TEST(VideoPipeCli, HelpDescribesPipes) {
  LITESR_REQUIRE_COMMAND("video", "LITESR_WITH_VIDEO");
  const auto r = testing::run_litesr({"video", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("YUV4MPEG2 on stdin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ffmpeg -i in.mp4 -f yuv4mpegpipe - | litesr video -i - -o - | ffmpeg -i - out.mp4"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace litesr
