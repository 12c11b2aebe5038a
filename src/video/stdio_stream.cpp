#include "video/stdio_stream.h"

#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

extern "C" {
#include <libavutil/mem.h>
}

namespace litesr::video_detail {
namespace {

// write(2) that cannot kill the process with SIGPIPE. SIGPIPE raised by a write is directed at the writing
// thread (POSIX, "Signal Generation and Delivery"; Linux fs/pipe.c send_sig), so blocking it in this thread for
// the call keeps it pending instead of delivered; then it is taken off with a zero-timeout sigtimedwait before
// the old mask comes back (the technique of libcurl's lib/sigpipe.h, here per call). Not only after EPIPE: when
// the reader goes away in the middle of a large write, Linux raises SIGPIPE and returns the partial count.
// A SIGPIPE that was already pending before the call (blocked by the caller) is left pending. With SIGPIPE
// ignored no signal is generated and sigtimedwait just returns EAGAIN.
ssize_t write_without_sigpipe(int fd, const void* buf, std::size_t n) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigemptyset(&pending);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  const ssize_t r = ::write(fd, buf, n);
  const int err = errno;
  if (!was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return r;
}

}  // namespace

Result<std::unique_ptr<StdioStream>> StdioStream::open(int fd, Direction direction, std::function<bool()> interrupted) {
  std::unique_ptr<StdioStream> s(new StdioStream(fd, std::move(interrupted)));
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferBytes));
  if (buffer == nullptr) return resource_exhausted("cannot allocate an I/O buffer");
  const bool write = direction == Direction::kWrite;
  s->avio_ =
      avio_alloc_context(buffer, kBufferBytes, write ? 1 : 0, s.get(), write ? nullptr : &StdioStream::read_packet,
                         write ? &StdioStream::write_packet : nullptr, nullptr);
  if (s->avio_ == nullptr) {
    av_free(buffer);
    return resource_exhausted("cannot allocate an I/O context");
  }
  s->avio_->seekable = 0;
  return s;
}

StdioStream::~StdioStream() {
  if (avio_ == nullptr) return;
  av_freep(&avio_->buffer);  // libavformat may have replaced the buffer it was given (avio.h)
  avio_context_free(&avio_);
}

Result<std::string> StdioStream::peek(std::size_t n, const std::string& what) {
  while (peeked_.size() < n) {
    uint8_t buf[256];
    const int want = static_cast<int>(std::min<std::size_t>(sizeof(buf), n - peeked_.size()));
    const int got = read_fd(buf, want);
    if (got == AVERROR_EOF) break;
    if (got < 0) return av_error(got, what + ": reading");
    peeked_.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(got));
  }
  return peeked_.substr(0, std::min(n, peeked_.size()));
}

int StdioStream::read_packet(void* opaque, uint8_t* buf, int size) {
  auto* s = static_cast<StdioStream*>(opaque);
  if (s->peeked_pos_ < s->peeked_.size()) {
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(size), s->peeked_.size() - s->peeked_pos_);
    std::memcpy(buf, s->peeked_.data() + s->peeked_pos_, n);
    s->peeked_pos_ += n;
    return static_cast<int>(n);
  }
  return s->read_fd(buf, size);
}

// FFmpeg 5.1 treats a short count from write_packet as complete (aviobuf.c writeout), so all bytes go out here.
int StdioStream::write_packet(void* opaque, uint8_t* buf, int size) {
  return static_cast<StdioStream*>(opaque)->write_fd(buf, size);
}

int StdioStream::wait(short events) {
  while (true) {
    if (interrupted_ && interrupted_()) return AVERROR_EXIT;
    pollfd p{fd_, events, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r > 0) return 0;  // ready, hung up or in error: the read or write that follows reports which
    if (r < 0 && errno != EINTR) return AVERROR(errno);
  }
}

int StdioStream::read_fd(uint8_t* buf, int size) {
  while (true) {
    if (const int w = wait(POLLIN); w < 0) return w;
    const ssize_t n = ::read(fd_, buf, static_cast<std::size_t>(size));
    if (n > 0) return static_cast<int>(n);
    if (n == 0) return AVERROR_EOF;
    if (errno == EINTR || errno == EAGAIN) continue;  // EAGAIN: a non-blocking descriptor, nothing yet
    return AVERROR(errno);
  }
}

int StdioStream::write_fd(const uint8_t* buf, int size) {
  int done = 0;
  while (done < size) {
    if (const int w = wait(POLLOUT); w < 0) return w;
    const ssize_t n = write_without_sigpipe(fd_, buf + done, static_cast<std::size_t>(size - done));
    if (n >= 0) {
      done += static_cast<int>(n);
      continue;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == EPIPE) broken_pipe_ = true;
    return AVERROR(errno);
  }
  return size;
}

}  // namespace litesr::video_detail
