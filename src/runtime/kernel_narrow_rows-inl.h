// Narrow rows for the Highway conv kernels (kernel_conv3x3.cpp, kernel_conv1x1.cpp, kernel_dwconv3x3.cpp):
// a row narrower than one vector (width < N lanes) runs the kernel's own wide path on zero-padded copies
// N pixels wide, so no kernel needs a masked or scalar tail. Included once per target by foreach_target.h,
// hence the toggled guard instead of #pragma once. Include after kernel_targets.h and <hwy/highway.h>.
#if defined(LITESR_RUNTIME_KERNEL_NARROW_ROWS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LITESR_RUNTIME_KERNEL_NARROW_ROWS_INL_H_
#undef LITESR_RUNTIME_KERNEL_NARROW_ROWS_INL_H_
#else
#define LITESR_RUNTIME_KERNEL_NARROW_ROWS_INL_H_
#endif

#include <hwy/highway.h>

#include <cstddef>
#include <cstring>

#include "runtime/kernel_conv.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

// Stages rows of width < n into a zero-filled stack buffer n pixels wide and calls
// wide(in_ptrs, staged_ep, out_ptrs), the kernel's wide path over n pixels, then copies the first `width`
// outputs of each of the `cout` rows to out_rows.
//   in_rows: in_count rows (kernel_conv.h ROW LAYOUT), each copied with `halo` columns each side (1 for the
//            3x3 kernels, whose staged rows are then n + 2 floats apart; 0 for 1x1);
//   ep.residual, if set: cout rows, staged likewise (no halo); staged_ep is ep with the staged residual.
// Returns false, having done nothing, when the copies exceed the scratch (8192 floats = 32 KiB of stack, or
// more than 512 row pointers): the caller then runs the reference kernel.
template <class WideKernel>
HWY_INLINE bool run_on_padded_rows(size_t n, const float* const* in_rows, size_t in_count, size_t halo,
                                   size_t width, size_t cout, const Epilogue& ep, float* const* out_rows,
                                   WideKernel&& wide) {
  constexpr size_t kMaxFloats = 8192, kMaxRows = 512;
  const size_t in_stride = n + 2 * halo;
  const size_t need = in_count * in_stride + 2 * cout * n;
  if (need > kMaxFloats || in_count > kMaxRows || cout > kMaxRows) return false;
  float buf[kMaxFloats];
  const float* in_ptr[kMaxRows];
  float* out_ptr[kMaxRows] = {};  // (GCC 12 cannot see that only the first cout are read)
  const float* res_ptr[kMaxRows];
  std::memset(buf, 0, need * sizeof(float));
  float* p = buf;
  for (size_t r = 0; r < in_count; ++r, p += in_stride) {
    std::memcpy(p, in_rows[r] - halo, (width + 2 * halo) * sizeof(float));
    in_ptr[r] = p + halo;
  }
  Epilogue staged_ep = ep;
  for (size_t c = 0; c < cout; ++c, p += n) out_ptr[c] = p;
  if (ep.residual != nullptr) {
    for (size_t c = 0; c < cout; ++c, p += n) {
      std::memcpy(p, ep.residual[c], width * sizeof(float));
      res_ptr[c] = p;
    }
    staged_ep.residual = res_ptr;
  }
  wide(in_ptr, staged_ep, out_ptr);
  for (size_t c = 0; c < cout; ++c) std::memcpy(out_rows[c], out_ptr[c], width * sizeof(float));
  return true;
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#endif  // LITESR_RUNTIME_KERNEL_NARROW_ROWS_INL_H_
