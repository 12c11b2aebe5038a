// Runs a test body once per instruction set this CPU can run (runtime/kernel_dispatch.h: avx3, avx2, sse4,
// emu128 on x86-64), with the kernels forced to it; restores the best ISA on destruction. Forcing is
// process-wide, so the body must not run kernels on other threads concurrently with the loop.
//   IsaLoop isas;
//   isas.run([&](const std::string& isa) { ... });   // or run([&] { ... })
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "runtime/kernel_dispatch.h"

namespace litesr::testing {

class IsaLoop {
 public:
  IsaLoop() = default;
  IsaLoop(const IsaLoop&) = delete;
  IsaLoop& operator=(const IsaLoop&) = delete;
  ~IsaLoop() { EXPECT_TRUE(force_isa("").ok()); }

  template <class F>
  void run(F&& body) {
    for (const std::string& isa : available_isas()) {
      ASSERT_TRUE(force_isa(isa).ok()) << isa;
      ASSERT_EQ(active_isa(), isa);
      SCOPED_TRACE("isa " + isa);
      if constexpr (std::is_invocable_v<F&, const std::string&>) {
        body(isa);
      } else {
        body();
      }
    }
  }
};

}  // namespace litesr::testing
