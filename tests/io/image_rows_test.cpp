// io/image_rows.h: format dispatch, what does not stream, and a writer abandoned mid-image.
#include "io/image_rows.h"

#include <gtest/gtest.h>

#include "io/image_file.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

TEST(ImageRows, WhatDoesNotStreamIsUnsupported) {
  testing::TempDir dir;
  const Image img = testing::make_test_image(16, 12, 3, PixelType::kU8);
  ASSERT_TRUE(write_image(dir / "a.webp", img).ok());
  EXPECT_EQ(open_image_row_reader(dir / "a.webp").status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(create_image_row_writer(dir / "b.webp", 16, 12, 3, PixelType::kU8).status().code(),
            StatusCode::kUnsupported);

  // EXIF orientation 6 needs a rotation of the whole image; orientation 1 streams.
  WriteOptions rotated;
  rotated.exif = testing::make_exif(6);
  ASSERT_TRUE(write_image(dir / "r.jpg", img, rotated).ok());
  const Status s = open_image_row_reader(dir / "r.jpg").status();
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("r.jpg"), std::string::npos) << s.message();
  ReadOptions as_stored;
  as_stored.apply_exif_orientation = false;
  EXPECT_TRUE(open_image_row_reader(dir / "r.jpg", as_stored).ok());

  EXPECT_EQ(open_image_row_reader(dir / "missing.png").status().code(), StatusCode::kNotFound);
  testing::write_file_bytes(dir / "junk.png", "not an image at all");
  // Not an image: the same error as read_image (callers that fall back to it report that one).
  EXPECT_EQ(open_image_row_reader(dir / "junk.png").status().code(), read_image(dir / "junk.png").status().code());
}

TEST(ImageRows, MetadataIsReportedAndRowsAreChecked) {
  testing::TempDir dir;
  WriteOptions w;
  w.icc_profile = testing::make_icc_profile(/*grey=*/false);
  w.exif = testing::make_exif(1);
  ASSERT_TRUE(write_image(dir / "m.png", testing::make_test_image(10, 6, 3, PixelType::kU16), w).ok());
  std::unique_ptr<ImageRowReader> r = open_image_row_reader(dir / "m.png").value();
  EXPECT_EQ(r->info().width, 10);
  EXPECT_EQ(r->info().height, 6);
  EXPECT_EQ(r->info().type, PixelType::kU16);
  EXPECT_EQ(r->info().format, ImageFormat::kPng);
  EXPECT_EQ(r->info().icc_profile, w.icc_profile);
  EXPECT_EQ(r->info().exif, w.exif);
  Image u8 = Image::create(10, 6, 3, PixelType::kU8).value();
  EXPECT_EQ(r->read_rows(u8, 0, 1).code(), StatusCode::kInvalidArgument);  // wrong sample type
  Image rows = Image::create(10, 6, 3, PixelType::kU16).value();
  ASSERT_TRUE(r->read_rows(rows, 0, 6).ok());
  EXPECT_EQ(r->read_rows(rows, 0, 1).code(), StatusCode::kInvalidArgument);  // past the last row
  EXPECT_TRUE(r->finish().ok());
}

TEST(ImageRows, AbandonedOrIncompleteWritesLeaveNothing) {
  testing::TempDir dir;
  const Image img = testing::make_test_image(16, 12, 3, PixelType::kU8);
  for (const char* name : {"a.png", "a.jpg"}) {
    {
      std::unique_ptr<ImageRowWriter> w = create_image_row_writer(dir / name, 16, 12, 3, PixelType::kU8).value();
      ASSERT_TRUE(w->write_rows(img, 0, 5).ok());
      EXPECT_EQ(w->finish().code(), StatusCode::kInternal) << name;  // 5 of 12 rows
      EXPECT_EQ(w->write_rows(img, 0, 8).code(), StatusCode::kInvalidArgument) << name;  // past the end
    }
    EXPECT_TRUE(fs::is_empty(dir.path())) << name;
  }
  testing::write_file_bytes(dir / "keep.png", "x");
  WriteOptions keep;
  keep.overwrite = false;
  EXPECT_EQ(create_image_row_writer(dir / "keep.png", 4, 4, 3, PixelType::kU8, keep).status().code(),
            StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace litesr
