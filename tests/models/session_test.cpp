// ELSR and bicubic through the Session: fused bands vs the reference oracle, band/thread invariance,
// parameter counts, model-file round trip, and no allocation inside run().
#include <cmath>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "base/image_ops.h"
#include "models/registry.h"
#include "runtime/reference_executor.h"
#include "runtime/session.h"
#include "testing/allocation_counter.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

std::string elsr_config(int scale) { return R"({"scale": )" + std::to_string(scale) + R"(, "channels": 6})"; }

Image random_image(int w, int h, int c, uint32_t seed) {
  Image img = Image::create(w, h, c, PixelType::kF32).value();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  auto v = img.view<float>();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w * c; ++x) v.row(y)[x] = u(rng);
  }
  return img;
}

// Reference oracle on the image, clamped like the session's store.
Image reference_sr(const ModelFile& model, const Image& lr) {
  const Graph graph = *models::build_graph(model);
  FeatureMap in = FeatureMap::zeros(lr.channels(), lr.height(), lr.width());
  const auto v = lr.view<float>();
  for (int y = 0; y < lr.height(); ++y) {
    for (int x = 0; x < lr.width(); ++x) {
      for (int c = 0; c < lr.channels(); ++c) in.at(c, y, x) = v.at(x, y, c);
    }
  }
  auto out = run_reference(graph, model.tensors, {in});
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  const FeatureMap& o = (*out)[0];
  Image sr = Image::create(o.width, o.height, o.channels, PixelType::kF32).value();
  auto sv = sr.view<float>();
  for (int y = 0; y < o.height; ++y) {
    for (int x = 0; x < o.width; ++x) {
      for (int c = 0; c < o.channels; ++c) sv.at(x, y, c) = std::clamp(o.at(c, y, x), 0.0f, 1.0f);
    }
  }
  return sr;
}

Image run_session(const ModelFile& model, const Image& lr, SessionOptions options) {
  auto session = models::create_session(model, options);
  EXPECT_TRUE(session.ok()) << session.status().to_string();
  const int s = session->scale();
  Image sr = Image::create(lr.width() * s, lr.height() * s, lr.channels(), PixelType::kF32).value();
  const Status st = session->run(lr.view<float>(), sr.view<float>());
  EXPECT_TRUE(st.ok()) << st.to_string();
  return sr;
}

float max_abs_diff(const Image& a, const Image& b) {
  float m = 0.0f;
  const auto va = a.view<float>();
  const auto vb = b.view<float>();
  for (int y = 0; y < a.height(); ++y) {
    for (int x = 0; x < a.width() * a.channels(); ++x) m = std::max(m, std::fabs(va.row(y)[x] - vb.row(y)[x]));
  }
  return m;
}

bool bitwise_equal(const Image& a, const Image& b) {
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), a.row_bytes()) != 0) return false;
  }
  return true;
}

TEST(Models, ElsrParameterCounts) {
  const int expected[] = {0, 0, 3474 - 2640 + 12 * 54 + 12, 0, 3474};
  for (int s : {2, 4}) {
    const ModelFile m = *models::make_random_model("elsr", s, elsr_config(s), 1);
    EXPECT_EQ(count_parameters(*models::build_graph(m), m.tensors), expected[s]) << "x" << s;
  }
}

TEST(Models, RejectsBadConfigAndMetadata) {
  EXPECT_FALSE(models::build_graph("elsr", 4, R"({"scale": 4})").ok());                         // missing channels
  EXPECT_FALSE(models::build_graph("elsr", 4, R"({"scale": 2, "channels": 6})").ok());          // scale mismatch
  EXPECT_FALSE(models::build_graph("elsr", 4, R"({"scale": 4, "channels": 6, "x": 1})").ok());  // unknown key
  EXPECT_FALSE(models::build_graph("elsr", 4, "{bad").ok());
  EXPECT_EQ(models::build_graph("nope", 4, "{}").status().code(), StatusCode::kUnsupported);
  ModelFile m = *models::make_random_model("elsr", 4, elsr_config(4), 1);
  m.tensors["conv4.weight"].shape = {12, 6, 3, 3};  // a x2 tail in a x4 file: shapes are checked, never inferred
  m.tensors["conv4.weight"].data.resize(12 * 54);
  EXPECT_EQ(models::create_session(m).status().code(), StatusCode::kInvalidArgument);
}

TEST(Models, RandomModelRoundTripsThroughFile) {
  testing::TempDir dir;
  const ModelFile m = *models::make_random_model("elsr", 3, elsr_config(3), 7);
  ASSERT_TRUE(write_model_file(dir / "elsr.safetensors", m).ok());
  auto back = read_model_file(dir / "elsr.safetensors");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->metadata, m.metadata);
  const Image lr = random_image(9, 7, 3, 3);
  EXPECT_TRUE(bitwise_equal(run_session(m, lr, {}), run_session(*back, lr, {})));
  auto via_session = Session::create(*back);
  ASSERT_TRUE(via_session.ok());
  EXPECT_EQ(via_session->mode(), ExecutionMode::kFusedBands);
}

struct Size {
  int w, h;
};

TEST(Models, ElsrFusedMatchesReferenceAndIsBandInvariant) {
  for (int s : {2, 3, 4}) {
    const ModelFile m = *models::make_random_model("elsr", s, elsr_config(s), 100 + s);
    for (Size size : {Size{1, 1}, Size{1, 5}, Size{13, 1}, Size{17, 11}, Size{32, 9}}) {
      const Image lr = random_image(size.w, size.h, 3, s * 31 + size.w);
      const Image ref = reference_sr(m, lr);
      SessionOptions base;
      base.threads = 1;
      base.band_rows = size.h;  // one band: the untiled run
      const Image whole = run_session(m, lr, base);
      EXPECT_LE(max_abs_diff(whole, ref), 1e-5f) << "x" << s << " " << size.w << "x" << size.h;
      SessionOptions ref_opts;
      ref_opts.reference = true;
      EXPECT_LE(max_abs_diff(run_session(m, lr, ref_opts), ref), 1e-6f);
      for (int band : {1, 2, 3, 4, 7}) {
        for (int threads : {1, 2, 3}) {
          SessionOptions o;
          o.threads = threads;
          o.band_rows = band;
          EXPECT_TRUE(bitwise_equal(run_session(m, lr, o), whole))
              << "x" << s << " " << size.w << "x" << size.h << " band " << band << " threads " << threads;
        }
      }
    }
  }
}

TEST(Models, BicubicFusedMatchesReference) {
  for (int s : {2, 3, 4}) {
    const ModelFile m = *models::make_random_model("bicubic", s, R"({"scale": )" + std::to_string(s) + "}", 0);
    EXPECT_TRUE(m.tensors.empty());
    for (Size size : {Size{1, 1}, Size{2, 5}, Size{11, 6}}) {
      const Image lr = random_image(size.w, size.h, 3, 5 * s + size.h);
      const Image ref = reference_sr(m, lr);
      SessionOptions one;
      one.threads = 1;
      one.band_rows = size.h;
      const Image whole = run_session(m, lr, one);
      EXPECT_LE(max_abs_diff(whole, ref), 1e-5f);
      SessionOptions o;
      o.threads = 2;
      o.band_rows = 1;
      EXPECT_TRUE(bitwise_equal(run_session(m, lr, o), whole));
    }
  }
  // A constant image stays constant (weights sum to 1, symmetric borders).
  const ModelFile m = *models::make_random_model("bicubic", 4, R"({"scale": 4})", 0);
  Image flat = Image::create(5, 4, 3, PixelType::kF32).value();
  for (int y = 0; y < 4; ++y) std::fill(flat.view<float>().row(y), flat.view<float>().row(y) + 15, 0.5f);
  const Image up = run_session(m, flat, {});
  for (int y = 0; y < up.height(); ++y) {
    for (int x = 0; x < up.width() * 3; ++x) ASSERT_NEAR(up.view<float>().row(y)[x], 0.5f, 1e-6f);
  }
}

// Rows [y0, y1) of a crop holding input rows [y0 − c, y1 + c) (clipped to the image), upscaled alone.
Image upscale_band(const ModelFile& m, const Image& lr, int y0, int y1, int context) {
  const int first = std::max(0, y0 - context), end = std::min(lr.height(), y1 + context);
  Image crop = Image::create(lr.width(), end - first, 3, PixelType::kF32).value();
  for (int y = first; y < end; ++y) std::memcpy(crop.row_bytes_ptr(y - first), lr.row_bytes_ptr(y), lr.row_bytes());
  SessionOptions o;
  o.threads = 1;
  const Image up = run_session(m, crop, o);
  const int s = up.width() / lr.width();
  Image rows = Image::create(up.width(), (y1 - y0) * s, 3, PixelType::kF32).value();
  for (int y = 0; y < rows.height(); ++y) {
    std::memcpy(rows.row_bytes_ptr(y), up.row_bytes_ptr((y0 - first) * s + y), up.row_bytes());
  }
  return rows;
}

// Session::context_rows is what streaming an image in bands relies on: with that many rows of context a
// band's output equals the whole image's, bitwise; for ELSR (four 3x3 convs in a chain) one row fewer is not
// enough. Models with a global op have no finite context.
TEST(Models, ContextRowsMakeBandsEqualTheWholeImage) {
  struct Case {
    std::string arch;
    int scale;
    std::string config;
    int expected_context;  // -1: not checked exactly
  };
  const std::vector<Case> cases = {{"elsr", 2, elsr_config(2), 4}, {"elsr", 4, elsr_config(4), 4},
                                   {"bicubic", 3, R"({"scale": 3})", -1}, {"bicubic", 4, R"({"scale": 4})", -1}};
  for (const Case& c : cases) {
    const ModelFile m = *models::make_random_model(c.arch, c.scale, c.config, 11);
    auto session = models::create_session(m);
    ASSERT_TRUE(session.ok());
    Result<int> context = session->context_rows();
    ASSERT_TRUE(context.ok()) << c.arch << ": " << context.status().to_string();
    if (c.expected_context >= 0) {
      EXPECT_EQ(*context, c.expected_context) << c.arch;
    }
    const Image lr = random_image(9, 23, 3, 5);
    SessionOptions one;
    one.threads = 1;
    const Image whole = run_session(m, lr, one);
    const int s = c.scale;
    for (int band : {1, 5, 8}) {
      for (int y0 = 0; y0 < lr.height(); y0 += band) {
        const int y1 = std::min(lr.height(), y0 + band);
        const Image rows = upscale_band(m, lr, y0, y1, *context);
        for (int y = 0; y < rows.height(); ++y) {
          ASSERT_EQ(std::memcmp(rows.row_bytes_ptr(y), whole.row_bytes_ptr(y0 * s + y), rows.row_bytes()), 0)
              << c.arch << " x" << s << " band " << band << " at row " << y0;
        }
      }
    }
    if (c.arch == "elsr") {  // tight: a middle band with one row less context differs
      const Image rows = upscale_band(m, lr, 10, 13, *context - 1);
      bool differs = false;
      for (int y = 0; y < rows.height(); ++y) {
        differs |= std::memcmp(rows.row_bytes_ptr(y), whole.row_bytes_ptr(10 * s + y), rows.row_bytes()) != 0;
      }
      EXPECT_TRUE(differs) << "x" << s;
    }
  }
  const ModelFile sam = *models::make_random_model("sam_sr", 4, R"({"scale": 4, "nf": 8, "n": 1, "se": true, "bn": true, "bicubic_a": -0.5, "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})", 3);
  auto session = models::create_session(sam);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_EQ(session->context_rows().status().code(), StatusCode::kUnsupported);
}

TEST(Models, RunU8MatchesQuantizedFloatRun) {
  const ModelFile m = *models::make_random_model("elsr", 2, elsr_config(2), 9);
  Image lr8 = Image::create(10, 6, 3, PixelType::kU8).value();
  Image lrf = Image::create(10, 6, 3, PixelType::kF32).value();
  std::mt19937 rng(4);
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 30; ++x) {
      const uint8_t v = static_cast<uint8_t>(rng() & 0xFF);
      lr8.view<uint8_t>().row(y)[x] = v;
      lrf.view<float>().row(y)[x] = static_cast<float>(v) / 255.0f;
    }
  }
  auto session = models::create_session(m);
  ASSERT_TRUE(session.ok());
  Image sr8 = Image::create(20, 12, 3, PixelType::kU8).value();
  ASSERT_TRUE(session->run_u8(lr8.view<uint8_t>(), sr8.view<uint8_t>()).ok());
  const Image srf = run_session(m, lrf, {});
  for (int y = 0; y < 12; ++y) {
    for (int x = 0; x < 60; ++x) {
      ASSERT_EQ(sr8.view<uint8_t>().row(y)[x], quantize_unit(srf.view<float>().row(y)[x], 255)) << x << "," << y;
    }
  }
}

TEST(Models, RunRejectsWrongShapes) {
  const ModelFile m = *models::make_random_model("elsr", 2, elsr_config(2), 9);
  auto session = models::create_session(m);
  ASSERT_TRUE(session.ok());
  const Image lr = random_image(4, 4, 3, 1);
  Image bad = Image::create(7, 8, 3, PixelType::kF32).value();
  EXPECT_EQ(session->run(lr.view<float>(), bad.view<float>()).code(), StatusCode::kInvalidArgument);
  Image grey = Image::create(8, 8, 1, PixelType::kF32).value();
  EXPECT_EQ(session->run(lr.view<float>(), grey.view<float>()).code(), StatusCode::kInvalidArgument);
}

TEST(Models, NoAllocationInsideRun) {
  const ModelFile m = *models::make_random_model("elsr", 4, elsr_config(4), 2);
  SessionOptions o;
  o.threads = 3;
  o.band_rows = 5;
  auto session = models::create_session(m, o);
  ASSERT_TRUE(session.ok());
  const Image lr = random_image(23, 19, 3, 8);
  Image sr = Image::create(92, 76, 3, PixelType::kF32).value();
  ASSERT_TRUE(session->prepare(23, 19).ok());
  ASSERT_TRUE(session->run(lr.view<float>(), sr.view<float>()).ok());  // warm
  const long before = testing::allocation_count();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(session->run(lr.view<float>(), sr.view<float>()).ok());
  EXPECT_EQ(testing::allocation_count() - before, 0);
}

}  // namespace
}  // namespace litesr
