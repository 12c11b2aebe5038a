// Deterministic random float vectors for tests (weights, biases, maps).
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace litesr::testing {

// n values of std::uniform_real_distribution<float>(lo, hi) drawn from `rng`, in order.
inline std::vector<float> random_floats(std::size_t n, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace litesr::testing
