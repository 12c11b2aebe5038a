#include "runtime/row_pipeline.h"

#include <algorithm>

namespace litesr {

void plan_row_leads(const std::vector<std::vector<RowRead>>& reads, const std::vector<bool>& computed,
                    const std::vector<int>& factor, std::vector<int>& halo, std::vector<int>& ring) {
  const int n = static_cast<int>(reads.size());
  halo.assign(n, 0);
  ring.assign(n, 1);
  for (int c = n - 1; c >= 0; --c) {
    if (!computed[c]) continue;
    for (const RowRead& r : reads[c]) {
      const int need = r.kind == RowReadKind::kConv       ? halo[c] + r.reach
                       : r.kind == RowReadKind::kShuffle  ? ceil_div(halo[c], r.reach)
                       : r.kind == RowReadKind::kUpsample ? ceil_div(halo[c], r.scale) + r.reach
                                                          : halo[c];
      halo[r.root] = std::max(halo[r.root], need);
    }
  }
  for (int c = 0; c < n; ++c) {
    if (!computed[c]) continue;
    for (const RowRead& r : reads[c]) {
      const int u = r.root, f = factor[u];
      const int span = r.kind == RowReadKind::kConv       ? f + halo[u] - halo[c] + r.reach
                       : r.kind == RowReadKind::kShuffle  ? f + halo[u] - halo[c] / r.reach
                       : r.kind == RowReadKind::kUpsample ? f + halo[u] - halo[c] / r.scale + r.reach
                                                          : f + halo[u] - halo[c];
      ring[u] = std::max({ring[u], span, f});
    }
  }
  for (int u = 0; u < n; ++u) ring[u] = std::max(ring[u], factor[u]);
}

}  // namespace litesr
