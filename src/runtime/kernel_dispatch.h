// Run-time ISA selection for the Highway kernels (kernel_conv.h, kernel_pixel_shuffle.h, kernel_peak.h).
//
// ISA names are Highway target names in lower case: on x86-64 "avx3" (AVX-512 F/BW/DQ/VL), "avx2"
// (AVX2 + FMA + BMI2 + F16C), "sse4", "emu128" (portable scalar emulation); on Arm "neon". Lists are ordered
// best first. Input names are case-insensitive; "avx512" is accepted as an alias of "avx3".
//
// The choice is PER THREAD, never process-wide: a kernel runs the target of the calling thread, which is the
// best this CPU runs unless a ThreadIsaScope is active on that thread. A Session keeps the ISA it was created
// with (SessionOptions::isa, else the creating thread's) and runs every kernel of its own, on its own
// threads, under it; other sessions and the host program's threads are unaffected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace litesr {

// Targets compiled into the kernels (independent of this CPU), best first.
std::vector<std::string> compiled_isas();
// The compiled targets this CPU can run, best first.
std::vector<std::string> available_isas();
// Every Highway target this CPU supports, compiled into the kernels or not, best first, without the portable
// fallbacks (e.g. "sve2_128 sve2 sve neon" on an Armv9 core with 128-bit SVE2, whose kernels run "neon":
// kernel_targets.h). For reports and for tests that check which CPU they run on.
std::vector<std::string> cpu_isas();

// One of available_isas(), resolved to its index in Highway's dispatch tables.
class KernelIsa {
 public:
  static KernelIsa best();     // the best target this CPU runs
  static KernelIsa current();  // the calling thread's (best() unless a ThreadIsaScope is active)
  // "" or "best" = best(). kInvalidArgument for an unknown name, kUnsupported for a name that is not
  // compiled in or that this CPU cannot run.
  static Result<KernelIsa> named(std::string_view name);
  // A session's ISA (SessionOptions::isa): named(name), except "" = current() (the creating thread's).
  static Result<KernelIsa> named_or_current(std::string_view name);

  std::string name() const;
  int dispatch_index() const { return index_; }
  bool operator==(const KernelIsa& o) const { return index_ == o.index_; }

 private:
  KernelIsa(int64_t target, int index) : target_(target), index_(index) {}
  int64_t target_;  // Highway target bit (HWY_AVX2, ...)
  int index_;       // index into HWY_EXPORT tables
};

// Makes the kernels called on this thread use `isa` until the scope ends, then restores the previous choice.
// Scopes nest; a scope must end on the thread that opened it.
class ThreadIsaScope {
 public:
  explicit ThreadIsaScope(const KernelIsa& isa);
  ~ThreadIsaScope();
  ThreadIsaScope(const ThreadIsaScope&) = delete;
  ThreadIsaScope& operator=(const ThreadIsaScope&) = delete;

 private:
  KernelIsa isa_;
  const KernelIsa* previous_;  // the enclosing scope's, or nullptr
};

// The name of the calling thread's ISA (KernelIsa::current().name()).
std::string active_isa();

// The calling thread's dispatch index (for LITESR_DISPATCH).
int thread_dispatch_index();

}  // namespace litesr

// Calls the calling thread's target of a function exported with HWY_EXPORT (replaces HWY_DYNAMIC_DISPATCH,
// which follows Highway's one process-wide choice). A build with a single target has a one-entry table.
#define LITESR_DISPATCH(FUNC_NAME)                                                                   \
  (*(HWY_DISPATCH_TABLE(FUNC_NAME)[sizeof(HWY_DISPATCH_TABLE(FUNC_NAME)) ==                         \
                                           sizeof(HWY_DISPATCH_TABLE(FUNC_NAME)[0])                 \
                                       ? 0                                                           \
                                       : ::litesr::thread_dispatch_index()]))
