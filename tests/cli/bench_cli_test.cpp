// End-to-end tests of `litesr bench` (small inputs and few repetitions; no timed assertions).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

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
  for (const char* opt : {"--case", "--peers", "--threads", "--reps", "--warmup", "--warm-each", "--json", "--chart",
                          "--tradeoff", "--data", "elsr-x4-720p", "elsr-x4-4k", "elsr-x4-int8-720p", "elsr-x4-int8-4k",
                          "sam-sr-xlite-x4-256", "sam-sr-xlite-x4-720p", "evsrnet-x4-720p", "evsrnet-nas-x4-720p"}) {
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
  EXPECT_EQ(c["model_mode"], "single_frame");
  EXPECT_EQ(c["weights"], "shipped");
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
  EXPECT_TRUE(c["max_abs_diff_vs_litesr"]["libtorch"].is_null());  // no peer ran, nothing was checked
  EXPECT_TRUE(c["max_abs_diff_vs_litesr"]["onnxruntime"].is_null());
  EXPECT_GT(j["check_tolerance"].get<double>(), 1.0 / 255);
  EXPECT_NE(c["skipped"]["libtorch"].get<std::string>().find("--peers"), std::string::npos);
  EXPECT_GT(c["fps"].get<double>(), 0.0);
  EXPECT_GT(c["fma_peak_fraction"].get<double>(), 0.0);
  EXPECT_TRUE(c["fma_peak_fraction_cpu"].is_number());
}

// With --peers every peer either ran (a time and a speedup) or says why it was skipped; never an error.
TEST(BenchCli, PeersRunOrExplainWhyNot) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--peers", "--case", "elsr-x4-720p", "--case", "evsrnet-x4-720p", "--reps", "2",
                       "--warmup", "1", "-j1", "--input", "40x24", "--json", json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  EXPECT_EQ(j["peers"], true);
  ASSERT_EQ(j["cases"].size(), 2u);
  EXPECT_EQ(j["cases"][1]["frames"], 10);
  for (const auto& c : j["cases"]) {
    for (const char* peer : {"libtorch", "onnxruntime", "xnnpack", "onednn"}) {
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
        EXPECT_LE(c["max_abs_diff_vs_litesr"][peer].get<double>(), j["check_tolerance"].get<double>()) << peer;
      }
    }
  }
}

// --warm-each (an untimed run of each engine right before its timed one): every engine still runs or says why not,
// the protocol line and the JSON say so.
TEST(BenchCli, WarmEachTimesEveryEngineRightAfterAnUntimedRun) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--peers", "--warm-each", "--case", "evsrnet-x4-720p", "--reps", "2", "--warmup", "0",
                       "-j1", "--input", "40x24", "--json", json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("each timed run right after an untimed one of the same engine"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  EXPECT_EQ(j["warm_each"], true);
  ASSERT_EQ(j["cases"].size(), 1u);
  const auto& c = j["cases"][0];
  EXPECT_EQ(c["warm_each"], true);
  EXPECT_GT(c["ms_per_frame"]["litesr"].get<double>(), 0.0);
  for (const char* peer : {"libtorch", "onnxruntime", "xnnpack", "onednn"}) {
    if (c["ms_per_frame"][peer].is_null()) {
      EXPECT_FALSE(c["skipped"][peer].get<std::string>().empty()) << peer;
    } else {
      EXPECT_GT(c["speedup_vs_" + std::string(peer)].get<double>(), 0.0) << peer;
    }
  }
  auto plain = run_litesr({"bench", "--case", "elsr-x4-720p", "--reps", "1", "-j1", "--input", "40x24", "--json",
                           json.string(), "--progress", "none"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("right after an untimed one"), std::string::npos) << plain.out;
  EXPECT_EQ(nlohmann::json::parse(testing::read_file_bytes(json))["warm_each"], false);
}

// The in-process peers (XNNPACK's subgraph API, oneDNN primitives), when built: ELSR and the recurrent EVSRNet-NAS
// run on both and pass the equality check; SAM-SR runs on oneDNN (its bicubic skip lowered to a convolution) and is
// skipped by XNNPACK, naming the op it cannot express.
TEST(BenchCli, InProcessPeersRunOrNameTheOpTheyLack) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--peers", "--case", "elsr-x4-720p", "--case", "evsrnet-nas-x4-720p", "--case",
                       "sam-sr-xlite-x4-256", "--reps", "1", "--warmup", "0", "-j2", "--input", "24x16", "--json",
                       json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  ASSERT_EQ(j["cases"].size(), 3u);
  bool any = false;
  for (const char* peer : {"xnnpack", "onednn"}) {
    ASSERT_TRUE(j["engines"].contains(peer)) << j["engines"].dump();
    const bool built = j["engines"][peer]["compiled_in"].get<bool>();
    for (const auto& c : j["cases"]) {
      const std::string name = c["name"].get<std::string>();
      EXPECT_TRUE(c.contains(std::string("speedup_vs_") + peer)) << name;
      EXPECT_TRUE(c.contains(std::string("cpu_speedup_vs_") + peer)) << name;
      if (!built) {
        EXPECT_NE(c["skipped"][peer].get<std::string>().find("not compiled in"), std::string::npos) << c.dump();
      } else if (name.starts_with("sam-sr") && std::string(peer) == "xnnpack") {
        EXPECT_TRUE(c["ms_per_frame"][peer].is_null()) << c.dump();
        EXPECT_NE(c["skipped"][peer].get<std::string>().find("bicubic_upsample"), std::string::npos) << c.dump();
      } else {
        EXPECT_FALSE(c["skipped"].contains(peer)) << c.dump();
        EXPECT_GT(c["ms_per_frame"][peer].get<double>(), 0.0) << name;
        EXPECT_GT(c["cpu_ms_per_frame"][peer].get<double>(), 0.0) << name;
        EXPECT_GT(c[std::string("speedup_vs_") + peer].get<double>(), 0.0) << name;
        EXPECT_LE(c["max_abs_diff_vs_litesr"][peer].get<double>(), j["check_tolerance"].get<double>()) << name;
      }
    }
    if (built) {
      any = true;
      EXPECT_FALSE(j["engines"][peer]["version"].get<std::string>().empty());
      EXPECT_FALSE(j["engines"][peer]["api"].get<std::string>().empty());
      EXPECT_NE(r.out.find(std::string(peer) + " = "), std::string::npos) << r.out;  // how it ran
    }
  }
  if (!any) GTEST_SKIP() << "neither XNNPACK nor oneDNN was found at configure time";
}

// The shipped recurrent video model, as it ships: a MultiFrameSession on the fused band executor, one 10-frame
// window per run, reported per frame; MACs are one recurrent step's.
TEST(BenchCli, RecurrentEvsrnetCaseTimesTheShippedModelPerFrame) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--case", "evsrnet-x4-720p", "--input", "32x24", "--reps", "1", "--warmup", "0", "-j",
                       "1", "--json", json.string(), "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("32x24x10"), std::string::npos) << r.out;  // the input column: frames per run
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  ASSERT_EQ(j["cases"].size(), 1u);
  const auto& c = j["cases"][0];
  EXPECT_EQ(c["name"], "evsrnet-x4-720p");
  EXPECT_EQ(c["model"], "evsrnet-x4");
  EXPECT_EQ(c["weights"], "shipped");
  EXPECT_EQ(c["model_mode"], "recurrent");
  EXPECT_EQ(c["litesr_path"], "fused_bands");
  EXPECT_EQ(c["frames"], 10);
  EXPECT_EQ(c["output_width"], 128);
  EXPECT_EQ(c["output_height"], 96);
  // One step of EVSRNet x4 (nc 8, nb 5) per LR pixel: head (6 + 8 + 48) -> 8, 10 body convs, hidden, tail 8 -> 48.
  EXPECT_EQ(c["macs_per_frame"].get<int64_t>(), int64_t{32} * 24 * 9 * (62 * 8 + 10 * 8 * 8 + 8 * 8 + 8 * 48));
  EXPECT_GT(c["ms_per_frame"]["litesr"].get<double>(), 0.0);
}

// Default cases: shipped models only, in the mode they ship (no frame-parallel EVSRNet, no random weights).
TEST(BenchCli, DefaultCasesAreTheShippedModels) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  auto r = run_litesr({"bench", "--input", "16x12", "--reps", "1", "--warmup", "0", "-j", "1", "--json", json.string(),
                       "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  const std::vector<std::pair<std::string, std::string>> want = {
      {"elsr-x4-720p", "single_frame"},        {"elsr-x4-4k", "single_frame"},
      {"elsr-x4-int8-720p", "single_frame"},   {"elsr-x4-int8-4k", "single_frame"},
      {"sam-sr-xlite-x4-256", "single_frame"}, {"sam-sr-xlite-x4-720p", "single_frame"},
      {"evsrnet-x4-720p", "recurrent"},        {"evsrnet-nas-x4-720p", "recurrent"}};
  ASSERT_EQ(j["cases"].size(), want.size()) << j.dump();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& c = j["cases"][i];
    EXPECT_EQ(c["name"], want[i].first);
    EXPECT_EQ(c["model_mode"], want[i].second) << want[i].first;
    EXPECT_EQ(c["weights"], "shipped") << want[i].first;
    EXPECT_NE(c["litesr_path"], "reference") << want[i].first;
    if (want[i].first.find("int8") != std::string::npos) {
      EXPECT_EQ(c["litesr_path"], "int8_bands") << want[i].first;
    } else if (want[i].first.rfind("sam-sr", 0) != 0) {
      EXPECT_EQ(c["litesr_path"], "fused_bands") << want[i].first;
    }
  }
}

// --peers on the recurrent case: LibTorch (when compiled in) runs the same recurrent step, state fed back, and
// its output passed the equality check against LiteSR's.
TEST(BenchCli, LibTorchPeerRunsTheRecurrentStep) {
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  ::setenv("LITESR_TOOLS_DIR", (tmp / "no-tools").c_str(), 1);  // ONNX Runtime: its own test below
  auto r = run_litesr({"bench", "--peers", "--case", "evsrnet-x4-720p", "--input", "24x16", "--reps", "1", "--warmup",
                       "0", "-j", "1", "--json", json.string(), "--progress", "none"});
  ::unsetenv("LITESR_TOOLS_DIR");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  if (!j["engines"]["libtorch"]["compiled_in"].get<bool>()) GTEST_SKIP() << "LibTorch is not compiled in";
  const auto& c = j["cases"][0];
  EXPECT_FALSE(c["skipped"].contains("libtorch")) << c.dump();
  EXPECT_GT(c["ms_per_frame"]["libtorch"].get<double>(), 0.0) << c.dump();
  EXPECT_LE(c["max_abs_diff_vs_litesr"]["libtorch"].get<double>(), j["check_tolerance"].get<double>());
}

// The same for ONNX Runtime (the exported step in ort_bench.js's recurrent mode), when node and
// tools/node_modules/onnxruntime-node are installed.
TEST(BenchCli, OnnxRuntimePeerRunsTheRecurrentStep) {
  const fs::path tools = testing::source_dir() / "tools";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
  if (!fs::exists(tools / "node_modules" / "onnxruntime-node" / "package.json")) {
    GTEST_SKIP() << "onnxruntime-node is not installed in " << tools << " (cd tools && npm ci)";
  }
  testing::TempDir tmp;
  const fs::path json = tmp / "bench.json";
  ::setenv("LITESR_TOOLS_DIR", tools.c_str(), 1);
  auto r = run_litesr({"bench", "--peers", "--case", "evsrnet-nas-x4-720p", "--input", "24x16", "--reps", "1",
                       "--warmup", "0", "-j", "1", "--json", json.string(), "--progress", "none"});
  ::unsetenv("LITESR_TOOLS_DIR");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  if (!j["engines"]["onnxruntime"]["compiled_in"].get<bool>()) GTEST_SKIP() << "ONNX export is not compiled in";
  const auto& c = j["cases"][0];
  EXPECT_EQ(c["model_mode"], "recurrent");
  EXPECT_FALSE(c["skipped"].contains("onnxruntime")) << c.dump();
  EXPECT_GT(c["ms_per_frame"]["onnxruntime"].get<double>(), 0.0) << c.dump();
  EXPECT_LE(c["max_abs_diff_vs_litesr"]["onnxruntime"].get<double>(), j["check_tolerance"].get<double>());
}

// The equality check: a peer whose output is not LiteSR's (here ort_bench.js patched to scale its checked output
// by 0.98) is skipped with the difference, and the case still succeeds.
TEST(BenchCli, PeerWithADifferentOutputIsSkipped) {
  const fs::path tools = testing::source_dir() / "tools";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not on PATH";
  if (!fs::exists(tools / "node_modules" / "onnxruntime-node" / "package.json")) {
    GTEST_SKIP() << "onnxruntime-node is not installed in " << tools << " (cd tools && npm ci)";
  }
  testing::TempDir tmp;
  fs::create_directories(tmp / "tools");
  for (const auto& entry : fs::directory_iterator(tools)) {  // the script's modules and node_modules beside it
    if (entry.path().filename() != "ort_bench.js")
      fs::create_symlink(entry.path(), tmp / "tools" / entry.path().filename());
  }
  std::string script = testing::read_file_bytes(tools / "ort_bench.js");
  const std::string dumped = "Float32Array.from(out.data)";
  const std::size_t at = script.find(dumped);
  ASSERT_NE(at, std::string::npos) << "ort_bench.js no longer dumps " << dumped;
  script.replace(at, dumped.size(), "Float32Array.from(out.data, (v) => v * 0.98)");
  testing::write_file_bytes(tmp / "tools" / "ort_bench.js", script);
  const fs::path json = tmp / "bench.json";
  ::setenv("LITESR_TOOLS_DIR", (tmp / "tools").c_str(), 1);
  auto r = run_litesr({"bench", "--peers", "--case", "evsrnet-x4-720p", "--input", "24x16", "--reps", "1", "--warmup",
                       "0", "-j", "1", "--json", json.string(), "--progress", "none"});
  ::unsetenv("LITESR_TOOLS_DIR");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(testing::read_file_bytes(json));
  if (!j["engines"]["onnxruntime"]["compiled_in"].get<bool>()) GTEST_SKIP() << "ONNX export is not compiled in";
  const auto& c = j["cases"][0];
  EXPECT_TRUE(c["ms_per_frame"]["onnxruntime"].is_null()) << c.dump();
  EXPECT_GT(c["max_abs_diff_vs_litesr"]["onnxruntime"].get<double>(), j["check_tolerance"].get<double>());
  const std::string why = c["skipped"]["onnxruntime"].get<std::string>();
  EXPECT_NE(why.find("differs from LiteSR's"), std::string::npos) << why;
  EXPECT_NE(why.find("of the window"), std::string::npos) << why;  // which frame
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
