// Runs a test body once per instruction set this CPU can run (runtime/kernel_dispatch.h: avx3, avx2, sse4,
// emu128 on x86-64), with the calling thread's kernels set to it (a ThreadIsaScope; sessions created in the
// body take it as their ISA).
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

  template <class F>
  void run(F&& body) {
    for (const std::string& isa : available_isas()) {
      const Result<KernelIsa> kernel_isa = KernelIsa::named(isa);
      ASSERT_TRUE(kernel_isa.ok()) << isa;
      const ThreadIsaScope scope(kernel_isa.value());
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
