// StdioStream: an FFmpeg AVIOContext on the process's standard input or standard output, the "-" of
// `litesr video -i - -o -` (YUV4MPEG2 through pipes). Internal to src/video.
//
// Why not FFmpeg's own "pipe:" protocol (libavformat/file.c), which blocks in read(2)/write(2):
//  * reads wait in poll(2) for at most kPollMs at a time and then ask `interrupted`, so a job that failed in
//    another stage, or Ctrl-C, never hangs on an upstream that has stopped sending (and not closed the pipe);
//    writes wait for room the same way before each write(2);
//  * writes never raise SIGPIPE: the signal is blocked in the writing thread around write(2) and, when that
//    write raised it, consumed before the mask is restored (sigtimedwait with a zero timeout), so a closed
//    downstream is AVERROR(EPIPE) and broken_pipe() instead of the death of the process, whatever the caller's
//    SIGPIPE disposition. A blocked write(2) itself is not interruptible (the descriptor's blocking mode is
//    shared with other processes and is left alone);
//  * peek() reads the first bytes before the demuxer sees them (a clear error for empty or non-y4m input);
//    they are then served to the demuxer first.
// The file descriptor is neither opened nor closed here; the AVIOContext is not seekable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "video/av_handles.h"

namespace litesr::video_detail {

// "-" as an input or output path: standard input / standard output (as in the ffmpeg command line).
inline constexpr const char* kStdioPath = "-";
inline bool is_stdio_path(const std::string& path) { return path == kStdioPath; }

class StdioStream {
 public:
  enum class Direction { kRead, kWrite };
  // Longest single wait in poll(2) before `interrupted` is asked again, milliseconds.
  static constexpr int kPollMs = 100;
  // AVIO buffer size, bytes (reads larger than this go straight into the packet, libavformat/aviobuf.c).
  static constexpr int kBufferBytes = 256 * 1024;

  // `interrupted` (may be empty) is asked while waiting; when it returns true the read or write fails with
  // AVERROR_EXIT.
  static Result<std::unique_ptr<StdioStream>> open(int fd, Direction direction, std::function<bool()> interrupted);
  ~StdioStream();
  StdioStream(const StdioStream&) = delete;
  StdioStream& operator=(const StdioStream&) = delete;

  AVIOContext* avio() const { return avio_; }
  // Read streams, before the AVIOContext is used: up to `n` bytes from the start (fewer at end of input),
  // kept to be served first. Errors name `what` ("stdin").
  Result<std::string> peek(std::size_t n, const std::string& what);
  // Write streams: a write failed with EPIPE (the reading end of the pipe was closed).
  bool broken_pipe() const { return broken_pipe_; }

 private:
  StdioStream(int fd, std::function<bool()> interrupted) : fd_(fd), interrupted_(std::move(interrupted)) {}
  static int read_packet(void* opaque, uint8_t* buf, int size);
  static int write_packet(void* opaque, uint8_t* buf, int size);
  int wait(short events);                      // 0 when ready (or hung up), AVERROR_EXIT, or AVERROR(errno)
  int read_fd(uint8_t* buf, int size);         // bytes read (> 0), AVERROR_EOF or an error
  int write_fd(const uint8_t* buf, int size);  // `size` (all written) or an error

  int fd_;
  std::function<bool()> interrupted_;
  AVIOContext* avio_ = nullptr;
  std::string peeked_;
  std::size_t peeked_pos_ = 0;
  bool broken_pipe_ = false;
};

}  // namespace litesr::video_detail
