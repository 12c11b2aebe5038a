#include "io/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "io/image_file.h"
#include "io_test_support.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

// Names in `dir`, to prove no temporary file was left behind.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, WritesAndLeavesNoTemporary) {
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir / "out.bin", "hello").ok());
  EXPECT_EQ(testing::read_file_bytes(dir / "out.bin"), "hello");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out.bin"});
  // Overwrite replaces the content; an empty payload is a valid (empty) file.
  ASSERT_TRUE(write_file_atomically(dir / "out.bin", "").ok());
  EXPECT_EQ(fs::file_size(dir / "out.bin"), 0u);
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, OverwriteFalseKeepsTheExistingFile) {
  testing::TempDir dir;
  testing::write_file_bytes(dir / "keep.bin", "original");
  const Status s = write_file_atomically(dir / "keep.bin", "new", /*overwrite=*/false);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("keep.bin"), std::string::npos);
  EXPECT_EQ(testing::read_file_bytes(dir / "keep.bin"), "original");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"keep.bin"});
  EXPECT_TRUE(write_file_atomically(dir / "fresh.bin", "x", /*overwrite=*/false).ok());
  EXPECT_EQ(testing::read_file_bytes(dir / "fresh.bin"), "x");
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"fresh.bin", "keep.bin"}));
}

TEST(AtomicFile, StreamedWriterAppearsOnlyOnCommit) {
  testing::TempDir dir;
  testing::write_file_bytes(dir / "out.bin", "old");
  {
    AtomicFileWriter w = AtomicFileWriter::create(dir / "out.bin").value();
    ASSERT_TRUE(w.append("hel").ok());
    ASSERT_TRUE(w.append("lo").ok());
    EXPECT_EQ(testing::read_file_bytes(dir / "out.bin"), "old");  // not yet
    EXPECT_EQ(entries(dir.path()).size(), 2u);                    // out.bin + the temporary
    AtomicFileWriter moved = std::move(w);                         // ownership of the temporary moves
    ASSERT_TRUE(moved.commit().ok());
    EXPECT_EQ(moved.append("x").code(), StatusCode::kInternal);
  }
  EXPECT_EQ(testing::read_file_bytes(dir / "out.bin"), "hello");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out.bin"});
  {
    AtomicFileWriter w = AtomicFileWriter::create(dir / "abandoned.bin").value();
    ASSERT_TRUE(w.append("partial").ok());
  }  // destroyed without commit: nothing appears, the temporary is gone
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out.bin"});
  EXPECT_EQ(AtomicFileWriter::create(dir / "out.bin", /*overwrite=*/false).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(AtomicFileWriter::create(dir / "missing" / "x.bin").status().code(), StatusCode::kNotFound);
}

TEST(AtomicFile, FailuresLeaveNothingBehind) {
  testing::TempDir dir;
  // Missing directory.
  const Status missing = write_file_atomically(dir / "no" / "such" / "x.png", "data");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("x.png"), std::string::npos);
  // A "directory" that is a regular file.
  testing::write_file_bytes(dir / "file", "f");
  EXPECT_FALSE(write_file_atomically(dir / "file" / "x.png", "data").ok());
  // The destination is a directory: rename fails, the temporary is removed.
  fs::create_directory(dir / "adir");
  fs::create_directory(dir / "adir" / "sub");
  testing::write_file_bytes(dir / "adir" / "sub" / "inside", "i");
  const Status onto_dir = write_file_atomically(dir / "adir" / "sub", "data");
  EXPECT_EQ(onto_dir.code(), StatusCode::kIoError);
  EXPECT_EQ(entries(dir / "adir"), std::vector<std::string>{"sub"});
  EXPECT_FALSE(write_file_atomically("", "data").ok());
  // A name the file system refuses (longer than NAME_MAX): fails even for root.
  const Status long_name = write_file_atomically(dir / (std::string(300, 'n') + ".png"), "data");
  EXPECT_EQ(long_name.code(), StatusCode::kIoError);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"adir", "file"}));
}

TEST(AtomicFile, UnwritableDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: permissions are not enforced";
  testing::TempDir dir;
  fs::create_directory(dir / "ro");
  ::chmod((dir / "ro").c_str(), 0555);
  const Status s = write_file_atomically(dir / "ro" / "x.png", "data");
  ::chmod((dir / "ro").c_str(), 0755);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("x.png"), std::string::npos);
  EXPECT_TRUE(entries(dir / "ro").empty());
}

TEST(AtomicFile, WriteImageEncodeFailureLeavesNoFile) {
  testing::TempDir dir;
  const Image f32 = Image::create(4, 4, 3, PixelType::kF32).value();
  const Status s = write_image(dir / "float.png", f32);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("float.png"), std::string::npos);
  const Status webp = write_image(dir / "wide.webp", Image::create(17000, 1, 3, PixelType::kU8).value());
  EXPECT_EQ(webp.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(write_image(dir / "x.gif", testing::make_test_image(2, 2, 3, PixelType::kU8)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(AtomicFile, WriteImageOverwriteFalseAndExplicitFormat) {
  testing::TempDir dir;
  const Image img = testing::make_test_image(6, 5, 3, PixelType::kU8);
  ASSERT_TRUE(write_image(dir / "a.png", img).ok());
  const std::string first = testing::read_file_bytes(dir / "a.png");
  WriteOptions no_clobber;
  no_clobber.overwrite = false;
  EXPECT_EQ(write_image(dir / "a.png", testing::make_test_image(9, 9, 3, PixelType::kU8), no_clobber).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::read_file_bytes(dir / "a.png"), first);
  // format overrides the extension: a WebP with an odd name; read_image detects it by content.
  WriteOptions as_webp;
  as_webp.format = ImageFormat::kWebp;
  as_webp.lossless = true;
  ASSERT_TRUE(write_image(dir / "weird.bin", img, as_webp).ok());
  const DecodedImage d = read_image(dir / "weird.bin").value();
  EXPECT_EQ(d.format, ImageFormat::kWebp);
  EXPECT_TRUE(testing::images_equal(d.image, img));
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"a.png", "weird.bin"}));
}

TEST(AtomicFile, ReadFileErrors) {
  testing::TempDir dir;
  const Status missing = read_file(dir / "none.png").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("none.png"), std::string::npos);
  EXPECT_EQ(read_file(dir.path()).status().code(), StatusCode::kIoError);
  testing::write_file_bytes(dir / "big", std::string(100, 'x'));
  EXPECT_EQ(read_file(dir / "big", 99).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(read_file(dir / "big", 100).value().size(), 100u);
}

}  // namespace
}  // namespace litesr
