// Counts calls of the global operator new, for the "run() allocates nothing" tests.
//
// allocation_counter.cpp replaces the global operator new / delete of the whole test binary, so link it
// only into the suites that use it (tests/CMakeLists.txt: litesr_testing_allocation_counter).
#pragma once

namespace litesr::testing {

// Global operator new calls since the binary started (all threads).
long allocation_count();

}  // namespace litesr::testing
