// The auto band height (runtime/row_pipeline.h): two bands per thread unless the boundaries they add repeat more
// than kMaxExtraBoundaryShare of a run's work; the repeated work of a boundary as BoundaryWork counts it.
#include "runtime/row_pipeline.h"

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(RowPipeline, BoundaryWorkCountsTwoHalosPerComputedStep) {
  BoundaryWork work;
  EXPECT_EQ(work.share(), 0.0);  // nothing computed
  // A step 180 rows long with a halo of 3 rows at cost 2 per row, and one without halo at cost 1 per row:
  // a boundary repeats 2·3 rows of the first, 6·2 = 12 of the 180·2 + 180·1 = 540 a run computes.
  work.add(3, 180, 2.0);
  work.add(0, 180, 1.0);
  EXPECT_DOUBLE_EQ(work.share(), 12.0 / 540.0);
}

TEST(RowPipeline, AutoBandRowsTakesOneBandPerThreadWhereBoundariesCostMore) {
  // One thread: one band.
  EXPECT_EQ(auto_band_rows(180, 1, 0.0), 180);
  EXPECT_EQ(auto_band_rows(180, 1, 0.5), 180);
  // Cheap boundaries: two bands per thread (2 threads: 4 bands of 45 rows).
  EXPECT_EQ(auto_band_rows(180, 2, 0.005), 45);
  // The two extra boundaries at exactly the bound still get two bands per thread; above it one per thread.
  EXPECT_EQ(auto_band_rows(180, 2, kMaxExtraBoundaryShare / 2), 45);
  EXPECT_EQ(auto_band_rows(180, 2, kMaxExtraBoundaryShare / 2 * 1.01), 90);
  EXPECT_EQ(auto_band_rows(180, 2, 0.063), 90);  // evsrnet-x4's recurrent step at 320x180
  // At least 16 rows a band.
  EXPECT_EQ(auto_band_rows(40, 4, 0.0), 16);
  EXPECT_EQ(auto_band_rows(40, 4, 1.0), 16);
}

}  // namespace
}  // namespace litesr
