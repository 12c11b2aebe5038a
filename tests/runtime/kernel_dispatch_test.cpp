// ISA control (kernel_dispatch.h): names, availability, forcing and restoring.
#include "runtime/kernel_dispatch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "runtime/kernel_peak.h"

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
}

TEST(KernelDispatch, ForceEachAndRestore) {
  const auto available = available_isas();
  for (const std::string& isa : available) {
    ASSERT_TRUE(force_isa(isa).ok());
    EXPECT_EQ(active_isa(), isa);
    EXPECT_EQ(available_isas(), available) << "available_isas must ignore forcing";
  }
  std::string upper = available.back();
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_TRUE(force_isa(upper).ok());
  EXPECT_EQ(active_isa(), available.back());
  EXPECT_TRUE(force_isa("").ok());
  EXPECT_EQ(active_isa(), available.front());
}

TEST(KernelDispatch, RejectsUnknownAndUnavailable) {
  EXPECT_EQ(force_isa("avx9000").code(), StatusCode::kInvalidArgument);
  const auto compiled = compiled_isas();
  const auto available = available_isas();
  for (const std::string& isa : compiled) {
    if (std::find(available.begin(), available.end(), isa) == available.end()) {
      EXPECT_EQ(force_isa(isa).code(), StatusCode::kUnsupported) << isa;
    }
  }
  EXPECT_EQ(active_isa(), available.front());
}

TEST(KernelPeak, MeasuresSomethingPlausible) {
  const FmaPeak p = measure_fma_peak(1, 0.02);
  EXPECT_EQ(p.isa, active_isa());
  EXPECT_GT(p.lanes, 0);
  EXPECT_GT(p.gflops, 0.1);
  EXPECT_LT(p.gflops, 1e5);
}

}  // namespace
}  // namespace litesr
