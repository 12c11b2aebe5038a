#include "base/resample_weights.h"

#include <cmath>
#include <string>

namespace litesr {

namespace {

constexpr int kMaxTaps = 1 << 20;

}  // namespace

std::string_view border_mode_name(BorderMode mode) {
  switch (mode) {
    case BorderMode::kReplicate: return "replicate";
    case BorderMode::kSymmetric: return "symmetric";
    case BorderMode::kReflect: return "reflect";
    case BorderMode::kCircular: return "circular";
  }
  return "unknown";
}

Result<BorderMode> parse_border_mode(std::string_view name) {
  for (BorderMode m : {BorderMode::kReplicate, BorderMode::kSymmetric, BorderMode::kReflect, BorderMode::kCircular}) {
    if (name == border_mode_name(m)) return m;
  }
  return invalid_argument("unknown border mode '" + std::string(name) +
                          "' (expected replicate, symmetric, reflect or circular)");
}

int map_border_index(int64_t i, int n, BorderMode mode) {
  if (i >= 0 && i < n) return static_cast<int>(i);
  switch (mode) {
    case BorderMode::kReplicate:
      return i < 0 ? 0 : n - 1;
    case BorderMode::kSymmetric: {
      // Period 2n: [0 .. n-1, n-1 .. 0] (MATLAB's aux = [1:n, n:-1:1]).
      const int64_t period = 2 * static_cast<int64_t>(n);
      int64_t k = i % period;
      if (k < 0) k += period;
      return static_cast<int>(k < n ? k : period - 1 - k);
    }
    case BorderMode::kReflect: {
      if (n == 1) return 0;
      // Period 2n-2: [0 .. n-1, n-2 .. 1].
      const int64_t period = 2 * static_cast<int64_t>(n) - 2;
      int64_t k = i % period;
      if (k < 0) k += period;
      return static_cast<int>(k < n ? k : period - k);
    }
    case BorderMode::kCircular: {
      int64_t k = i % n;
      if (k < 0) k += n;
      return static_cast<int>(k);
    }
  }
  return 0;
}

double keys_cubic(double x, double a) {
  // Written like MATLAB's imresize.m cubic() so a = -0.5 rounds identically.
  const double ax = std::fabs(x);
  const double ax2 = ax * ax;
  const double ax3 = ax2 * ax;
  if (ax <= 1.0) return (a + 2.0) * ax3 - (a + 3.0) * ax2 + 1.0;
  if (ax <= 2.0) return a * ax3 - 5.0 * a * ax2 + 8.0 * a * ax - 4.0 * a;
  return 0.0;
}

Result<ResampleWeights> compute_resample_weights(int in_len, int out_len, double scale,
                                                 const ResampleWeightsOptions& options) {
  if (in_len < 1 || out_len < 1) {
    return invalid_argument("resample lengths must be positive (in " + std::to_string(in_len) + ", out " +
                            std::to_string(out_len) + ")");
  }
  if (!(scale > 0.0) || !std::isfinite(scale)) return invalid_argument("resample scale must be positive and finite");
  if (!std::isfinite(options.shift) || std::fabs(options.shift) > 4.0)
    return invalid_argument("resample shift must be within 4 input samples");
  const bool widen = scale < 1.0 && options.antialias;
  const double kernel_width = widen ? 4.0 / scale : 4.0;
  if (!(kernel_width < kMaxTaps)) return resource_exhausted("resample kernel too wide (scale " + std::to_string(scale) + ")");
  const int p = static_cast<int>(std::ceil(kernel_width)) + 2;

  // Raw table in MATLAB's 1-based coordinates, P columns.
  std::vector<int64_t> raw_index(static_cast<std::size_t>(out_len) * p);
  std::vector<double> raw_weight(static_cast<std::size_t>(out_len) * p);
  for (int o = 0; o < out_len; ++o) {
    const double x = o + 1.0;
    const double u = x / scale + 0.5 * (1.0 - 1.0 / scale) + options.shift;
    const auto left = static_cast<int64_t>(std::floor(u - kernel_width / 2.0));
    int64_t* idx = &raw_index[static_cast<std::size_t>(o) * p];
    double* w = &raw_weight[static_cast<std::size_t>(o) * p];
    double sum = 0.0;
    for (int t = 0; t < p; ++t) {
      idx[t] = left + t;
      const double d = u - static_cast<double>(idx[t]);
      w[t] = widen ? scale * keys_cubic(scale * d, options.a) : keys_cubic(d, options.a);
      sum += w[t];
    }
    if (sum == 0.0) return internal_error("resample weights sum to zero");
    for (int t = 0; t < p; ++t) w[t] /= sum;
  }

  // Drop leading and trailing columns that are zero in every row.
  auto column_is_zero = [&](int t) {
    for (int o = 0; o < out_len; ++o) {
      if (raw_weight[static_cast<std::size_t>(o) * p + t] != 0.0) return false;
    }
    return true;
  };
  int first = 0;
  int last = p - 1;
  while (first < last && column_is_zero(first)) ++first;
  while (last > first && column_is_zero(last)) --last;

  ResampleWeights table;
  table.in_len = in_len;
  table.out_len = out_len;
  table.taps = last - first + 1;
  table.index.resize(static_cast<std::size_t>(out_len) * table.taps);
  table.weight.resize(static_cast<std::size_t>(out_len) * table.taps);
  for (int o = 0; o < out_len; ++o) {
    for (int t = 0; t < table.taps; ++t) {
      const std::size_t src = static_cast<std::size_t>(o) * p + first + t;
      const std::size_t dst = static_cast<std::size_t>(o) * table.taps + t;
      table.index[dst] = map_border_index(raw_index[src] - 1, in_len, options.border);
      table.weight[dst] = raw_weight[src];
    }
  }
  return table;
}

Result<int> scaled_length(int in_len, double scale) {
  if (in_len < 1) return invalid_argument("input length must be positive");
  if (!(scale > 0.0) || !std::isfinite(scale)) return invalid_argument("scale must be positive and finite");
  const double exact = static_cast<double>(in_len) * scale;
  const double nearest = std::round(exact);
  const double len = std::fabs(exact - nearest) <= 1e-9 ? nearest : std::ceil(exact);
  if (len < 1.0) {
    return invalid_argument("scale " + std::to_string(scale) + " maps length " + std::to_string(in_len) +
                            " to less than one pixel");
  }
  if (len > static_cast<double>(1 << 30)) return resource_exhausted("scaled length too large");
  return static_cast<int>(len);
}

}  // namespace litesr
