// The material of one image's panel: layers, their crops and where each view is in them.
#include "report/image_panel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/evaluation.h"
#include "eval/matlab_resize.h"
#include "io/image_file.h"
#include "report_fixtures.h"

namespace litesr {
namespace {

struct Fixture {
  Image hr, lr, bicubic, shifted;
};

Fixture make_fixture() {
  Fixture f;
  f.hr = testing::natural_image(160, 120, 4);
  f.lr = matlab_imresize(f.hr, 0.25).value();
  f.bicubic = matlab_imresize(f.lr, 4.0).value();
  f.shifted = f.bicubic.clone();
  for (int y = 0; y < 40; ++y) {
    for (int x = 0; x < 40; ++x) f.shifted.view<uint8_t>().at(100 + x % 40, 60 + y, 1) = 255;
  }
  return f;
}

// Decodes an embedded layer back to pixels.
Image decode(const EncodedImage& e) {
  auto d =
      decode_image(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(e.bytes.data()), e.bytes.size()), "layer");
  EXPECT_TRUE(d.ok()) << d.status().to_string();
  return d.ok() ? std::move(d->image) : Image();
}

TEST(ImagePanel, CropSpritesMatchTheViews) {
  Fixture f = make_fixture();
  PanelInput in;
  in.name = "img";
  in.scale = 4;
  in.lr = &f.lr;
  in.methods = {{"bicubic", &f.bicubic}, {"other", &f.shifted}};
  in.hr = &f.hr;
  in.disagreement = {0, 1};
  in.error = {1};
  PanelOptions o;
  o.crop_size = 32;
  o.regions = 2;
  auto p = build_image_panel(in, o);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->width, 160);
  EXPECT_EQ(p->height, 120);
  ASSERT_EQ(p->regions.size(), 2u);
  ASSERT_EQ(p->views.size(), 2u);
  ASSERT_EQ(p->layers.size(), 4u);  // LR, two methods, HR
  EXPECT_EQ(p->layers[0].kind, LayerKind::kLr);
  EXPECT_EQ(p->layers[0].label, "LR (nearest)");
  EXPECT_DOUBLE_EQ(p->layers[0].factor, 0.25);
  EXPECT_EQ(p->layers[3].kind, LayerKind::kHr);
  EXPECT_EQ(p->thumbnail.mime, "image/jpeg");
  EXPECT_LE(std::max(p->thumbnail.width, p->thumbnail.height), o.thumbnail_side);
  // The first region is where the two methods disagree: the painted block.
  const DifferenceRegion& r = p->regions[0];
  EXPECT_GE(r.x + r.size, 100);
  EXPECT_GE(r.y + r.size, 60);
  for (std::size_t j = 0; j < p->layers.size(); ++j) {
    const PanelLayer& l = p->layers[j];
    EXPECT_EQ(l.image.mime, "image/webp");
    ASSERT_EQ(l.cells.size(), 2u);
    const Image sprite = decode(l.image);
    const int div = l.kind == LayerKind::kLr ? 4 : 1;
    EXPECT_EQ(sprite.width(), 2 * 32 / div);
    EXPECT_EQ(sprite.height(), 32 / div);
    // Each cell holds exactly the view's pixels of that layer's image.
    const Image& source = l.kind == LayerKind::kLr   ? f.lr
                          : l.kind == LayerKind::kHr ? f.hr
                          : j == 1                   ? f.bicubic
                                                     : f.shifted;
    for (std::size_t k = 0; k < p->views.size(); ++k) {
      const auto& c = l.cells[k];
      EXPECT_EQ(c[2], 32 / div);
      for (int y = 0; y < c[3]; ++y) {
        for (int x = 0; x < c[2]; ++x) {
          for (int ch = 0; ch < 3; ++ch) {
            ASSERT_EQ(sprite.view<uint8_t>().at(c[0] + x, c[1] + y, ch),
                      source.view<uint8_t>().at(p->views[k].x / div + x, p->views[k].y / div + y, ch))
                << l.label << " view " << k;
          }
        }
      }
    }
    // Crop PSNR only for methods against the HR.
    for (double v : l.view_psnr_y) EXPECT_EQ(std::isnan(v), l.kind != LayerKind::kMethod) << l.label;
  }
  EXPECT_GT(p->embedded_bytes(), 0u);
}

TEST(ImagePanel, FullImagesAndNoGroundTruth) {
  Fixture f = make_fixture();
  PanelInput in;
  in.name = "img";
  in.scale = 4;
  in.lr = &f.lr;
  in.methods = {{"bicubic", &f.bicubic}, {"other", &f.shifted}};
  in.disagreement = {0, 1};
  PanelOptions o;
  o.full_images = true;
  o.regions = 1;
  auto p = build_image_panel(in, o);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  ASSERT_EQ(p->layers.size(), 3u);  // no HR
  ASSERT_EQ(p->views.size(), 2u);   // the region and the whole image
  EXPECT_EQ(p->views[1].region, -1);
  EXPECT_EQ(p->views[1].width, 160);
  const Image whole = decode(p->layers[1].image);
  EXPECT_EQ(whole.width(), 160);
  EXPECT_EQ(whole.height(), 120);
  EXPECT_EQ(p->layers[0].cells[1], (std::array<int, 4>{0, 0, 40, 30}));
  EXPECT_EQ(p->layers[1].cells[0][0], p->views[0].x);
  // Sizes that do not fit are refused.
  Image wrong = testing::natural_image(100, 100, 1);
  in.methods[1].sr = &wrong;
  EXPECT_FALSE(build_image_panel(in, o).ok());
}

}  // namespace
}  // namespace litesr
