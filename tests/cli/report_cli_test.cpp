// `litesr compare` and `litesr eval --report`: the HTML report opened in headless Chromium shows exactly the numbers
// `--json` writes, and its zoom, pan, slider and sorting respond to scripted input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/image_ops.h"
#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/browser_check.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_litesr;

Image textured(int w, int h, int seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool block = ((x + seed) / 9 + (y + 2 * seed) / 6) % 2 == 0;
      for (int c = 0; c < 3; ++c) {
        double v = 128 + 60 * std::sin(0.11 * x + c + seed) * std::cos(0.08 * y + seed) +
                   (block && x > w / 3 ? 30 : 0) +
                   static_cast<double>((static_cast<unsigned>(x) * 2654435761u + static_cast<unsigned>(y) * 40503u +
                                        static_cast<unsigned>(c)) %
                                       9) -
                   4;
        img.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
      }
    }
  }
  return img;
}

void make_report_dataset(const fs::path& dir) {
  fs::create_directories(dir / "HR");
  ASSERT_TRUE(write_image(dir / "HR" / "alpha.png", textured(128, 96, 1)).ok());
  ASSERT_TRUE(write_image(dir / "HR" / "beta.png", textured(100, 84, 2)).ok());
  ASSERT_TRUE(write_image(dir / "HR" / "gamma.png", extract_channels(textured(96, 96, 3), 0, 1).value()).ok());
}

// A number as the page shows it equals the JSON's: the exact value in data-value (null = not finite), and the
// text is that value to the table's decimals.
void expect_cell_equals(const json& cell, const json& value, const std::string& where) {
  const std::string shown = cell["value"].get<std::string>();
  if (value.is_null()) {
    EXPECT_EQ(shown, "Infinity") << where;
    return;
  }
  const double v = value.get<double>();
  EXPECT_EQ(std::strtod(shown.c_str(), nullptr), v) << where;
  const std::string metric = cell["metric"].get<std::string>();
  const int decimals = metric.rfind("psnr", 0) == 0 ? 2 : 4;
  const std::string text = cell["text"].get<std::string>();
  ASSERT_EQ(text.size() - text.find('.') - 1, static_cast<std::size_t>(decimals)) << where << ": " << text;
  EXPECT_NEAR(std::strtod(text.c_str(), nullptr), v, 0.5 * std::pow(10.0, -decimals) + 1e-12) << where;
}

// Every score cell of the page against `runs_of(set)` (JSON eval runs, one per column); returns the count checked.
template <typename RunsOf>
int check_score_cells(const json& observed, RunsOf runs_of, const std::vector<std::string>& set_labels) {
  int checked = 0;
  // Winners are the row's best (ties: all): group cells by table and row.
  std::map<std::string, std::vector<json>> rows;
  for (const json& cell : observed["cells"]) {
    const std::string set = cell["set"].get<std::string>(), metric = cell["metric"].get<std::string>();
    const std::string row = cell["row"].get<std::string>();
    const int col = cell["col"].get<int>();
    json value;
    if (set == "summary") {
      const auto it = std::find(set_labels.begin(), set_labels.end(), row);
      EXPECT_NE(it, set_labels.end()) << row;
      if (it == set_labels.end()) continue;
      value = runs_of(static_cast<int>(it - set_labels.begin()))[col]["mean"][metric];
    } else {
      const json runs = runs_of(std::stoi(set));
      const json& run = runs[col];
      if (row == "mean" && cell["section"] == "tfoot") {
        value = run["mean"][metric];
      } else {
        const auto& images = run["images"];
        auto im = std::find_if(images.begin(), images.end(), [&](const json& e) { return e["name"] == row; });
        EXPECT_NE(im, images.end()) << row;
        if (im == images.end()) continue;
        value = (*im)[metric];
      }
      EXPECT_EQ(cell["column"], run["method"]);
    }
    expect_cell_equals(cell, value, cell["table"].get<std::string>() + "/" + row + "/" + std::to_string(col));
    rows[cell["table"].get<std::string>() + "|" + row].push_back(cell);
    ++checked;
  }
  for (const auto& [key, cells] : rows) {
    if (cells.size() < 2) continue;
    double best = -INFINITY;
    for (const json& c : cells) best = std::max(best, std::strtod(c["value"].get<std::string>().c_str(), nullptr));
    for (const json& c : cells) {
      EXPECT_EQ(c["win"].get<bool>(), std::strtod(c["value"].get<std::string>().c_str(), nullptr) == best) << key;
    }
  }
  return checked;
}

void expect_sorted(const json& sort) {
  ASSERT_TRUE(sort.is_object());
  auto values = [](const json& state) {
    std::vector<double> v;
    for (const json& r : state["rows"]) v.push_back(std::strtod(r["value"].get<std::string>().c_str(), nullptr));
    return v;
  };
  const std::vector<double> first = values(sort["first_click"]), second = values(sort["second_click"]);
  EXPECT_TRUE(std::is_sorted(first.rbegin(), first.rend())) << sort.dump();  // best first
  EXPECT_TRUE(std::is_sorted(second.begin(), second.end())) << sort.dump();
  EXPECT_EQ(sort["first_click"]["aria"], "descending");
  EXPECT_EQ(sort["second_click"]["aria"], "ascending");
  EXPECT_GE(first.size(), 2u);
}

TEST(CompareCli, Help) {
  auto r = run_litesr({"compare", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt :
       {"--model", "--input", "--report", "--json", "--hr", "--crop", "--regions", "--full-images", "--time-runs"}) {
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
  }
  r = run_litesr({"eval", "--help"});
  EXPECT_NE(r.out.find("--report"), std::string::npos);
}

TEST(CompareCli, Errors) {
  testing::TempDir tmp;
  make_report_dataset(tmp / "Mini");
  const std::string mini = (tmp / "Mini").string();
  struct Case {
    std::vector<std::string> args;
    int code;
    const char* message;
  };
  const Case cases[] = {
      {{"compare", "-i", mini}, 2, "model"},
      {{"compare", "-n", "elsr-x4"}, 2, "-i/--input"},
      {{"compare", "-n", "magic-x4", "-i", mini}, 2, "no built-in model 'magic-x4'"},
      {{"compare", "-n", "elsr-x2", "-n", "elsr-x4", "-i", mini}, 2, "one scale"},
      {{"compare", "-n", "elsr-x4", "-s", "2", "-i", mini}, 2, "x4"},
      {{"compare", "-n", "elsr-x4", "-i", mini, "--regions", "0"}, 2, "--regions"},
      {{"compare", "-n", "elsr-x4", "-i", mini, "--crop", "2"}, 2, "--crop"},
      {{"compare", "-n", "elsr-x4", "-i", (tmp / "missing").string()}, 1, "does not exist"},
      {{"eval", "-n", "elsr-x4", "-d", mini, "-s", "4", "--report", (tmp / "r.html").string(), "--regions", "9"},
       2,
       "--regions"},
  };
  for (const Case& c : cases) {
    auto r = run_litesr(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, c.code) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\nstderr: " << r.err;
  }
}

TEST(CompareCli, ReportShowsTheJsonNumbersAndResponds) {
  testing::TempDir tmp;
  make_report_dataset(tmp / "Mini");
  const fs::path html = tmp / "report with space.html", json_path = tmp / "r.json";
  auto r =
      run_litesr({"compare", "-n", "elsr-x4", "-n", "sam-sr-xlite-x4", "-i", (tmp / "Mini").string(), "--report",
                  html.string(), "--json", json_path.string(), "--time-runs", "2", "-j", "1", "--progress", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sam-sr-xlite-x4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("report: "), std::string::npos) << r.out;
  const json j = json::parse(testing::read_file_bytes(json_path));
  EXPECT_EQ(j["methods"], json({"bicubic", "elsr-x4", "sam-sr-xlite-x4"}));
  ASSERT_EQ(j["sets"].size(), 1u);
  ASSERT_EQ(j["sets"][0]["runs"].size(), 3u);
  EXPECT_EQ(j["sets"][0]["images"], json({"alpha", "beta", "gamma"}));
  EXPECT_EQ(j["models"][1]["params"], 3474);
  EXPECT_EQ(j["models"][1]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["models"][2]["timing"]["timed_runs"], 2);
  EXPECT_NE(j["command"].get<std::string>().find("'" + html.string() + "'"), std::string::npos) << j["command"];
  const std::string page = testing::read_file_bytes(html);
  EXPECT_EQ(page.find("https://"), std::string::npos);

  LITESR_REQUIRE_BROWSER();
  auto observed = testing::check_report_in_browser(html, "compare_report.png");
  ASSERT_TRUE(observed.ok()) << observed.status().to_string();
  const json& o = *observed;
  testing::expect_report_works(o, /*interactive=*/true);
  EXPECT_EQ(o["panels"], 3);
  EXPECT_EQ(o["command"], j["command"]);
  // 4 metrics x (3 images + mean) x 3 methods, and the summary's 4 x 1 x 3.
  const int checked = check_score_cells(o, [&](int set) { return j["sets"][set]["runs"]; }, {"Mini \u00d74"});
  EXPECT_EQ(checked, 4 * 4 * 3 + 4 * 3);
  // The models table: the JSON's parameters, MACs, time and hash.
  ASSERT_EQ(o["model_cells"].size(), j["models"].size());
  for (std::size_t i = 0; i < j["models"].size(); ++i) {
    const json& cell = o["model_cells"][i];
    const json& m = j["models"][i];
    EXPECT_EQ(cell["name"], m["name"]);
    EXPECT_EQ(std::stoll(cell["params"].get<std::string>()), m["params"].get<int64_t>());
    EXPECT_EQ(std::stoll(cell["macs_720p"].get<std::string>()), m["macs_720p"].get<int64_t>());
    EXPECT_EQ(std::strtod(cell["ms_per_frame_720p"].get<std::string>().c_str(), nullptr),
              m["ms_per_frame_720p"].get<double>());
    if (!m["sha256"].get<std::string>().empty()) {
      EXPECT_EQ(cell["sha256"], m["sha256"]);
    }
  }
  expect_sorted(o["sort"]);
  EXPECT_EQ(o["charts"].size(), 3u);  // PSNR vs MACs, vs ms, gain over bicubic
}

TEST(CompareCli, ImagesWithoutGroundTruth) {
  testing::TempDir tmp;
  fs::create_directories(tmp / "photos");
  ASSERT_TRUE(write_image(tmp / "photos" / "one.png", textured(40, 30, 1)).ok());
  ASSERT_TRUE(write_image(tmp / "photos" / "two.jpg", textured(36, 36, 2)).ok());
  auto r = run_litesr({"compare", "-n", "elsr-x4", "-i", (tmp / "photos").string(), "--report",
                       (tmp / "p.html").string(), "--json", (tmp / "p.json").string(), "--time-runs", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no ground truth"), std::string::npos) << r.out;
  const json j = json::parse(testing::read_file_bytes(tmp / "p.json"));
  EXPECT_FALSE(j["sets"][0]["has_hr"].get<bool>());
  EXPECT_TRUE(j["sets"][0]["runs"].empty());
  EXPECT_TRUE(j["models"][1]["ms_per_frame_720p"].is_null());
  const std::string page = testing::read_file_bytes(tmp / "p.html");
  EXPECT_NE(page.find("no ground truth, so no scores"), std::string::npos);
  EXPECT_EQ(page.find("class=\"sortable scores\""), std::string::npos);
  EXPECT_NE(page.find("data-panel=\"1\""), std::string::npos);
  EXPECT_NE(page.find("Models were not timed"), std::string::npos);
  // --hr: the same images as ground truth are scored.
  r = run_litesr({"compare", "-n", "elsr-x4", "-i", (tmp / "photos").string(), "--hr", "-s", "2", "--json",
                  (tmp / "h.json").string(), "-n", "elsr-x2"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // elsr-x4 cannot run x2
  r = run_litesr({"compare", "-n", "elsr-x2", "-i", (tmp / "photos").string(), "--hr", "--json",
                  (tmp / "h.json").string(), "--time-runs", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json h = json::parse(testing::read_file_bytes(tmp / "h.json"));
  EXPECT_TRUE(h["sets"][0]["has_hr"].get<bool>());
  EXPECT_EQ(h["sets"][0]["scale"], 2);
  EXPECT_EQ(h["sets"][0]["runs"][1]["images"].size(), 2u);
}

TEST(EvalCli, ReportShowsTheJsonNumbers) {
  testing::TempDir tmp;
  make_report_dataset(tmp / "Mini");
  const std::string mini = (tmp / "Mini").string();
  // The same evaluation without and with --report: identical scores.
  auto plain = run_litesr({"eval", "-n", "elsr-x4", "-d", mini, "-s", "4", "--json", (tmp / "plain.json").string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto r = run_litesr({"eval", "-n", "elsr-x4", "-d", mini, "-s", "4", "--json", (tmp / "e.json").string(), "--report",
                       (tmp / "e.html").string(), "--time-runs", "1", "--save", (tmp / "sr").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json a = json::parse(testing::read_file_bytes(tmp / "plain.json"));
  const json e = json::parse(testing::read_file_bytes(tmp / "e.json"));
  EXPECT_EQ(e["method"], "elsr-x4");
  ASSERT_EQ(e["images"].size(), a["images"].size());
  for (const char* k : {"psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb"}) {
    EXPECT_EQ(e["mean"][k], a["mean"][k]) << k;
    for (std::size_t i = 0; i < e["images"].size(); ++i) EXPECT_EQ(e["images"][i][k], a["images"][i][k]) << k;
  }
  EXPECT_TRUE(fs::exists(tmp / "sr" / "Mini" / "x4" / "beta.png"));  // --save still saves the method's outputs
  // The table printed is the usual one.
  EXPECT_NE(r.out.find("PSNR-Y"), std::string::npos);

  LITESR_REQUIRE_BROWSER();
  auto observed = testing::check_report_in_browser(tmp / "e.html", "eval_report.png");
  ASSERT_TRUE(observed.ok()) << observed.status().to_string();
  const json& o = *observed;
  testing::expect_report_works(o, /*interactive=*/true);
  // The method's column shows eval --json's numbers; bicubic's column is checked against its own run below.
  int checked = 0;
  for (const json& cell : o["cells"]) {
    if (cell["column"] != "elsr-x4") continue;
    const std::string row = cell["row"], metric = cell["metric"];
    json value;
    if (cell["set"] == "summary" || (row == "mean" && cell["section"] == "tfoot")) {
      value = e["mean"][metric];
    } else {
      for (const json& im : e["images"]) {
        if (im["name"] == row) value = im[metric];
      }
    }
    expect_cell_equals(cell, value, row + "/" + metric);
    ++checked;
  }
  EXPECT_EQ(checked, 4 * 4 + 4);
  auto bic = run_litesr({"eval", "--method", "bicubic", "-d", mini, "-s", "4", "--json", (tmp / "b.json").string()});
  ASSERT_EQ(bic.exit_code, 0) << bic.err;
  const json b = json::parse(testing::read_file_bytes(tmp / "b.json"));
  for (const json& cell : o["cells"]) {
    if (cell["column"] != "bicubic" || cell["set"] == "summary" || cell["section"] == "tfoot") continue;
    for (const json& im : b["images"]) {
      if (im["name"] == cell["row"]) expect_cell_equals(cell, im[cell["metric"].get<std::string>()], "bicubic");
    }
  }
}

// Real data: compare's numbers are eval's, image for image (skips without ../shared/data).
TEST(CompareCli, Set5MatchesEval) {
  LITESR_REQUIRE_SHARED_DATA(data);
  testing::TempDir tmp;
  const std::string set5 = (data / "sr_benchmark" / "Set5").string();
  auto r =
      run_litesr({"compare", "-n", "elsr-x4", "-i", set5, "--json", (tmp / "c.json").string(), "--time-runs", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto e = run_litesr({"eval", "-n", "elsr-x4", "-d", set5, "-s", "4", "--json", (tmp / "e.json").string()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const json c = json::parse(testing::read_file_bytes(tmp / "c.json"));
  const json ev = json::parse(testing::read_file_bytes(tmp / "e.json"));
  const json& run = c["sets"][0]["runs"][1];
  EXPECT_EQ(run["images"], ev["images"]);
  EXPECT_EQ(run["mean"], ev["mean"]);
  EXPECT_NEAR(c["sets"][0]["runs"][0]["mean"]["psnr_y"].get<double>(), 28.43, 0.01);  // bicubic, README
  EXPECT_NEAR(run["mean"]["psnr_y"].get<double>(), 29.73, 0.01);                      // elsr-x4, README
}

}  // namespace
}  // namespace litesr
