// The row pipeline shared by the band executors (band_executor.h for float programs, int8_band_executor.h for
// INT8 ones): how far each step runs ahead of a band's rows, how many rows it keeps, and the tick loop that
// computes a band.
//
// A step at resolution factor f (its size is f × the LR size) has produced, by the end of tick t (an LR row), its
// rows up to f·(t+1) − 1 + h, where its lead h (in its own rows) is how far its readers reach beyond the rows they
// produce: a KxK conv reader at lead h_c needs h_c + (K−1)/2, a pixel_shuffle(r) reader ⌈h_c / r⌉, an elementwise
// reader h_c, an upsample(r) reader with taps reaching R rows (a bicubic phase filter) ⌈h_c / r⌉ + R. A step keeps a
// ring of its newest rows: every row from the oldest a reader still reads at a tick to the newest it has produced
// then.
#pragma once

#include <span>
#include <vector>

namespace litesr {

// How a step reads one of its row inputs.
enum class RowReadKind { kSameRow, kConv, kShuffle, kUpsample };
struct RowRead {
  int root = -1;        // the step whose rows are read
  RowReadKind kind = RowReadKind::kSameRow;
  int reach = 0;        // kConv: (K−1)/2; kShuffle: the shuffle's r; kUpsample: the taps' reach R in input rows
  int scale = 1;        // kUpsample: output row Y reads input rows ⌊Y / scale⌋ − R .. ⌊Y / scale⌋ + R
  bool via_se = false;  // through a squeeze_excite (its gates are applied by the reader; float programs only)
};

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }  // a >= 0, b > 0

// a mod m in [0, m) for any sign of a (m > 0): the slot of row a in a ring of m rows.
inline int floor_mod(int a, int m) {
  const int r = a % m;
  return r < 0 ? r + m : r;
}

// Leads and ring sizes (see above) of the computed steps: backwards over the steps (in topological order) for the
// leads, then forwards for the rings. reads[k]: the row inputs of step k (used only where computed[k]).
void plan_row_leads(const std::vector<std::vector<RowRead>>& reads, const std::vector<bool>& computed,
                    const std::vector<int>& factor, std::vector<int>& halo, std::vector<int>& ring);

// The work that band boundaries repeat. A band computes step k's rows from h_k (its halo, own rows) before the
// band's first row to h_k past its last (run_row_pipeline), so two neighbouring bands both compute 2·h_k rows of
// every computed step: add() each computed step of each pass with its rows per run and a cost per row (the
// executors count conv MACs, which dominate); share() = one boundary's repeated work / a whole run's work.
struct BoundaryWork {
  double repeated = 0, total = 0;
  void add(int halo, int rows, double cost_per_row) {
    repeated += 2.0 * halo * cost_per_row;
    total += rows * cost_per_row;
  }
  double share() const { return total > 0 ? repeated / total : 0.0; }
};

// Two bands per thread were meant to balance the load when a thread is slowed (another process, the video
// encoder's thread); one band per thread instead where the `threads` boundaries they add would repeat more than
// this share of a run. Measured (docs/runtime.md "Band height", 2 threads, 320x180 LR, interleaved): share per
// boundary evsrnet-x4 6.3 %, evsrnet-nas-x4 9.7 %, fsrcnn-x4-y 1.7 %, espcn-x4 0.8 %, sam-sr-xlite-x4 0.7 %,
// elsr-x4 0.5 %; one band per thread made evsrnet-x4's step 10-12 % faster and its `litesr video` 4-10 % faster
// (fsrcnn-x4-y within noise), and was equal for ELSR and SAM-SR, even beside the encoder's thread.
inline constexpr double kMaxExtraBoundaryShare = 0.02;

// Auto band height: the working set does not depend on it (rings); two bands per thread (one where their extra
// boundaries cost more than kMaxExtraBoundaryShare), at least 16 rows; one band on one thread.
// boundary_share: BoundaryWork::share() of the run.
inline int auto_band_rows(int height, int threads, double boundary_share) {
  if (threads <= 1) return height;
  const int bands = threads * boundary_share > kMaxExtraBoundaryShare ? threads : 2 * threads;
  const int rows = ceil_div(height, bands);
  return rows < 16 ? 16 : rows;
}

// The ticks a band starts before its first row so that every step's lead rows exist by tick y0.
inline int lead_ticks_of(int halo, int factor) { return ceil_div(2 * halo, factor) + 1; }

// Computes the rows of steps `order` for the band of LR rows [y0, y1): by the end of tick t, step k has its rows
// up to f_k·(t+1) − 1 + h_k (capped at the band's end + h_k). next_row: per step, scratch. row(k, y) computes row
// y of step k and does whatever follows it.
template <class PlanOf, class ComputeRow>
void run_row_pipeline(std::span<const int> order, int y0, int y1, int lead_ticks, std::vector<int>& next_row,
                      PlanOf plan_of, ComputeRow row) {
  for (int k : order) next_row[k] = plan_of(k).factor * y0 - plan_of(k).halo;
  for (int t = y0 - lead_ticks; t < y1; ++t) {
    for (int k : order) {
      const auto& pl = plan_of(k);
      const int last = (pl.factor * (t + 1) - 1 < pl.factor * y1 - 1 ? pl.factor * (t + 1) - 1 : pl.factor * y1 - 1) +
                       pl.halo;
      for (int& y = next_row[k]; y <= last; ++y) row(k, y);
    }
  }
}

}  // namespace litesr
