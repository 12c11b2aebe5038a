// The INT8 band executor against the INT8 reference executor: the same integers, bit for bit, for every band
// height, thread count, kernel ISA, input/output type, and every op with an integer form.
#include "runtime/int8_band_executor.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/int8_test_models.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/session.h"
#include "testing/allocation_counter.h"

namespace litesr {
namespace {

using namespace int8_testing;

struct Case {
  std::string name;
  Model model;
};

// An upsampler in two steps (x2 then x2, as SAM-SR's), with a conv between them at 2x, and an output that is a
// conv at the output resolution (stored row by row, not by the pixel-shuffle store).
Model two_step_upsampler() {
  GraphBuilder b("two_step", 4);
  const int x = b.input("x", 3);
  const int h = b.relu(b.conv(x, "head", 8, 3));
  const int u1 = b.pixel_shuffle(b.conv(h, "up1", 16, 3), 2);
  const int m = b.leaky_relu(b.conv(u1, "mid", 8, 3), 0.1f);
  const int u2 = b.pixel_shuffle(b.conv(m, "up2", 16, 3), 2);
  b.output(b.conv(u2, "tail", 3, 3));
  return with_random_tensors(std::move(b).finish(), 77);
}

std::vector<Case> cases() {
  return {{"elsr_x2", elsr_like(2)},
          {"elsr_x4", elsr_like(4)},
          {"mixed", mixed_int8_ops()},
          {"two_step", two_step_upsampler()},
          {"sam_sr_matlab", sam_sr_like(BicubicKind::kMatlab)},  // squeeze-excite passes, checkpoints, bicubic skip
          {"sam_sr_pytorch", sam_sr_like(BicubicKind::kPytorch)}};
}

Image run_session(Session& s, const Image& lr, PixelType type) {
  const int scale = s.scale();
  Image out = Image::create(lr.width() * scale, lr.height() * scale, 3, type).value();
  Status st;
  if (type == PixelType::kU8) {
    st = s.run_u8(lr.view<uint8_t>(), out.view<uint8_t>());
  } else {
    Image lr_f = Image::create(lr.width(), lr.height(), 3, PixelType::kF32).value();
    for (int y = 0; y < lr.height(); ++y) {
      for (int i = 0; i < lr.width() * 3; ++i) lr_f.view<float>().row(y)[i] = lr.view<uint8_t>().row(y)[i] / 255.0f;
    }
    st = s.run(lr_f.view<float>(), out.view<float>());
  }
  EXPECT_TRUE(st.ok()) << st.to_string();
  return out;
}

bool same_pixels(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.type() != b.type()) return false;
  const std::size_t row_bytes = static_cast<std::size_t>(a.width()) * 3 * (a.type() == PixelType::kU8 ? 1 : 4);
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), row_bytes) != 0) return false;
  }
  return true;
}

TEST(Int8BandExecutor, EqualsTheReferenceForEveryBandHeightThreadCountAndIsa) {
  for (const Case& c : cases()) {
    const Program program = compile_program(c.model.graph, c.model.tensors).value();
    const Image calib = random_rgb(15, 11, 4);
    const ModelQuantization q = min_max_quantization(program, calib);
    const Image lr = random_rgb(37, 23, 8);  // another image: some values fall outside the calibrated ranges
    SessionOptions ref_options;
    ref_options.reference = true;
    Session ref = Session::create(c.model.graph, c.model.tensors, ref_options, q).value();
    ASSERT_EQ(ref.mode(), ExecutionMode::kInt8Reference);
    for (PixelType type : {PixelType::kU8, PixelType::kF32}) {
      const Image want = run_session(ref, lr, type);
      for (const std::string& isa : available_isas()) {
        for (int threads : {1, 2, 3}) {
          for (int band_rows : {0, 1, 4, 9}) {
            SCOPED_TRACE(c.name + " isa " + isa + " threads " + std::to_string(threads) + " band_rows " +
                         std::to_string(band_rows) + (type == PixelType::kU8 ? " u8" : " f32"));
            SessionOptions o;
            o.threads = threads;
            o.band_rows = band_rows;
            o.isa = isa;
            Result<Session> s = Session::create(c.model.graph, c.model.tensors, o, q);
            ASSERT_TRUE(s.ok()) << s.status().to_string();
            ASSERT_EQ(s->mode(), ExecutionMode::kInt8Bands);
            EXPECT_TRUE(same_pixels(run_session(*s, lr, type), want));
          }
        }
      }
    }
  }
}

// The squeeze-excite passes on several threads (checkpoint rows written by every band, the per-thread sums added
// after each pass): the reference's integers on 3 threads with small bands (in the TSan stage's filter).
TEST(Int8BandExecutor, SqueezeExcitePassesAreThreadInvariant) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization q = min_max_quantization(program, random_rgb(15, 11, 4));
  const Image lr = random_rgb(29, 21, 8);
  SessionOptions ref_options;
  ref_options.reference = true;
  Session ref = Session::create(m.graph, m.tensors, ref_options, q).value();
  const Image want = run_session(ref, lr, PixelType::kU8);
  SessionOptions o;
  o.threads = 3;
  o.band_rows = 2;
  Session s = Session::create(m.graph, m.tensors, o, q).value();
  ASSERT_EQ(s.mode(), ExecutionMode::kInt8Bands);
  for (int run = 0; run < 3; ++run) EXPECT_TRUE(same_pixels(run_session(s, lr, PixelType::kU8), want)) << run;
}

// Squeeze-excite's whole-image means: no context makes a band equal the whole image.
TEST(Int8BandExecutor, SqueezeExciteHasNoContextRows) {
  const Model m = sam_sr_like();
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization q = min_max_quantization(program, random_rgb(12, 12, 1));
  Session s = Session::create(m.graph, m.tensors, SessionOptions{}, q).value();
  ASSERT_EQ(s.mode(), ExecutionMode::kInt8Bands);
  EXPECT_EQ(s.context_rows().status().code(), StatusCode::kUnsupported);
}

TEST(Int8BandExecutor, ContextRowsMakeBandsOfTheImageEqualTheWholeImage) {
  const Model m = elsr_like(4);
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization q = min_max_quantization(program, random_rgb(12, 12, 1));
  Session s = Session::create(m.graph, m.tensors, SessionOptions{}, q).value();
  const int context = s.context_rows().value();
  EXPECT_EQ(context, 4);  // four 3x3 convs in a chain
  const Image lr = random_rgb(20, 30, 2);
  const Image whole = run_session(s, lr, PixelType::kU8);
  // Rows [10, 20) from input rows [10 − c, 20 + c): the output rows of the band equal the whole image's.
  Image part = Image::create(20, 10 + 2 * context, 3, PixelType::kU8).value();
  for (int y = 0; y < part.height(); ++y) {
    std::memcpy(part.row_bytes_ptr(y), lr.row_bytes_ptr(10 - context + y), 20 * 3);
  }
  const Image band = run_session(s, part, PixelType::kU8);
  for (int y = 0; y < 40; ++y) {
    ASSERT_EQ(std::memcmp(band.row_bytes_ptr(4 * context + y), whole.row_bytes_ptr(40 + y), 80 * 3), 0) << y;
  }
}

TEST(Int8BandExecutor, PreparesOnceAndRunsWithoutAllocating) {
  const Model m = elsr_like(4);
  const Program program = compile_program(m.graph, m.tensors).value();
  const ModelQuantization q = min_max_quantization(program, random_rgb(12, 12, 1));
  const Int8Program int8 = compile_int8_program(program, q).value();
  ASSERT_TRUE(Int8BandExecutor::check_supported(int8).ok());
  Int8BandExecutor ex;
  EXPECT_FALSE(ex.prepare(int8, 0, 5, 0, 1).ok());
  EXPECT_FALSE(ex.prepare(int8, 5, 5, 0, 0).ok());
  ASSERT_TRUE(ex.prepare(int8, 64, 40, 0, 2).ok());
  // One band per thread: at 40 rows each boundary repeats more than 1 % of the four-conv chain's work.
  EXPECT_EQ(ex.band_rows(), 20);
  const Image lr = random_rgb(64, 40, 3);
  Image sr = Image::create(256, 160, 3, PixelType::kU8).value();
  BandInput in;
  in.u8 = lr.view<uint8_t>().data;
  in.stride = lr.view<uint8_t>().stride;
  BandOutput out;
  out.u8 = sr.view<uint8_t>().data;
  out.stride = sr.view<uint8_t>().stride;
  ThreadPool pool(2);
  ex.run(pool, in, out);
  const long before = testing::allocation_count();
  ex.run(pool, in, out);
  EXPECT_EQ(testing::allocation_count(), before);
}

}  // namespace
}  // namespace litesr
