// row_sums_f64 (squeeze_excite.h): row_sum_f64 of several rows at once with Highway, bit-identical to it.
//
// row_sum_f64 keeps eight double accumulators, lane l summing x[l], x[l + 8], ... in order. Here those eight lanes
// are 8 / N double vectors of N lanes (one zmm on AVX-512, two ymm on AVX2, four xmm on SSE4 / NEON), each float
// vector widened to double and added lane by lane: the same additions in the same order. One row alone is bound by
// the add latency (one dependent add per 8 floats); four rows at once give four independent chains.
#include <cstddef>

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers
#include "runtime/squeeze_excite.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_row_sums.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows [0, R) of `rows`: out[r] = row_sum_f64(rows[r], width).
template <int R, class DD>
HWY_INLINE void sum_rows(DD dd, const float* const* rows, size_t width, double* out) {
  constexpr size_t kLanes = hn::MaxLanes(DD());
  constexpr size_t kVectors = 8 / kLanes;  // vectors per group of eight lanes
  const hn::Rebind<float, DD> df;
  using VD = hn::Vec<DD>;
  VD acc[R][kVectors];
  for (int r = 0; r < R; ++r) {
    for (size_t j = 0; j < kVectors; ++j) acc[r][j] = hn::Zero(dd);
  }
  size_t i = 0;
  for (; i + 8 <= width; i += 8) {
    for (int r = 0; r < R; ++r) {
      for (size_t j = 0; j < kVectors; ++j) {
        acc[r][j] = hn::Add(acc[r][j], hn::PromoteTo(dd, hn::LoadU(df, rows[r] + i + j * kLanes)));
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    HWY_ALIGN double s[8];
    for (size_t j = 0; j < kVectors; ++j) hn::Store(acc[r][j], dd, s + j * kLanes);
    out[r] = finish_row_sum_f64(s, rows[r], static_cast<int>(i), static_cast<int>(width));
  }
}

// False where this target's double vectors do not split eight lanes evenly (the caller then runs row_sum_f64).
bool row_sums(const float* const* rows, int count, int width, double* out) {
  const hn::CappedTag<double, 8> dd;
  constexpr size_t kLanes = hn::MaxLanes(decltype(dd)());
  if (kLanes < 2 || 8 % kLanes != 0 || hn::Lanes(dd) != kLanes) return false;
  const size_t w = static_cast<size_t>(width);
  int r = 0;
  for (; r + 4 <= count; r += 4) sum_rows<4>(dd, rows + r, w, out + r);
  for (; r < count; ++r) sum_rows<1>(dd, rows + r, w, out + r);
  return true;
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(row_sums);

void row_sums_f64(const float* const* rows, int count, int width, double* out) {
  if (count <= 0) return;
  if (width < 0 || !LITESR_DISPATCH(row_sums)(rows, count, width, out)) {
    for (int r = 0; r < count; ++r) out[r] = row_sum_f64(rows[r], width);
  }
}

}  // namespace litesr
#endif  // HWY_ONCE
