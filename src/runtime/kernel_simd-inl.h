// Per-target helpers shared by the Highway kernels (kernel_conv3x3.cpp, kernel_conv1x1.cpp,
// kernel_dwconv3x3.cpp). Included once per target by foreach_target.h, hence the toggled guard instead of
// #pragma once. Include after kernel_targets.h and <hwy/highway.h>.
#if defined(LITESR_RUNTIME_KERNEL_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LITESR_RUNTIME_KERNEL_SIMD_INL_H_
#undef LITESR_RUNTIME_KERNEL_SIMD_INL_H_
#else
#define LITESR_RUNTIME_KERNEL_SIMD_INL_H_
#endif

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <cstddef>
#include <utility>

#include "runtime/kernel_conv.h"
#include "runtime/kernel_row_loops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Architectural vector registers of the target: 32 on AVX-512 and AArch64, else 16.
#if (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3) || HWY_ARCH_ARM_A64
inline constexpr int kVecRegs = 32;
#else
inline constexpr int kVecRegs = 16;
#endif
// Register blocking of the dense convs: a block is C output channels x Xb vectors of pixels, i.e. C*Xb
// accumulators, plus Xb input vectors and one broadcast weight live at once.
inline constexpr int kMaxCoBlock = kVecRegs == 32 ? 8 : 6;
inline constexpr int kAccBudget = kVecRegs == 32 ? 24 : 12;

// Largest Xb in 1..4 whose block fits the registers.
constexpr int x_vectors_for(int c) {
  int xb = 4;
  while (xb > 1 && (c * xb > kAccBudget || c * xb + xb + 1 > kVecRegs)) --xb;
  return xb;
}

// Calls f(std::integral_constant<int, 0>) ... f(std::integral_constant<int, N-1>), fully unrolled.
template <int N, class F>
HWY_INLINE void unroll(F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) LITESR_INLINE_LAMBDA {
    (f(std::integral_constant<int, I>{}), ...);
  }(std::make_integer_sequence<int, N>{});
}

// Applies the activation of `ep` to v (output channel co); bias was already added.
template <class D, class V = hn::Vec<D>>
HWY_INLINE V activate(D d, const Epilogue& ep, int co, V v) {
  switch (ep.activation) {
    case Activation::kNone:
      return v;
    case Activation::kRelu:
      return hn::Max(v, hn::Zero(d));
    case Activation::kLeakyRelu:
      return hn::IfThenElse(hn::Lt(v, hn::Zero(d)), hn::Mul(v, hn::Set(d, ep.slope)), v);
    case Activation::kPrelu:
      return hn::IfThenElse(hn::Lt(v, hn::Zero(d)), hn::Mul(v, hn::Set(d, ep.slopes[co])), v);
    case Activation::kTanh:
      return hn::Tanh(d, v);
  }
  return v;
}

// Stores the C x Xb accumulators of a block at pixel x (already including the bias): activation, residual,
// store. The activation switch is hoisted out of the lane loops.
template <int C, int Xb, class D, class V = hn::Vec<D>>
HWY_INLINE void store_block(D d, const Epilogue& ep, int c0, size_t x, V (&acc)[C][Xb],
                            float* const* HWY_RESTRICT out) {
  const size_t n = hn::Lanes(d);
  const Activation act = ep.activation;
  if (act != Activation::kNone) {
    if (act == Activation::kRelu) {
      unroll<C>([&](auto j) LITESR_INLINE_LAMBDA { unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = hn::Max(acc[j][k], hn::Zero(d)); }); });
    } else {
      unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
        unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = activate(d, ep, c0 + j, acc[j][k]); });
      });
    }
  }
  if (ep.residual != nullptr) {
    unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
      const float* HWY_RESTRICT res = ep.residual[c0 + j] + x;
      unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = hn::Add(acc[j][k], hn::LoadU(d, res + k * n)); });
    });
  }
  unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
    float* HWY_RESTRICT o = out[c0 + j] + x;
    unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { hn::StoreU(acc[j][k], d, o + k * n); });
  });
}

// Splits `cout` output channels into ceil(cout / kMaxCoBlock) nearly equal blocks; calls
// f(c0, std::integral_constant<int, C>) for each, with C in 1..kMaxCoBlock known at compile time.
template <class F>
HWY_INLINE void for_co_block(int c0, int c, F&& f);

template <class F>
HWY_INLINE void for_each_co_block(int cout, F&& f) {
  const int blocks = (cout + kMaxCoBlock - 1) / kMaxCoBlock;
  int c0 = 0;
  for (int b = 0; b < blocks; ++b) {
    const int c = (cout - c0) / (blocks - b);  // remaining channels spread evenly (larger blocks last)
    for_co_block(c0, c, f);
    c0 += c;
  }
}

// f(c0, std::integral_constant<int, C>) for a block of c channels, 1 <= c <= kMaxCoBlock.
template <class F>
HWY_INLINE void for_co_block(int c0, int c, F&& f) {
  switch (c) {
    case 1:
      f(c0, std::integral_constant<int, 1>{});
      break;
    case 2:
      f(c0, std::integral_constant<int, 2>{});
      break;
    case 3:
      f(c0, std::integral_constant<int, 3>{});
      break;
    case 4:
      f(c0, std::integral_constant<int, 4>{});
      break;
    case 5:
      f(c0, std::integral_constant<int, 5>{});
      break;
    case 6:
      f(c0, std::integral_constant<int, 6>{});
      break;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3 || HWY_ARCH_ARM_A64
      case 7: f(c0, std::integral_constant<int, 7>{}); break;
      case 8: f(c0, std::integral_constant<int, 8>{}); break;
#endif
      default: break;  // unreachable: c <= kMaxCoBlock
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#endif  // LITESR_RUNTIME_KERNEL_SIMD_INL_H_
