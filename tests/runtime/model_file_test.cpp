#include "runtime/model_file.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "testing/test_env.h"

namespace litesr {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A safetensors file from a raw JSON header and a raw data buffer (no validation: for rejection tests).
std::string make_raw(const std::string& json, const std::string& data) {
  std::string out;
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return out + json + data;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) {
    char b[4];
    std::memcpy(b, &v, 4);  // test host is little-endian (x86-64 / arm64)
    out.append(b, 4);
  }
  return out;
}

ModelFile sample_model() {
  ModelFile m;
  m.metadata["litesr.arch"] = "elsr";
  m.metadata["litesr.config"] = R"({"scale": 2, "channels": 6})";
  m.tensors["conv1.weight"] = Tensor{{2, 1, 3, 3}, {}};
  for (int i = 0; i < 18; ++i) m.tensors["conv1.weight"].data.push_back(0.25f * i - 1.5f);
  m.tensors["conv1.bias"] = Tensor{{2}, {1.0f, -2.0f}};
  m.tensors["a.scalar"] = Tensor{{}, {3.5f}};
  m.tensors["empty"] = Tensor{{0, 4}, {}};
  return m;
}

void expect_code(const std::string& bytes, StatusCode code, const std::string& needle = "") {
  const auto r = parse_model_file(as_bytes(bytes), "bad.safetensors");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  EXPECT_NE(r.status().message().find("bad.safetensors"), std::string::npos) << r.status().message();
  if (!needle.empty()) {
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  }
}

TEST(ModelFile, RoundTripInMemory) {
  const ModelFile m = sample_model();
  const std::string bytes = serialize_model_file(m);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u) << "data buffer must start 8-byte aligned";
  auto r = parse_model_file(as_bytes(bytes));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->metadata, m.metadata);
  ASSERT_EQ(r->tensors.size(), m.tensors.size());
  for (const auto& [name, t] : m.tensors) {
    ASSERT_TRUE(r->tensors.count(name)) << name;
    EXPECT_EQ(r->tensors.at(name).shape, t.shape) << name;
    EXPECT_EQ(r->tensors.at(name).data, t.data) << name;
  }
  // Deterministic: serializing the parsed model gives the same bytes.
  EXPECT_EQ(serialize_model_file(*r), bytes);
}

TEST(ModelFile, RoundTripOnDiskAtomic) {
  testing::TempDir dir;
  const auto path = dir / "m.safetensors";
  ASSERT_TRUE(write_model_file(path, sample_model()).ok());
  auto r = read_model_file(path);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->tensors.at("conv1.bias").data, (std::vector<float>{1.0f, -2.0f}));
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1) << "no temporary file may remain";
}

TEST(ModelFile, WriteRejectsInconsistentTensor) {
  testing::TempDir dir;
  ModelFile m = sample_model();
  m.tensors["conv1.bias"].data.push_back(0.0f);
  const Status s = write_model_file(dir / "m.safetensors", m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "m.safetensors"));
}

TEST(ModelFile, ReadMissingFileIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(read_model_file(dir / "nope.safetensors").status().code(), StatusCode::kNotFound);
}

TEST(ModelFile, ReadsF16AndBF16) {
  // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 2^-24 (smallest subnormal) = 0x0001, inf = 0x7C00.
  // BF16: 1.5 = 0x3FC0, -0.5 = 0xBF00.
  const std::string data = std::string("\x00\x3C\x00\xC0\x01\x00\x00\x7C", 8) + std::string("\xC0\x3F\x00\xBF", 4);
  const std::string json =
      R"({"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}})";
  auto r = parse_model_file(as_bytes(make_raw(json, data)));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const auto& h = r->tensors.at("h").data;
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.0f);
  EXPECT_EQ(h[2], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(h[3]));
  EXPECT_EQ(r->tensors.at("b").data, (std::vector<float>{1.5f, -0.5f}));
}

TEST(ModelFile, AcceptsPaddedHeaderAndNoMetadata) {
  auto r = parse_model_file(as_bytes(make_raw(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   )",
                                              f32_bytes({2.0f}))));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->metadata.empty());
  EXPECT_EQ(r->tensors.at("t").data[0], 2.0f);
}

const std::string kOk4 = R"("dtype":"F32","shape":[1],"data_offsets":[0,4])";

TEST(ModelFileRejects, TooShort) { expect_code("abc", StatusCode::kCorruptData, "too short"); }

TEST(ModelFileRejects, HeaderLongerThanFile) {
  std::string b = make_raw(R"({"t":{)" + kOk4 + "}}", f32_bytes({1}));
  b[0] = static_cast<char>(0xF0);
  expect_code(b, StatusCode::kCorruptData, "exceeds the file");
}

TEST(ModelFileRejects, HeaderAboveLimit) {
  std::string b = make_raw("{}", "");
  const uint64_t n = kMaxModelHeaderBytes + 1;
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  expect_code(b, StatusCode::kCorruptData, "limit");
}

TEST(ModelFileRejects, HugeHeaderLength) {
  std::string b(16, '\xFF');
  expect_code(b, StatusCode::kCorruptData);
}

TEST(ModelFileRejects, NotJson) { expect_code(make_raw("{not json", ""), StatusCode::kCorruptData, "JSON"); }
TEST(ModelFileRejects, NotAnObject) { expect_code(make_raw("[1, 2]", ""), StatusCode::kCorruptData, "object"); }
TEST(ModelFileRejects, DeepNesting) {
  expect_code(make_raw("{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}", ""),
              StatusCode::kCorruptData, "deeply");
}
TEST(ModelFileRejects, EntryNotObject) { expect_code(make_raw(R"({"t":3})", ""), StatusCode::kCorruptData, "'t'"); }
TEST(ModelFileRejects, UnknownField) {
  expect_code(make_raw(R"({"t":{)" + kOk4 + R"(,"x":1}})", f32_bytes({1})), StatusCode::kCorruptData, "unknown");
}
TEST(ModelFileRejects, MissingDtype) {
  expect_code(make_raw(R"({"t":{"shape":[1],"data_offsets":[0,4]}})", f32_bytes({1})), StatusCode::kCorruptData, "dtype");
}
TEST(ModelFileRejects, UnsupportedDtype) {
  expect_code(make_raw(R"({"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", std::string(8, '\0')),
              StatusCode::kUnsupported, "I64");
}
TEST(ModelFileRejects, NegativeDimension) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "non-negative");
}
TEST(ModelFileRejects, FractionalDimension) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "non-negative");
}
TEST(ModelFileRejects, ShapeProductOverflow) {
  // 2^32 · 2^32 · 1 elements would wrap a 64-bit product to 0 without the overflow check.
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "more bytes");
}
TEST(ModelFileRejects, RankTooHigh) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "rank");
}
TEST(ModelFileRejects, ShapeDoesNotMatchSpan) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "span");
}
TEST(ModelFileRejects, OffsetsOutOfRange) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "outside");
}
TEST(ModelFileRejects, OffsetsReversed) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "outside");
}
TEST(ModelFileRejects, OffsetsNotIntegers) {
  expect_code(make_raw(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}})", f32_bytes({1})),
              StatusCode::kCorruptData, "data_offsets");
}
TEST(ModelFileRejects, OverlappingTensors) {
  expect_code(make_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       f32_bytes({1, 2})),
              StatusCode::kCorruptData, "overlaps");
}
TEST(ModelFileRejects, HoleInBuffer) {
  expect_code(make_raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1, 2})),
              StatusCode::kCorruptData, "hole");
}
TEST(ModelFileRejects, TrailingBytes) {
  expect_code(make_raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1, 2})),
              StatusCode::kCorruptData, "not described");
}
TEST(ModelFileRejects, MetadataNotObject) {
  expect_code(make_raw(R"({"__metadata__":"x"})", ""), StatusCode::kCorruptData, "__metadata__");
}
TEST(ModelFileRejects, MetadataValueNotString) {
  expect_code(make_raw(R"({"__metadata__":{"litesr.scale":4}})", ""), StatusCode::kCorruptData, "litesr.scale");
}
TEST(ModelFileRejects, EmptyName) {
  expect_code(make_raw(R"({"":{)" + kOk4 + "}}", f32_bytes({1})), StatusCode::kCorruptData, "empty");
}

// Deterministic mutation loop: bit flips, byte overwrites and truncations of a valid file must never crash
// (run under ASan/UBSan in CI); each result is either a model or a clean error.
TEST(ModelFileFuzz, MutationsNeverCrash) {
  const std::string valid = serialize_model_file(sample_model());
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string b = valid;
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0) {
      const std::size_t bit = rng() % (b.size() * 8);
      b[bit / 8] = static_cast<char>(b[bit / 8] ^ (1 << (bit % 8)));
    } else if (kind == 1) {
      for (int k = 0; k < 4; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    } else if (kind == 2) {
      b.resize(rng() % b.size());
    } else {
      const char digits[] = "0123456789-[]{}\",:. e";
      const std::size_t pos = 8 + rng() % (b.size() - 8);
      b[pos] = digits[rng() % (sizeof(digits) - 1)];
    }
    auto r = parse_model_file(as_bytes(b), "mut");
    if (r.ok()) {
      ++accepted;
      for (const auto& [name, t] : r->tensors) ASSERT_EQ(static_cast<int64_t>(t.data.size()), t.numel()) << name;
    } else {
      ASSERT_NE(r.status().code(), StatusCode::kInternal);
    }
  }
  EXPECT_GT(accepted, 0);  // flips inside float data keep the file valid
}

}  // namespace
}  // namespace litesr
