#include "testing/browser_check.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <system_error>
#include <vector>

namespace litesr::testing {
namespace {

namespace fs = std::filesystem;

std::string quote(const fs::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

fs::path find_on_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  std::string_view rest = path;
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const fs::path candidate = fs::path(std::string(dir)) / std::string(name);
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

}  // namespace

fs::path chromium_path() {
  if (const char* env = std::getenv("LITESR_CHROMIUM"); env != nullptr && *env != '\0') {
    return ::access(env, X_OK) == 0 ? fs::path(env) : fs::path();
  }
  for (const char* name : {"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}) {
    fs::path p = find_on_path(name);
    if (!p.empty()) return p;
  }
  return {};
}

std::string browser_unavailable_reason() {
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    return "node not found: skipping the browser check of the HTML report (scripts/install-deps.sh installs it)";
  }
  if (!fs::exists(source_dir() / "tools" / "node_modules" / "puppeteer-core" / "package.json")) {
    return "puppeteer-core not installed: skipping the browser check of the HTML report (cd tools && npm ci, or "
           "scripts/install-deps.sh)";
  }
  if (chromium_path().empty()) {
    return "Chromium not found (apt-get install chromium, or set LITESR_CHROMIUM): skipping the browser check of "
           "the HTML report";
  }
  return "";
}

fs::path test_artifact_path(const std::string& name) {
  fs::path dir;
  if (const char* env = std::getenv("LITESR_TEST_ARTIFACTS"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = LITESR_TEST_ARTIFACTS_DIR;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  return dir / name;
}

Result<nlohmann::json> check_report_in_browser(const fs::path& html, const std::string& screenshot_name) {
  TempDir tmp;
  const fs::path out = tmp / "observed.json", err = tmp / "stderr.txt";
  const fs::path shot = test_artifact_path(screenshot_name);
  std::error_code ec;
  fs::remove(shot, ec);
  const std::string cmd = "node " + quote(source_dir() / "tools" / "report_check.js") + " " + quote(html) +
                          " --browser " + quote(chromium_path()) + " --screenshot " + quote(shot) + " > " + quote(out) +
                          " 2> " + quote(err);
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3) return unsupported("the browser did not start: " + read_file_bytes(err));
  if (code != 0) {
    return internal_error("report_check.js failed (exit " + std::to_string(code) + "): " + read_file_bytes(err));
  }
  nlohmann::json j = nlohmann::json::parse(read_file_bytes(out), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return internal_error("report_check.js printed no JSON: " + read_file_bytes(out) + read_file_bytes(err));
  }
  return j;
}

void expect_report_works(const nlohmann::json& o, bool interactive) {
  EXPECT_EQ(o["ready"], "1") << "the page script did not finish: " << o.dump().substr(0, 2000);
  EXPECT_TRUE(o["console_errors"].empty()) << o["console_errors"].dump();
  EXPECT_TRUE(o["page_errors"].empty()) << o["page_errors"].dump();
  EXPECT_TRUE(o["external_requests"].empty()) << "the report fetched: " << o["external_requests"].dump();
  EXPECT_TRUE(o["missing_alt"].empty()) << o["missing_alt"].dump();
  EXPECT_EQ(o["unlabelled_canvases"], 0);
  ASSERT_TRUE(o.contains("screenshot"));
  EXPECT_GT(fs::file_size(o["screenshot"].get<std::string>()), 1000u) << "screenshot missing or empty";
  // Keyboard: the skip link comes first and every control Tab reaches has a name.
  const nlohmann::json& tabs = o["tab_order"];
  ASSERT_FALSE(tabs.empty()) << "nothing takes keyboard focus";
  EXPECT_EQ(tabs[0]["name"], "Skip to the results");
  for (const auto& f : tabs) EXPECT_FALSE(f["name"].get<std::string>().empty()) << f.dump();
  for (const auto& c : o["charts"]) {
    EXPECT_TRUE(c["svg"].get<bool>()) << c.dump();
    EXPECT_GT(c["label"].get<std::string>().size(), 20u) << "a chart without a text alternative: " << c.dump();
  }
  if (!interactive) return;
  ASSERT_GT(o["panels"].get<int>(), 0);
  auto has_focus_stop = [&](const std::string& what) {
    for (const auto& f : tabs) {
      const std::string cls = f["cls"].get<std::string>(), tag = f["tag"].get<std::string>();
      if (cls.find(what) != std::string::npos || tag == what) return true;
    }
    return false;
  };
  EXPECT_TRUE(has_focus_stop("viewer")) << "the synchronised viewer is not reachable with Tab";
  EXPECT_TRUE(has_focus_stop("region")) << "the region buttons are not reachable with Tab";
  EXPECT_TRUE(has_focus_stop("input")) << "the before/after slider is not reachable with Tab";

  // Zoom: wheel, '+' and the button each zoom further; every view of the panel is redrawn.
  const nlohmann::json& z = o["zoom"];
  ASSERT_TRUE(z.is_object()) << o.dump().substr(0, 2000);
  const double z0 = z["before"]["zoom"], z1 = z["wheel"]["zoom"], z2 = z["key"]["zoom"], z3 = z["button"]["zoom"];
  EXPECT_DOUBLE_EQ(z0, 1.0);
  EXPECT_GT(z1, z0);
  EXPECT_GT(z2, z1);
  EXPECT_GT(z3, z2);
  EXPECT_NE(z["wheel"]["zoom_text"], z["before"]["zoom_text"]);
  const auto& s0 = z["sums_before"];
  const auto& s1 = z["sums_wheel"];
  ASSERT_EQ(s0.size(), s1.size());
  for (std::size_t i = 0; i < s0.size(); ++i) EXPECT_NE(s0[i], s1[i]) << "canvas " << i << " did not follow the zoom";
  // Pan: a drag moves the centre (and every view), an arrow key moves it again, '0' resets.
  const nlohmann::json& p = o["pan"];
  EXPECT_TRUE(p["drag"]["cx"] != p["before"]["cx"] || p["drag"]["cy"] != p["before"]["cy"]) << p.dump();
  EXPECT_NE(p["arrow"]["cx"], p["drag"]["cx"]);
  EXPECT_DOUBLE_EQ(p["reset"]["zoom"].get<double>(), 1.0);
  for (std::size_t i = 0; i < p["sums_before"].size(); ++i) {
    EXPECT_NE(p["sums_before"][i], p["sums_drag"][i]) << "canvas " << i << " did not follow the pan";
  }
  // Before/after: ten ArrowLeft presses move the divider from 50 % to 40 %, a click at 80 % moves it there.
  const nlohmann::json& sl = o["slider"];
  ASSERT_TRUE(sl.is_object());
  EXPECT_EQ(sl["before"]["slider"], 50);
  EXPECT_EQ(sl["keys"]["slider"], 40);
  EXPECT_NEAR(sl["keys"]["split"].get<double>(), 0.40, 1e-9);
  EXPECT_NEAR(sl["click"]["split"].get<double>(), 0.80, 0.02);
  EXPECT_NE(sl["sum_before"], sl["sum_keys"]) << "the before/after canvas was not redrawn";
  EXPECT_NE(sl["sum_keys"], sl["sum_click"]);
  if (o.contains("region")) {
    EXPECT_EQ(o["region"]["view"], 1);
  }
}

}  // namespace litesr::testing
