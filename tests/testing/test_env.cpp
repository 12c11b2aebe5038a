#include "testing/test_env.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace litesr::testing {

std::filesystem::path shared_data_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("LITESR_DATA"); env != nullptr && *env != '\0') {
    return fs::is_directory(env) ? fs::path(env) : fs::path();
  }
  const fs::path dir = LITESR_DATA_DIR;
  return fs::is_directory(dir / "sr_benchmark") ? fs::weakly_canonical(dir) : fs::path();
}

std::filesystem::path source_dir() { return LITESR_SOURCE_DIR; }

TempDir::TempDir() {
  std::random_device rd;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("litesr-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  ADD_FAILURE() << "cannot create a temporary directory";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::filesystem::path write_text_file(const std::filesystem::path& path, const std::string& text) {
  write_file_bytes(path, text);
  return path;
}

}  // namespace litesr::testing
