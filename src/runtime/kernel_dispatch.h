// Run-time ISA selection for the Highway kernels (kernel_conv.h, kernel_pixel_shuffle.h, kernel_peak.h).
//
// ISA names are Highway target names in lower case: on x86-64 "avx3" (AVX-512 F/BW/DQ/VL), "avx2"
// (AVX2 + FMA + BMI2 + F16C), "sse4", "emu128" (portable scalar emulation); on Arm "neon". Lists are ordered
// best first. Input names are case-insensitive; "avx512" is accepted as an alias of "avx3".
//
// Forcing is PROCESS-WIDE (Highway keeps one chosen target for every dispatch table): force_isa() affects
// every thread and every session. It is the caller's responsibility to force before starting work and not
// concurrently with running kernels — tests force, loop, then restore with force_isa("").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace litesr {

// Targets compiled into the kernels (independent of this CPU), best first.
std::vector<std::string> compiled_isas();
// The compiled targets this CPU can run, best first (ignores any force_isa()).
std::vector<std::string> available_isas();
// The target the kernels dispatch to now (the forced one, else the best available).
std::string active_isa();
// Makes every kernel use `name` (one of available_isas()); "" or "best" restores the best available.
// kInvalidArgument for an unknown name, kUnsupported for a name not compiled or not runnable here.
Status force_isa(std::string_view name);

}  // namespace litesr
