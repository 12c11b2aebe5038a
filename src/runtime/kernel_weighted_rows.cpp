// weighted_rows_f32 (kernel_weighted_rows.h) with Highway: the same products and sums per lane as the plain loop,
// N pixels per vector (hn::Mul then hn::Add: never contracted into an FMA).
#include "runtime/kernel_weighted_rows.h"

#include <cstddef>

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_weighted_rows.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_row_loops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// False for rows narrower than one vector (the caller runs the plain loop).
bool weighted_rows(const float* const* rows, const float* weights, int taps, int width_i, float* out) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n) return false;
  auto block = [&](size_t x) {
    auto acc = hn::Zero(d);
    for (int t = 0; t < taps; ++t) acc = hn::Add(acc, hn::Mul(hn::Set(d, weights[t]), hn::LoadU(d, rows[t] + x)));
    hn::StoreU(acc, d, out + x);
  };
  for_each_vector(n, width, block);
  return true;
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(weighted_rows);

void weighted_rows_f32(const float* const* rows, const float* weights, int taps, int width, float* out) {
  if (width <= 0) return;
  if (!LITESR_DISPATCH(weighted_rows)(rows, weights, taps, width, out)) {
    weighted_rows_f32_ref(rows, weights, taps, width, out);
  }
}

void weighted_rows_f32_ref(const float* const* rows, const float* weights, int taps, int width, float* out) {
  for (int x = 0; x < width; ++x) {
    float acc = 0.0f;
    for (int t = 0; t < taps; ++t) acc += weights[t] * rows[t][x];
    out[x] = acc;
  }
}

}  // namespace litesr
#endif  // HWY_ONCE
