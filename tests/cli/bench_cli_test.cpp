// End-to-end tests of `litesr bench` (small inputs and few repetitions; no timed assertions).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;

bool well_formed_svg(const std::string& svg) {
  return svg.rfind("<svg", 0) == 0 && svg.find("</svg>\n") == svg.size() - 7;
}

TEST(BenchCli, Help) {
  auto r = run_litesr({"bench", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--case", "--peers", "--threads", "--reps", "--warmup", "--json", "--chart", "--tradeoff",
                          "--data", "elsr-x4-720p", "elsr-x4-4k", "sam-sr-xlite-x4-256", "evsrnet-x4-10f"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
}

TEST(BenchCli, JsonHasTheDocumentedKeys) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--case", "sam-sr-xlite-x4-256", "--reps", "2", "--warmup", "1", "-j1", "--input",
                       "48x40", "--json", json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sam-sr-xlite-x4-256"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["reps"], 2);
  EXPECT_EQ(j["warmup"], 1);
  EXPECT_EQ(j["peers"], false);
  EXPECT_TRUE(j["machine"]["cpu_model"].is_string());
  EXPECT_FALSE(j["machine"]["isa"].get<std::string>().empty());
  EXPECT_GT(j["fma_peak_gflops"].get<double>(), 0.0);
  EXPECT_TRUE(j["tradeoff"].is_null());
  ASSERT_EQ(j["cases"].size(), 1u);
  const auto& c = j["cases"][0];
  EXPECT_EQ(c["name"], "sam-sr-xlite-x4-256");
  EXPECT_EQ(c["input_width"], 48);
  EXPECT_EQ(c["input_height"], 40);
  EXPECT_EQ(c["output_width"], 192);
  EXPECT_EQ(c["frames"], 1);
  EXPECT_EQ(c["threads"], 1);
  EXPECT_EQ(c["reps"], 2);
  EXPECT_GT(c["macs_per_frame"].get<int64_t>(), 0);
  for (const char* e : {"litesr", "libtorch", "onnxruntime"}) {
    EXPECT_TRUE(c["ms_per_frame"].contains(e)) << e;  // stable keys: null when the engine did not run
    EXPECT_TRUE(c["cpu_ms_per_frame"].contains(e)) << e;
  }
  EXPECT_GT(c["ms_per_frame"]["litesr"].get<double>(), 0.0);
  EXPECT_TRUE(c["ms_per_frame"]["libtorch"].is_null());
  EXPECT_TRUE(c["ms_per_frame"]["onnxruntime"].is_null());
  EXPECT_TRUE(c["speedup_vs_libtorch"].is_null());
  EXPECT_TRUE(c["speedup_vs_onnxruntime"].is_null());
  EXPECT_NE(c["skipped"]["libtorch"].get<std::string>().find("--peers"), std::string::npos);
  EXPECT_GT(c["fps"].get<double>(), 0.0);
  EXPECT_GT(c["fma_peak_fraction"].get<double>(), 0.0);
  EXPECT_TRUE(c["fma_peak_fraction_cpu"].is_number());
}

// With --peers every peer either ran (a time and a speedup) or says why it was skipped; never an error.
TEST(BenchCli, PeersRunOrExplainWhyNot) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--peers", "--case", "elsr-x4-720p", "--case", "evsrnet-x4-10f", "--reps", "2",
                       "--warmup", "1", "-j1", "--input", "40x24", "--json", json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  EXPECT_EQ(j["peers"], true);
  ASSERT_EQ(j["cases"].size(), 2u);
  EXPECT_EQ(j["cases"][1]["frames"], 10);
  for (const auto& c : j["cases"]) {
    for (const char* peer : {"libtorch", "onnxruntime"}) {
      const auto& ms = c["ms_per_frame"][peer];
      const std::string speedup = std::string("speedup_vs_") + peer;
      if (ms.is_null()) {
        ASSERT_TRUE(c["skipped"].contains(peer)) << c.dump();
        EXPECT_FALSE(c["skipped"][peer].get<std::string>().empty());
        EXPECT_NE(r.out.find(std::string(peer) + ": "), std::string::npos) << r.out;  // the footnote
        EXPECT_TRUE(c[speedup].is_null());
      } else {
        EXPECT_GT(ms.get<double>(), 0.0) << peer;
        EXPECT_GT(c[speedup].get<double>(), 0.0) << peer;
        EXPECT_FALSE(c["skipped"].contains(peer)) << c.dump();
      }
    }
  }
}

// A tools folder without ort_bench.js / onnxruntime-node: the ONNX Runtime column is skipped with the reason.
TEST(BenchCli, MissingOnnxRuntimeIsSkippedWithItsReason) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  ::setenv("LITESR_TOOLS_DIR", (tmp / "no-tools").c_str(), 1);
  auto r = run_litesr({"bench", "--peers", "--case", "elsr-x4-720p", "--reps", "1", "--warmup", "0", "-j1", "--input",
                       "16x16", "--json", json.string(), "--progress", "none"});
  ::unsetenv("LITESR_TOOLS_DIR");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  const auto& c = j["cases"][0];
  EXPECT_TRUE(c["ms_per_frame"]["onnxruntime"].is_null());
  const std::string why = c["skipped"]["onnxruntime"].get<std::string>();
  EXPECT_TRUE(why.find("not found") != std::string::npos || why.find("not compiled in") != std::string::npos) << why;
  EXPECT_NE(r.out.find("onnxruntime: " + why), std::string::npos) << r.out;
}

TEST(BenchCli, ChartIsAnSvgWithTheCaseNames) {
  testing::TempDir tmp;
  const fs::path svg = tmp / "chart.svg";
  auto r = run_litesr({"bench", "--case", "elsr-x4-720p", "--case", "elsr-x4-4k", "--reps", "1", "--warmup", "0", "-j1",
                       "--input", "32x16", "--chart", svg.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = testing::read_file_bytes(svg);
  EXPECT_TRUE(well_formed_svg(text)) << text.substr(0, 200);
  EXPECT_NE(text.find("elsr-x4-720p"), std::string::npos);
  EXPECT_NE(text.find("elsr-x4-4k"), std::string::npos);
  EXPECT_NE(text.find(">litesr<"), std::string::npos);  // legend
}

TEST(BenchCli, TradeoffOnATinyDataset) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "Tiny" / "HR");
  Image hr = Image::create(48, 40, 3, PixelType::kU8).value();
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 48; ++x)
      for (int c = 0; c < 3; ++c)
        hr.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(128 + 100 * std::sin(0.3 * x + c) * std::cos(0.2 * y));
  ASSERT_TRUE(write_image(tmp / "Tiny" / "HR" / "a.png", hr).ok());
  const fs::path svg = tmp / "tradeoff.svg", json = tmp / "b.json";
  auto r = run_litesr({"bench", "--case", "elsr-x4-720p", "--reps", "1", "--warmup", "0", "-j1", "--input", "16x16",
                       "--tradeoff", svg.string(), "--data", (tmp / "Tiny").string(), "--json", json.string(),
                       "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = testing::read_file_bytes(svg);
  EXPECT_TRUE(well_formed_svg(text)) << text.substr(0, 200);
  EXPECT_NE(text.find(">bicubic<"), std::string::npos);
  EXPECT_NE(text.find("PSNR-Y"), std::string::npos);
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  EXPECT_EQ(j["tradeoff"]["dataset"], "Tiny");
  ASSERT_GE(j["tradeoff"]["models"].size(), 1u);
  for (const auto& m : j["tradeoff"]["models"]) {
    EXPECT_GT(m["psnr_y"].get<double>(), 10.0) << m.dump();
    EXPECT_EQ(m["images"], 1);
    EXPECT_TRUE(m["macs_720p"].is_number_integer());
    EXPECT_NE(text.find(">" + m["name"].get<std::string>() + "<"), std::string::npos) << m["name"];
  }
  EXPECT_EQ(j["tradeoff"]["models"][0]["name"], "bicubic");
  EXPECT_EQ(j["tradeoff"]["models"][0]["macs_720p"], 0);
}

TEST(BenchCli, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const Case cases[] = {
      {{"bench", "--case", "nope"}, "unknown --case 'nope' (cases: elsr-x4-720p, elsr-x4-4k"},
      {{"bench", "--reps", "0"}, "--reps"},
      {{"bench", "--warmup", "-1"}, "--warmup"},
      {{"bench", "--input", "7"}, "--input"},
      {{"bench", "--tradeoff", "x.svg"}, "--data"},
      {{"bench", "-n", "no-such-model"}, "no-such-model"},
  };
  for (const Case& c : cases) {
    auto r = run_litesr(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\nstderr: " << r.err;
  }
}

}  // namespace
}  // namespace litesr
