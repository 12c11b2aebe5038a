#include "cli/torch_forward.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace litesr::cli {

bool needs_torch(int argc, char** argv) {
  int first = 1;
  while (first < argc && argv[first][0] == '-') ++first;
  if (first >= argc) return false;
  const std::string_view command = argv[first];
  if (command == "train") return true;
  if (command != "bench") return false;
  for (int i = first + 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--peers") return true;
  }
  return false;
}

std::string exec_torch_helper(const char* helper_name, char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "cannot locate this executable (/proc/self/exe: " + ec.message() + ")";
  const std::string helper = (self.parent_path() / helper_name).string();
  if (::access(helper.c_str(), X_OK) != 0) {
    return helper + " is missing or not executable (" + std::strerror(errno) +
           "); build it with LITESR_WITH_TORCH=ON (cmake --build --preset release)";
  }
  argv[0] = const_cast<char*>(helper.c_str());
  ::execv(helper.c_str(), argv);
  return "cannot run " + helper + ": " + std::strerror(errno);
}

}  // namespace litesr::cli
