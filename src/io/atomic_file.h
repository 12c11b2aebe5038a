// Whole-file reads and atomic whole-file writes.
//
// write_file_atomically writes `bytes` to a temporary file created exclusively in the destination's
// directory (".<name>.litesr-tmp-<pid>-<n>"), fsyncs it, renames it over `path`, then fsyncs the directory
// (unless sync_directory is false: a caller writing many files into one folder, the folder batch, syncs it
// once with sync_directory() after the last; until then a crash can lose whole files, never leave partial ones).
// Readers therefore see either the old file or the complete new one, never a partial file; on any failure
// neither the temporary nor a new destination file is left behind. POSIX only (rename(2) is atomic within a
// file system; the temporary shares the destination's directory so it is on the same file system).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace litesr {

// Default read limit: 1 GiB, far above any image LiteSR accepts; a guard against reading a device or a
// multi-gigabyte file by mistake.
inline constexpr std::size_t kDefaultMaxFileBytes = std::size_t{1} << 30;

// Errors name the file: kNotFound (missing), kIoError (a directory, permission denied, OS errors),
// kResourceExhausted (larger than max_bytes).
Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes = kDefaultMaxFileBytes);

// overwrite = false: kAlreadyExists when `path` exists (checked first, and again race-free at the final link).
// Errors name the file: kNotFound (directory missing), kIoError (OS refusal, disk full), kAlreadyExists.
Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes, bool overwrite = true,
                             bool sync_directory = true);

// fsync of a folder: makes the renames into it durable. Best effort (some file systems refuse it): no error.
void sync_directory(const std::filesystem::path& dir);

// The same protocol for output produced piece by piece (streamed image encoders): create() makes the
// temporary, append() writes to it, commit() fsyncs and renames it over `path`. Destroying a writer that was
// not committed (an error, an exception, an interruption) removes the temporary: `path` is never touched.
class AtomicFileWriter {
 public:
  static Result<AtomicFileWriter> create(const std::filesystem::path& path, bool overwrite = true,
                                         bool sync_directory = true);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
  ~AtomicFileWriter();

  const std::filesystem::path& path() const { return path_; }
  Status append(std::string_view bytes);
  Status commit();  // once; the writer is spent afterwards

 private:
  AtomicFileWriter() = default;
  void discard();
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  int fd_ = -1;
  bool overwrite_ = true;
  bool sync_directory_ = true;
};

}  // namespace litesr
