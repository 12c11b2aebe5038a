#include "io/image_folder.h"

#include <gtest/gtest.h>

#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

TEST(ImageFolder, ListsImagesSortedAndRelative) {
  testing::TempDir dir;
  for (const char* name : {"b.PNG", "a.jpg", "c.jpeg", "d.webp", "notes.txt", "e.gif", ".hidden.png"})
    testing::write_file_bytes(dir / name, "x");
  fs::create_directories(dir / "sub" / "deeper");
  testing::write_file_bytes(dir / "sub" / "z.png", "x");
  testing::write_file_bytes(dir / "sub" / "deeper" / "y.WEBP", "x");
  fs::create_directory(dir / ".git");
  testing::write_file_bytes(dir / ".git" / "obj.png", "x");
  fs::create_directory(dir / "folder.png");  // a directory with an image name is not an image

  const auto flat = list_images(dir.path()).value();
  EXPECT_EQ(flat, (std::vector<fs::path>{"a.jpg", "b.PNG", "c.jpeg", "d.webp"}));

  ImageListOptions rec;
  rec.recursive = true;
  const auto all = list_images(dir.path(), rec).value();
  EXPECT_EQ(all, (std::vector<fs::path>{"a.jpg", "b.PNG", "c.jpeg", "d.webp", "sub/deeper/y.WEBP", "sub/z.png"}));
}

TEST(ImageFolder, Errors) {
  testing::TempDir dir;
  const Status missing = list_images(dir / "nope").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("nope"), std::string::npos);
  testing::write_file_bytes(dir / "file.png", "x");
  EXPECT_EQ(list_images(dir / "file.png").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(list_images(dir.path()).ok());
}

}  // namespace
}  // namespace litesr
