// ISA control for the Highway kernels: names, availability and the per-thread choice.
#include "runtime/kernel_dispatch.h"

#include "runtime/kernel_targets.h"  // must precede the Highway headers (defines HWY_DISABLED_TARGETS)

#include <hwy/highway.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cctype>

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

// The compiled targets this CPU runs (never empty: the fallback target runs everywhere).
int64_t runnable_targets() {
  static const int64_t kRunnable = [] {
    const int64_t mask = hwy::SupportedTargets() & HWY_TARGETS;
    return mask != 0 ? mask : static_cast<int64_t>(HWY_STATIC_TARGET);
  }();
  return kRunnable;
}

// Index of target `bit` in an HWY_EXPORT table: hwy/targets.h lays the table out as [init, the
// HWY_MAX_DYNAMIC_TARGETS dynamic targets in HWY_CHOSEN_TARGET_SHIFT order, the fallback (EMU128/SCALAR)].
int dispatch_index_of(int64_t bit) {
  if ((HWY_TARGETS & (HWY_TARGETS - 1)) == 0) return 0;  // single-target build: a one-entry table
  const int64_t chosen = (bit == HWY_EMU128 || bit == HWY_SCALAR) ? HWY_CHOSEN_TARGET_MASK_SCALAR
                                                                  : HWY_CHOSEN_TARGET_SHIFT(bit);
  return static_cast<int>(hwy::Num0BitsBelowLS1Bit_Nonzero64(static_cast<uint64_t>(chosen)));
}

thread_local const KernelIsa* t_isa = nullptr;  // the innermost ThreadIsaScope's, or none

}  // namespace

std::vector<std::string> compiled_isas() {
  std::vector<std::string> names;
  for (int64_t bit : target_bits(HWY_TARGETS)) names.push_back(lower(hwy::TargetName(bit)));
  return names;
}

std::vector<std::string> available_isas() {
  std::vector<std::string> names;
  for (int64_t bit : target_bits(runnable_targets())) names.push_back(lower(hwy::TargetName(bit)));
  return names;
}

std::vector<std::string> cpu_isas() {
  std::vector<std::string> names;
  const int64_t fallbacks = HWY_EMU128 | HWY_SCALAR;
  for (int64_t bit : target_bits(hwy::SupportedTargets() & ~fallbacks)) names.push_back(lower(hwy::TargetName(bit)));
  return names;
}

KernelIsa KernelIsa::best() {
  const int64_t mask = runnable_targets();
  const int64_t bit = mask & ~(mask - 1);
  return KernelIsa(bit, dispatch_index_of(bit));
}

KernelIsa KernelIsa::current() { return t_isa != nullptr ? *t_isa : best(); }

Result<KernelIsa> KernelIsa::named(std::string_view name) {
  std::string wanted = lower(name);
  if (wanted == "avx512") wanted = "avx3";
  if (wanted.empty() || wanted == "best") return best();
  for (int64_t bit : target_bits(HWY_TARGETS)) {
    if (lower(hwy::TargetName(bit)) != wanted) continue;
    if ((runnable_targets() & bit) == 0) return unsupported("ISA '" + wanted + "' is compiled but this CPU lacks it");
    return KernelIsa(bit, dispatch_index_of(bit));
  }
  std::string known;
  for (const std::string& n : compiled_isas()) known += (known.empty() ? "" : ", ") + n;
  return invalid_argument("unknown ISA '" + std::string(name) + "' (compiled: " + known + ")");
}

Result<KernelIsa> KernelIsa::named_or_current(std::string_view name) {
  if (name.empty()) return current();
  return named(name);
}

std::string KernelIsa::name() const { return lower(hwy::TargetName(target_)); }

std::string active_isa() { return KernelIsa::current().name(); }

int thread_dispatch_index() {
  static const int kBest = KernelIsa::best().dispatch_index();
  return t_isa != nullptr ? t_isa->dispatch_index() : kBest;
}

ThreadIsaScope::ThreadIsaScope(const KernelIsa& isa) : isa_(isa), previous_(t_isa) { t_isa = &isa_; }
ThreadIsaScope::~ThreadIsaScope() { t_isa = previous_; }

}  // namespace litesr
