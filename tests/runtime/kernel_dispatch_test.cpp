// ISA control (kernel_dispatch.h): names, availability, the per-thread choice and its scopes.
#include "runtime/kernel_dispatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "runtime/kernel_peak.h"
#include "runtime/thread_pool.h"

namespace litesr {
namespace {

TEST(KernelDispatch, AvailableIsSubsetOfCompiledBestFirst) {
  const auto compiled = compiled_isas();
  const auto available = available_isas();
  ASSERT_FALSE(compiled.empty());
  ASSERT_FALSE(available.empty());
  for (const std::string& isa : available) {
    EXPECT_NE(std::find(compiled.begin(), compiled.end(), isa), compiled.end()) << isa;
  }
  EXPECT_EQ(active_isa(), available.front());
  EXPECT_EQ(KernelIsa::best().name(), available.front());
}

TEST(KernelDispatch, ScopesSetTheCallingThreadOnlyAndNest) {
  const auto available = available_isas();
  for (const std::string& isa : available) {
    const ThreadIsaScope scope(KernelIsa::named(isa).value());
    EXPECT_EQ(active_isa(), isa);
    EXPECT_EQ(KernelIsa::named_or_current("").value().name(), isa) << "a session's default: the creating thread's";
    EXPECT_EQ(KernelIsa::named_or_current("best").value(), KernelIsa::best());
    std::string other_thread;
    std::thread([&] { other_thread = active_isa(); }).join();
    EXPECT_EQ(other_thread, available.front()) << "a scope must not change other threads";
    {
      const ThreadIsaScope inner(KernelIsa::named(available.back()).value());
      EXPECT_EQ(active_isa(), available.back());
    }
    EXPECT_EQ(active_isa(), isa);
  }
  EXPECT_EQ(active_isa(), available.front());
  std::string upper = available.back();
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(KernelIsa::named(upper).value().name(), available.back());
  EXPECT_EQ(KernelIsa::named("").value(), KernelIsa::best());
  EXPECT_EQ(KernelIsa::named("best").value(), KernelIsa::best());
}

TEST(KernelDispatch, DispatchIndicesAreDistinctAndRunTheirTarget) {
  const auto available = available_isas();
  for (std::size_t i = 0; i < available.size(); ++i) {
    for (std::size_t j = i + 1; j < available.size(); ++j) {
      EXPECT_NE(KernelIsa::named(available[i]).value().dispatch_index(),
                KernelIsa::named(available[j]).value().dispatch_index());
    }
  }
  // The kernels report the lanes of the target they ran: one FP32 vector is 16 lanes on avx3, 8 on avx2, 4 on
  // sse4, neon and emu128 (SVE's depends on the CPU).
  for (const std::string& isa : available) {
    const ThreadIsaScope scope(KernelIsa::named(isa).value());
    const FmaPeak p = measure_fma_peak(1, 0.002);
    EXPECT_EQ(p.isa, isa);
    const int expected = isa == "avx3" ? 16 : isa == "avx2" ? 8 : (isa == "sse4" || isa == "neon" || isa == "emu128") ? 4 : 0;
    if (expected != 0) {
      EXPECT_EQ(p.lanes, expected) << isa;
    }
  }
}

TEST(KernelDispatch, PoolWorkersRunUnderTheCallersIsa) {
  const auto available = available_isas();
  ThreadPool pool(3);
  for (const std::string& isa : available) {
    const ThreadIsaScope scope(KernelIsa::named(isa).value());
    struct Context {
      std::string seen[64];
    } context;
    pool.run(64, [](void* c, int task, int) { static_cast<Context*>(c)->seen[task] = active_isa(); }, &context);
    for (const std::string& seen : context.seen) EXPECT_EQ(seen, isa);
  }
}

TEST(KernelDispatch, RejectsUnknownAndUnavailable) {
  EXPECT_EQ(KernelIsa::named("avx9000").status().code(), StatusCode::kInvalidArgument);
  const auto compiled = compiled_isas();
  const auto available = available_isas();
  for (const std::string& isa : compiled) {
    if (std::find(available.begin(), available.end(), isa) == available.end()) {
      EXPECT_EQ(KernelIsa::named(isa).status().code(), StatusCode::kUnsupported) << isa;
    }
  }
  EXPECT_EQ(active_isa(), available.front());
}

// A measurement came back: positive and finite, below any CPU's peak. No lower bound on the speed (unit tests are
// not timed): emulated SVE2 under QEMU on a loaded host measured 0.092 GFLOP/s (session 32, failing a 0.1 bound).
TEST(KernelPeak, MeasuresSomethingPlausible) {
  const FmaPeak p = measure_fma_peak(1, 0.02);
  EXPECT_EQ(p.isa, active_isa());
  EXPECT_GT(p.lanes, 0);
  EXPECT_TRUE(std::isfinite(p.gflops)) << p.gflops;
  EXPECT_GT(p.gflops, 0.0);
  EXPECT_LT(p.gflops, 1e5);
}

}  // namespace
}  // namespace litesr
