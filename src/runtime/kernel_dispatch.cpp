// ISA control for the Highway kernels: names, availability and process-wide forcing.
#include "runtime/kernel_dispatch.h"

#include "runtime/kernel_targets.h"  // must precede the Highway headers (defines HWY_DISABLED_TARGETS)

#include <hwy/highway.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <mutex>

namespace litesr {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Bits of `mask` from best (lowest bit) to worst.
std::vector<int64_t> target_bits(int64_t mask) {
  std::vector<int64_t> bits;
  for (int64_t t = mask; t != 0; t &= t - 1) bits.push_back(t & ~(t - 1));
  return bits;
}

std::mutex g_mutex;
int64_t g_forced = 0;  // 0 = not forced

// What the CPU supports, unaffected by forcing: remove the mock while reading.
int64_t real_supported_targets() {
  static const int64_t kSupported = [] {
    if (g_forced != 0) hwy::SetSupportedTargetsForTest(0);
    const int64_t supported = hwy::SupportedTargets();
    if (g_forced != 0) hwy::SetSupportedTargetsForTest(g_forced);
    return supported;
  }();
  return kSupported;
}

}  // namespace

std::vector<std::string> compiled_isas() {
  std::vector<std::string> names;
  for (int64_t bit : target_bits(HWY_TARGETS)) names.push_back(lower(hwy::TargetName(bit)));
  return names;
}

std::vector<std::string> available_isas() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::vector<std::string> names;
  for (int64_t bit : target_bits(real_supported_targets() & HWY_TARGETS)) {
    names.push_back(lower(hwy::TargetName(bit)));
  }
  return names;
}

std::string active_isa() {
  std::lock_guard<std::mutex> lock(g_mutex);
  const int64_t mask = hwy::SupportedTargets() & HWY_TARGETS;
  if (mask == 0) return lower(hwy::TargetName(HWY_STATIC_TARGET));
  return lower(hwy::TargetName(mask & ~(mask - 1)));
}

Status force_isa(std::string_view name) {
  std::string wanted = lower(name);
  if (wanted == "avx512") wanted = "avx3";
  std::lock_guard<std::mutex> lock(g_mutex);
  const int64_t supported = real_supported_targets();
  if (wanted.empty() || wanted == "best") {
    g_forced = 0;
    hwy::SetSupportedTargetsForTest(0);
    return Status();
  }
  for (int64_t bit : target_bits(HWY_TARGETS)) {
    if (lower(hwy::TargetName(bit)) != wanted) continue;
    if ((supported & bit) == 0) return unsupported("ISA '" + wanted + "' is compiled but this CPU lacks it");
    g_forced = bit;
    hwy::SetSupportedTargetsForTest(bit);
    return Status();
  }
  std::string known;
  for (const std::string& n : compiled_isas()) known += (known.empty() ? "" : ", ") + n;
  return invalid_argument("unknown ISA '" + std::string(name) + "' (compiled: " + known + ")");
}

}  // namespace litesr
