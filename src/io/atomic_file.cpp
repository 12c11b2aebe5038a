#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <atomic>
#include <random>
#include <utility>

namespace litesr {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

Status os_error(const std::filesystem::path& path, std::string_view what, int err) {
  const std::string msg = path.string() + ": " + std::string(what) + ": " + errno_text(err);
  return err == ENOENT ? not_found(msg) : io_error(msg);
}

// Closes a POSIX file descriptor on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Removes the temporary file on scope exit unless disarmed.
class TempRemover {
 public:
  explicit TempRemover(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempRemover() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempRemover(const TempRemover&) = delete;
  TempRemover& operator=(const TempRemover&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void disarm() { path_.clear(); }

 private:
  std::filesystem::path path_;
};

Status write_all(int fd, std::string_view bytes, const std::filesystem::path& tmp) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(tmp, "cannot write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Temporary-name suffixes: a per-process random start (one std::random_device read, not one per file), then
// consecutive numbers; a collision with another process's file is retried with the next number.
uint64_t next_temp_number() {
  static std::atomic<uint64_t> counter{[] {
    std::random_device random;
    return (uint64_t{random()} << 32 | random()) & 0xFFFFFFFFFFFull;
  }()};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return not_found(path.string() + ": no such file");
    return os_error(path, "cannot open", err);
  }
  FdCloser closer(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return os_error(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode)) return io_error(path.string() + ": is a directory, not a file");
  if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > max_bytes) {
    return resource_exhausted(path.string() + ": file of " + std::to_string(st.st_size) +
                              " bytes exceeds the read limit of " + std::to_string(max_bytes) + " bytes");
  }
  std::string bytes;
  if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(path, "cannot read", errno);
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes) {
      return resource_exhausted(path.string() + ": file exceeds the read limit of " + std::to_string(max_bytes) +
                                " bytes");
    }
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  return bytes;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes, bool overwrite,
                             bool sync_directory) {
  LITESR_ASSIGN_OR_RETURN(AtomicFileWriter writer, AtomicFileWriter::create(path, overwrite, sync_directory));
  LITESR_RETURN_IF_ERROR(writer.append(bytes));
  return writer.commit();
}

Result<AtomicFileWriter> AtomicFileWriter::create(const std::filesystem::path& path, bool overwrite,
                                                  bool sync_directory) {
  if (path.empty() || !path.has_filename()) return invalid_argument("'" + path.string() + "': not a file path");
  std::error_code ec;
  if (!overwrite && std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found &&
      !ec) {
    return already_exists(path.string() + ": already exists (pass --overwrite to replace it)");
  }
  const std::filesystem::path dir = path.parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    return not_found(path.string() + ": output directory '" + dir.string() + "' does not exist");
  }

  // Exclusive creation (O_EXCL) of a fresh temporary name: pid plus a number, retried on collision.
  AtomicFileWriter writer;
  writer.path_ = path;
  writer.overwrite_ = overwrite;
  writer.sync_directory_ = sync_directory;
  for (int attempt = 0; attempt < 100 && writer.fd_ < 0; ++attempt) {
    writer.tmp_ = dir / ("." + path.filename().string() + ".litesr-tmp-" + std::to_string(::getpid()) + "-" +
                         std::to_string(next_temp_number()));
    writer.fd_ = ::open(writer.tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (writer.fd_ < 0 && errno != EEXIST) {
      const int err = errno;
      writer.tmp_.clear();
      return os_error(path, "cannot create a temporary file beside it", err);
    }
  }
  if (writer.fd_ < 0) {
    writer.tmp_.clear();
    return io_error(path.string() + ": cannot find a free temporary file name");
  }
  return writer;
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      tmp_(std::exchange(other.tmp_, {})),
      fd_(std::exchange(other.fd_, -1)),
      overwrite_(other.overwrite_),
      sync_directory_(other.sync_directory_) {}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    tmp_ = std::exchange(other.tmp_, {});
    fd_ = std::exchange(other.fd_, -1);
    overwrite_ = other.overwrite_;
    sync_directory_ = other.sync_directory_;
  }
  return *this;
}

AtomicFileWriter::~AtomicFileWriter() { discard(); }

void AtomicFileWriter::discard() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
  tmp_.clear();
}

Status AtomicFileWriter::append(std::string_view bytes) {
  if (fd_ < 0) return internal_error(path_.string() + ": write after commit");
  return write_all(fd_, bytes, tmp_).with_context(path_.string());
}

Status AtomicFileWriter::commit() {
  if (fd_ < 0) return internal_error(path_.string() + ": committed twice");
  TempRemover remover(std::exchange(tmp_, {}));  // removed on every early return below
  const std::filesystem::path tmp = remover.path();
  FdCloser closer(std::exchange(fd_, -1));
  const std::filesystem::path& path = path_;
  if (::fsync(closer.get()) != 0) return os_error(path, "cannot flush to disk", errno);
  if (::close(closer.release()) != 0) return os_error(path, "cannot close the temporary file", errno);

  std::error_code ec;
  if (overwrite_) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error(path, "cannot rename the temporary file", errno);
  } else {
    // link(2) fails with EEXIST instead of replacing, closing the race between the check in create() and now.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      if (err == EEXIST) return already_exists(path.string() + ": already exists (pass --overwrite to replace it)");
      // File systems without hard links (FAT, some network mounts): check again and rename.
      if (std::filesystem::exists(path, ec)) {
        return already_exists(path.string() + ": already exists (pass --overwrite to replace it)");
      }
      if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error(path, "cannot rename the temporary file", errno);
    }
    // After a successful link the temporary is removed by `remover`.
  }
  if (overwrite_) remover.disarm();
  if (sync_directory_) sync_directory(path.parent_path());
  return {};
}

}  // namespace litesr
