// upscale_batch (upscaler/batch_upscale.h): the pipelined batch writes the same bytes as the sequential one,
// failures stay per file, existing outputs are skipped, cancellation leaves only complete files.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "io/image_file.h"
#include "testing/test_env.h"
#include "upscaler/batch_upscale.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

Image make_image(int w, int h, int channels, PixelType type, int seed) {
  Image img = Image::create(w, h, channels, type).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int v = (x * (7 + seed) + y * 5 + c * 40 + (x * y) % (11 + seed)) % 256;
        if (type == PixelType::kU8) {
          img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(v);
        } else {
          img.view<uint16_t>().at(x, y, c) = static_cast<uint16_t>(v * 257 + seed);
        }
      }
    }
  }
  return img;
}

ModelUpscaler open_model() {
  UpscalerOptions options;
  options.model = "elsr-x2";
  options.threads = 2;
  return ModelUpscaler::open(options).value();
}

// A folder of mixed inputs: PNG RGB / RGBA 16-bit / grey, JPEG, WebP, in several sizes.
std::vector<BatchJob> make_jobs(const fs::path& in, const fs::path& out, const std::string& out_ext = "") {
  struct Spec {
    const char* name;
    int w, h, channels;
    PixelType type;
  };
  const Spec specs[] = {{"a.png", 40, 30, 3, PixelType::kU8},  {"b.png", 33, 17, 4, PixelType::kU16},
                        {"c.png", 21, 40, 1, PixelType::kU8},  {"d.jpg", 48, 32, 3, PixelType::kU8},
                        {"e.webp", 24, 24, 4, PixelType::kU8}, {"f.png", 300, 200, 3, PixelType::kU8},
                        {"g.png", 9, 7, 2, PixelType::kU8}};
  std::vector<BatchJob> jobs;
  int seed = 0;
  for (const Spec& s : specs) {
    EXPECT_TRUE(write_image(in / s.name, make_image(s.w, s.h, s.channels, s.type, seed++)).ok());
    fs::path o = out / s.name;
    if (!out_ext.empty()) o.replace_extension(out_ext);
    jobs.push_back({in / s.name, o});
  }
  return jobs;
}

bool has_temp_files(const fs::path& dir) {
  if (!fs::exists(dir)) return false;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename().string().find("litesr-tmp") != std::string::npos) return true;
  }
  return false;
}

// A temporary folder of make_jobs() inputs (in/ -> out/) and the model that upscales them.
struct BatchFolder {
  TempDir dir;
  std::vector<BatchJob> jobs;
  ModelUpscaler model = open_model();
  BatchFolder() {
    fs::create_directories(dir / "in");
    jobs = make_jobs(dir / "in", dir / "out");
  }
  fs::path out() const { return dir / "out"; }
};

TEST(BatchUpscale, PipelinedWritesTheSequentialBytes) {
  TempDir dir;
  fs::create_directories(dir / "in");
  ModelUpscaler model = open_model();
  for (const std::string ext : {"", ".png", ".jpg", ".webp"}) {
    const std::vector<BatchJob> jobs = make_jobs(dir / "in", dir / "pipe", ext);
    std::vector<BatchJob> sequential_jobs = jobs;
    for (BatchJob& j : sequential_jobs) j.output = dir / "seq" / j.output.filename();
    BatchOptions options;
    options.overwrite = true;
    options.stream_min_output_pixels = 100 * 100;  // f.png streams (600x400 out), the others go whole
    options.encoders = 3;
    const BatchResult piped = upscale_batch(model, jobs, options).value();
    options.encoders = 0;
    const BatchResult seq = upscale_batch(model, sequential_jobs, options).value();
    ASSERT_EQ(piped.items.size(), jobs.size());
    ASSERT_EQ(seq.items.size(), jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      EXPECT_EQ(piped.items[i].outcome, BatchOutcome::kDone) << jobs[i].input << piped.items[i].status.to_string();
      EXPECT_EQ(piped.items[i].index, i);
      EXPECT_EQ(piped.items[i].output_width, 2 * piped.items[i].input_width);
      EXPECT_EQ(testing::read_file_bytes(jobs[i].output), testing::read_file_bytes(sequential_jobs[i].output))
          << jobs[i].output;
    }
    EXPECT_TRUE(piped.items[5].streamed || ext == ".webp") << ext;  // WebP output cannot stream
    EXPECT_FALSE(piped.items[0].streamed);
    EXPECT_FALSE(piped.interrupted);
  }
}

// Lanes: whole images below lane_max_output_pixels run on the single-threaded lanes, side by side; a larger one on
// the upscaler's own threads; the bytes are those of the batch without lanes.
TEST(BatchUpscale, LanesWriteTheSameBytes) {
  TempDir dir;
  fs::create_directories(dir / "in");
  ModelUpscaler model = open_model();
  UpscalerOptions one_thread;
  one_thread.model = "elsr-x2";
  one_thread.threads = 1;
  ModelUpscaler lane0 = ModelUpscaler::open(one_thread).value(), lane1 = ModelUpscaler::open(one_thread).value();
  ModelUpscaler* const lanes[] = {&lane0, &lane1};
  const std::vector<BatchJob> jobs = make_jobs(dir / "in", dir / "lanes");
  std::vector<BatchJob> plain_jobs = jobs;
  for (BatchJob& j : plain_jobs) j.output = dir / "plain" / j.output.filename();
  BatchOptions options;
  options.stream_min_output_pixels = kNeverStream;
  options.lane_max_output_pixels = 100 * 100;  // f.png (600x400 out) runs alone on the upscaler's threads
  options.encoders = 2;
  const BatchResult laned = upscale_batch(model, jobs, options, {}, lanes).value();
  const BatchResult plain = upscale_batch(model, plain_jobs, options).value();
  ASSERT_EQ(laned.items.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_EQ(laned.items[i].outcome, BatchOutcome::kDone) << jobs[i].input << laned.items[i].status.to_string();
    EXPECT_EQ(testing::read_file_bytes(jobs[i].output), testing::read_file_bytes(plain_jobs[i].output))
        << jobs[i].output;
    EXPECT_EQ(plain.items[i].lane, -1);
    if (i == 5) {
      EXPECT_EQ(laned.items[i].lane, -1);
    } else {
      EXPECT_GE(laned.items[i].lane, 0) << jobs[i].input;
      EXPECT_LE(laned.items[i].lane, 1) << jobs[i].input;
    }
  }
}

TEST(BatchUpscale, AnUnreadableFileFailsAloneAndWritesNothing) {
  TempDir dir;
  fs::create_directories(dir / "in");
  std::vector<BatchJob> jobs = make_jobs(dir / "in", dir / "out");
  testing::write_file_bytes(jobs[2].input, "\x89PNG\r\n\x1a\n garbage");
  jobs.push_back({dir / "in" / "missing.png", dir / "out" / "missing.png"});
  ModelUpscaler model = open_model();
  for (int encoders : {0, 2}) {
    BatchOptions options;
    options.overwrite = true;
    options.encoders = encoders;
    std::vector<std::size_t> reported;
    BatchCallbacks callbacks;
    callbacks.on_item = [&](const BatchItem& item) { reported.push_back(item.index); };
    const BatchResult r = upscale_batch(model, jobs, options, callbacks).value();
    ASSERT_EQ(r.items.size(), jobs.size());
    EXPECT_EQ(reported.size(), jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      const bool bad = i == 2 || i == jobs.size() - 1;
      EXPECT_EQ(r.items[i].outcome, bad ? BatchOutcome::kFailed : BatchOutcome::kDone) << i;
      EXPECT_EQ(fs::exists(jobs[i].output), !bad) << jobs[i].output;
    }
    EXPECT_EQ(r.items[2].status.code(), StatusCode::kCorruptData) << r.items[2].status.to_string();
    EXPECT_NE(r.items[2].status.message().find("c.png"), std::string::npos) << r.items[2].status.to_string();
    EXPECT_EQ(r.items.back().status.code(), StatusCode::kNotFound);
    EXPECT_FALSE(has_temp_files(dir / "out"));
  }
}

TEST(BatchUpscale, ExistingOutputsAreSkippedUnlessOverwrite) {
  BatchFolder f;
  const std::vector<BatchJob>& jobs = f.jobs;
  ModelUpscaler& model = f.model;
  BatchOptions options;
  ASSERT_EQ(upscale_batch(model, jobs, options)->items.size(), jobs.size());
  testing::write_file_bytes(jobs[1].output, "kept");
  const BatchResult again = upscale_batch(model, jobs, options).value();
  for (const BatchItem& item : again.items) EXPECT_EQ(item.outcome, BatchOutcome::kSkipped);
  EXPECT_EQ(testing::read_file_bytes(jobs[1].output), "kept");
  options.overwrite = true;
  const BatchResult replaced = upscale_batch(model, jobs, options).value();
  for (const BatchItem& item : replaced.items) EXPECT_EQ(item.outcome, BatchOutcome::kDone);
  EXPECT_NE(testing::read_file_bytes(jobs[1].output), "kept");
}

// Cancelled after the first finished file: the files written are complete, nothing partial is left, and a
// second run (not cancelled) skips what exists and completes the rest.
TEST(BatchUpscale, CancelledBatchLeavesCompleteFilesAndResumes) {
  for (int encoders : {0, 2}) {
    BatchFolder f;
    const std::vector<BatchJob>& jobs = f.jobs;
    ModelUpscaler& model = f.model;
    CancelToken cancel;
    BatchOptions options;
    options.encoders = encoders;
    options.cancel = &cancel;
    BatchCallbacks callbacks;
    callbacks.on_item = [&](const BatchItem&) { cancel.cancel(); };
    const BatchResult first = upscale_batch(model, jobs, options, callbacks).value();
    EXPECT_TRUE(first.interrupted);
    EXPECT_LT(first.items.size(), jobs.size());
    EXPECT_GE(first.items.size(), 1u);
    std::size_t written = 0;
    for (const BatchJob& j : jobs) {
      if (!fs::exists(j.output)) continue;
      ++written;
      EXPECT_TRUE(read_image(j.output).ok()) << j.output;
    }
    EXPECT_EQ(written, first.items.size());  // every finished file, and nothing else
    EXPECT_FALSE(has_temp_files(f.out()));

    CancelToken fresh;
    options.cancel = &fresh;
    const BatchResult second = upscale_batch(model, jobs, options).value();
    ASSERT_EQ(second.items.size(), jobs.size());
    std::size_t skipped = 0;
    for (const BatchItem& item : second.items) skipped += item.outcome == BatchOutcome::kSkipped;
    EXPECT_EQ(skipped, written);
    for (const BatchJob& j : jobs) EXPECT_TRUE(fs::exists(j.output)) << j.output;
  }
}

TEST(BatchUpscale, CancelWhileStreamingWritesNothingForThatFile) {
  BatchFolder f;
  const std::vector<BatchJob>& jobs = f.jobs;
  ModelUpscaler& model = f.model;
  CancelToken cancel;
  BatchOptions options;
  options.stream_min_output_pixels = 0;  // every PNG/JPEG streams
  options.band_rows = 8;
  options.cancel = &cancel;
  BatchCallbacks callbacks;
  callbacks.on_rows = [&](const BatchJob& job, int done, int) {
    if (job.input.filename() == "f.png" && done >= 8) cancel.cancel();
  };
  const BatchResult r = upscale_batch(model, jobs, options, callbacks).value();
  EXPECT_TRUE(r.interrupted);
  EXPECT_FALSE(fs::exists(jobs[5].output));
  EXPECT_FALSE(fs::exists(jobs[6].output));
  EXPECT_FALSE(has_temp_files(f.out()));
}

TEST(BatchUpscale, RejectsBadOptions) {
  ModelUpscaler model = open_model();
  BatchOptions options;
  options.queue_depth = 0;
  EXPECT_EQ(upscale_batch(model, {}, options).status().code(), StatusCode::kInvalidArgument);
  options.queue_depth = 1;
  options.encoders = -1;
  EXPECT_EQ(upscale_batch(model, {}, options).status().code(), StatusCode::kInvalidArgument);
  options.encoders = 1;
  EXPECT_TRUE(upscale_batch(model, {}, options)->items.empty());
}

}  // namespace
}  // namespace litesr
