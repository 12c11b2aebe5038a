// Where the report looks: regions of largest disagreement and error, aligned, apart and inside the image.
#include "report/difference_regions.h"

#include <gtest/gtest.h>

#include <vector>

#include "report_fixtures.h"

namespace litesr {
namespace {

// `img` with a w x h block at (x, y) brightened by `delta`.
Image with_patch(const Image& img, int x, int y, int w, int h, int delta) {
  Image out = img.clone();
  for (int r = y; r < y + h; ++r) {
    for (int c = x; c < x + w; ++c) {
      for (int ch = 0; ch < 3; ++ch) {
        uint8_t& v = out.view<uint8_t>().at(c, r, ch);
        v = static_cast<uint8_t>(std::clamp(v + delta, 0, 255));
      }
    }
  }
  return out;
}

bool apart(const DifferenceRegion& a, const DifferenceRegion& b) {
  return a.x + a.size <= b.x || b.x + b.size <= a.x || a.y + a.size <= b.y || b.y + b.size <= a.y;
}

TEST(DifferenceRegions, FindsDisagreementAndErrorAlternately) {
  const Image hr = testing::natural_image(256, 192, 1);
  const Image base = hr.clone();
  // Outputs 1 and 2 disagree most at (40, 120), where output 1 departs from the HR; output 2 departs from it (and
  // from output 1), less, at (180, 20).
  const Image a = with_patch(base, 40, 120, 32, 32, 70);
  const Image b = with_patch(base, 180, 20, 24, 24, -40);
  const std::vector<const Image*> outputs{&base, &a, &b};
  const std::vector<int> disagreement{1, 2}, error{1, 2};
  RegionOptions o;
  o.count = 3;
  o.size = 48;
  o.align = 4;
  auto regions = find_difference_regions(outputs, disagreement, error, &hr, o);
  ASSERT_TRUE(regions.ok()) << regions.status().to_string();
  ASSERT_EQ(regions->size(), 3u);
  const DifferenceRegion& r0 = (*regions)[0];
  EXPECT_EQ(r0.kind, RegionKind::kDisagreement);
  EXPECT_EQ(r0.size, 48);
  // It covers the 32 x 32 patch where the two disagree...
  EXPECT_LE(r0.x, 40 + 8);
  EXPECT_GE(r0.x + 48, 72 - 8);
  EXPECT_LE(r0.y, 120 + 8);
  EXPECT_GE(r0.y + 48, 152 - 8);
  EXPECT_EQ(r0.a, 1);
  EXPECT_EQ(r0.b, 2);
  EXPECT_GT(r0.pair_mean_abs_diff, 10.0);
  // ...the error region, apart from it, covers the other patch and names output 2, whose error it is.
  const DifferenceRegion& r1 = (*regions)[1];
  EXPECT_EQ(r1.kind, RegionKind::kError);
  EXPECT_LE(r1.x, 180 + 8);
  EXPECT_GE(r1.x + 48, 204 - 8);
  EXPECT_LE(r1.y, 20 + 8);
  EXPECT_GE(r1.y + 48, 44 - 8);
  EXPECT_EQ(r1.a, 2);
  EXPECT_EQ(r1.b, -1);
  EXPECT_GT(r1.pair_mean_abs_diff, 5.0);
  EXPECT_EQ((*regions)[2].kind, RegionKind::kDisagreement);
  for (std::size_t i = 0; i < regions->size(); ++i) {
    const DifferenceRegion& r = (*regions)[i];
    EXPECT_EQ(r.x % 4, 0);
    EXPECT_EQ(r.y % 4, 0);
    EXPECT_LE(r.x + r.size, 256);
    EXPECT_LE(r.y + r.size, 192);
    for (std::size_t j = 0; j < i; ++j) EXPECT_TRUE(apart(r, (*regions)[j])) << i << " overlaps " << j;
  }
}

TEST(DifferenceRegions, LeavesRoomForEveryRegionWanted) {
  // 192 x 64 holds three 64 x 64 windows only side by side at x = 0, 64, 128. The outputs disagree most in a block
  // centred at x = 72, whose best window (x = 40) would leave room for two regions at most; the chosen first
  // region is the best one that leaves room for the other two.
  const Image base = testing::natural_image(192, 64, 3);
  const Image a = with_patch(base, 48, 0, 48, 64, 60);
  const std::vector<const Image*> outputs{&base, &a};
  const std::vector<int> disagreement{0, 1};
  RegionOptions o;
  o.count = 3;
  o.size = 64;
  auto regions = find_difference_regions(outputs, disagreement, {}, nullptr, o);
  ASSERT_TRUE(regions.ok()) << regions.status().to_string();
  ASSERT_EQ(regions->size(), 3u);
  EXPECT_EQ((*regions)[0].x, 64);
  for (std::size_t i = 0; i < regions->size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) EXPECT_TRUE(apart((*regions)[i], (*regions)[j])) << i << " overlaps " << j;
  }
  // Where three cannot fit at all (128 x 64), the best two.
  const Image narrow = testing::natural_image(128, 64, 4);
  const Image narrow_a = with_patch(narrow, 40, 0, 48, 64, 60);
  const std::vector<const Image*> narrow_outputs{&narrow, &narrow_a};
  auto two = find_difference_regions(narrow_outputs, disagreement, {}, nullptr, o);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
}

TEST(DifferenceRegions, BorderSmallImagesAndDetail) {
  const Image img = testing::natural_image(64, 40, 2);
  const Image other = with_patch(img, 0, 0, 8, 8, 90);  // a difference inside the border only
  const std::vector<const Image*> outputs{&img, &other};
  const std::vector<int> both{0, 1};
  RegionOptions o;
  o.count = 1;
  o.size = 16;
  o.align = 2;
  o.border = 4;
  auto r = find_difference_regions(outputs, both, {}, nullptr, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_GE((*r)[0].x, 4);
  EXPECT_GE((*r)[0].y, 4);
  // A window larger than the image shrinks to it (a multiple of align).
  o.size = 500;
  o.border = 0;
  r = find_difference_regions(outputs, both, {}, nullptr, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].size, 40);
  // One output, no HR: the most detailed area.
  const std::vector<const Image*> one{&img};
  o.size = 16;
  o.count = 2;
  r = find_difference_regions(one, {}, {}, nullptr, o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].kind, RegionKind::kDetail);
  // Bad input.
  const Image small = testing::natural_image(10, 10, 3);
  const std::vector<const Image*> mixed{&img, &small};
  EXPECT_FALSE(find_difference_regions(mixed, both, {}, nullptr, o).ok());
  const std::vector<int> bad{0, 5};
  EXPECT_FALSE(find_difference_regions(outputs, bad, {}, nullptr, o).ok());
}

}  // namespace
}  // namespace litesr
