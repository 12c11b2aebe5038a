// Process exit codes of `litesr` (DESIGN §7) and the mapping from library Status codes.
#pragma once

#include <cstdio>

#include "base/status.h"

namespace litesr::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPartial = 3;  // some items of a batch failed, the others succeeded
inline constexpr int kExitInterrupted = 130;

inline int exit_code_for(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kCancelled) return kExitInterrupted;
  return kExitFailure;
}

// Prints "litesr: error: <status>" to stderr and returns its exit code.
inline int report_error(const Status& status) {
  std::fprintf(stderr, "litesr: error: %s\n", status.to_string().c_str());
  return exit_code_for(status);
}

// Prints "litesr: usage error: <message>" and returns kExitUsage.
inline int usage_error(const std::string& message) {
  std::fprintf(stderr, "litesr: usage error: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace litesr::cli
