// Which Highway targets the LiteSR kernels are compiled for. Include this BEFORE any <hwy/...> header in
// every kernel translation unit (and in kernel_dispatch.cpp, which reports the list), so that all of them
// agree on HWY_TARGETS.
//
// Disabled: SSSE3 (superseded by SSE4 on every x86-64 CPU made since 2008; saves compile time) and the
// SVE family (the kernels keep arrays of vectors in registers, which sizeless SVE types do not allow;
// NEON serves AArch64). Everything else Highway attains is compiled: on x86-64 AVX3 (AVX-512), AVX2, SSE4
// and EMU128 (portable scalar emulation, the fallback).
#pragma once

#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_SSSE3 | HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)
#endif
