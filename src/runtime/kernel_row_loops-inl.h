// Per-target loop helpers of the Highway row kernels: the pixel loop over a row in vectors (the last, partial
// vector recomputed overlapping the previous one) and the compile-time dispatch on a pixel-shuffle scale.
// Included once per target by foreach_target.h (hence the toggled guard instead of #pragma once), so the
// callers' lambdas inline into them. Include after kernel_targets.h and <hwy/highway.h>.
#if defined(LITESR_RUNTIME_KERNEL_ROW_LOOPS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LITESR_RUNTIME_KERNEL_ROW_LOOPS_INL_H_
#undef LITESR_RUNTIME_KERNEL_ROW_LOOPS_INL_H_
#else
#define LITESR_RUNTIME_KERNEL_ROW_LOOPS_INL_H_
#endif

#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <type_traits>

// Forces inlining of the small lambdas that unroll() instantiates: GCC otherwise outlines some of them and
// the accumulators go through memory.
#ifndef LITESR_INLINE_LAMBDA
#if defined(__GNUC__) || defined(__clang__)
#define LITESR_INLINE_LAMBDA __attribute__((always_inline))
#else
#define LITESR_INLINE_LAMBDA
#endif
#endif

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

// Runs `body(x, integral_constant<Xb>)` over the pixel range [x_begin, x_end) in steps of Xb vectors of N
// pixels, then single vectors; when x_end == width and a partial vector remains, once more at width - N
// (overlapping the previous vector: requires width >= N and outputs that do not alias inputs). Each block shape
// has one call site, so `body` is inlined once per shape (compile time: the bodies are fully unrolled).
template <int Xb, class F>
HWY_INLINE void for_each_x_block(size_t n, size_t x_begin, size_t x_end, size_t width, F&& body) {
  size_t x = x_begin;
  if constexpr (Xb > 1) {
    for (; x + Xb * n <= x_end; x += Xb * n) body(x, std::integral_constant<int, Xb>{});
  }
  // Whole vectors, then the partial last one at width - N (x + N > x_end = width there, so min() picks it).
  for (; x < x_end && (x + n <= x_end || x_end == width); x += n) {
    body(std::min(x, width - n), std::integral_constant<int, 1>{});
  }
}

// `body(x)` for every vector of N pixels of a row of `width` >= N pixels: x = 0, N, 2N, ..., and width - N
// for a partial last vector (overlapping, so `body` must give the same values twice).
template <class F>
HWY_INLINE void for_each_vector(size_t n, size_t width, F&& body) {
  for_each_x_block<1>(n, 0, width, width, [&](size_t x, auto) LITESR_INLINE_LAMBDA { body(x); });
}

// f(integral_constant<int, S>) for S = s in 1..4 (the vectorised pixel-shuffle scales; callers check the range).
template <class F>
HWY_INLINE void with_scale(int s, F&& f) {
  switch (s) {
    case 1:
      f(std::integral_constant<int, 1>{});
      break;
    case 2:
      f(std::integral_constant<int, 2>{});
      break;
    case 3:
      f(std::integral_constant<int, 3>{});
      break;
    default:
      f(std::integral_constant<int, 4>{});
      break;
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#endif  // LITESR_RUNTIME_KERNEL_ROW_LOOPS_INL_H_
