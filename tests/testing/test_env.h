// Helpers shared by every test suite.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace litesr::testing {

// The real SR data folder (../shared/data beside the checkout, or $LITESR_DATA), or "" when absent.
std::filesystem::path shared_data_dir();

// The repository root (for recipes/, models/, samples/).
std::filesystem::path source_dir();

// A fresh empty directory under the system temp folder, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Reads a whole file as bytes ("" when missing); writes bytes to a file.
std::string read_file_bytes(const std::filesystem::path& path);
void write_file_bytes(const std::filesystem::path& path, const std::string& bytes);
// The same for text (recipes, configs), returning `path` so a test can write and pass a file in one expression.
std::filesystem::path write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace litesr::testing

// Skips the current test, with a clear reason, when the shared real data is not present.
#define LITESR_REQUIRE_SHARED_DATA(var)                                                          \
  const std::filesystem::path var = ::litesr::testing::shared_data_dir();                        \
  if (var.empty()) {                                                                             \
    GTEST_SKIP() << "real data not found (../shared/data beside the checkout, or $LITESR_DATA); " \
                    "skipping this data test";                                                   \
  }
