// `litesr` is built without LibTorch so that every command starts in milliseconds; the commands that need
// LibTorch — `train`, and `bench --peers` (its in-process LibTorch peer) — are forwarded to litesr-torch, the
// same CLI linked with LibTorch, installed next to it (src/cli/CMakeLists.txt).
#pragma once

#include <string>

namespace litesr::cli {

// True when the command line needs LibTorch: its first non-option argument is `train`, or it is `bench` and
// `--peers` follows. Global flags (`-v`, `--version`) may come first.
bool needs_torch(int argc, char** argv);

// Replaces this process with `helper_name` from this executable's folder, same arguments (argv[0] becomes its
// path), so exit codes, output and Ctrl-C are the helper's own. Returns only on failure, with the reason.
std::string exec_torch_helper(const char* helper_name, char** argv);

}  // namespace litesr::cli
