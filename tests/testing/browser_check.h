// Opens an HTML report in headless Chromium through tools/report_check.js (node + puppeteer-core from
// `cd tools && npm ci`, Debian's `chromium`; scripts/install-deps.sh installs all three) and returns what the
// script observed (its JSON; see the script's header). Tests skip, saying what is missing, when any is absent.
// Screenshots go to the test artifact folder: $LITESR_TEST_ARTIFACTS, else <build>/test-artifacts.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "testing/test_env.h"

namespace litesr::testing {

// The browser: $LITESR_CHROMIUM, else the first of chromium, chromium-browser, google-chrome-stable,
// google-chrome on PATH; "" when none.
std::filesystem::path chromium_path();

// "" when node, tools/node_modules/puppeteer-core and a Chromium are all present, otherwise why the browser
// tests skip.
std::string browser_unavailable_reason();

// The artifact folder (created) joined with `name`.
std::filesystem::path test_artifact_path(const std::string& name);

// Runs the report check on `html`, saving a screenshot as artifact `screenshot_name` (a .png name). kUnavailable
// style failures (the browser does not start) are kUnsupported; other failures kInternal with the script's output.
Result<nlohmann::json> check_report_in_browser(const std::filesystem::path& html, const std::string& screenshot_name);

// The checks every report must pass in the browser (gtest EXPECTs): it became ready without console errors,
// page errors or requests other than file:/data:; images have alt text and canvases a role and label; a
// screenshot was written. With `interactive` (a report with image panels): the wheel, keyboard and button zoom,
// the drag and arrow-key pan change every view of the first panel together, the slider's arrow keys and a click
// move the before/after divider and redraw it, and the region buttons switch the view; a sortable table sorts.
void expect_report_works(const nlohmann::json& observed, bool interactive);

}  // namespace litesr::testing

// Skips the current test when the browser check cannot run.
#define LITESR_REQUIRE_BROWSER()                                                               \
  if (const std::string why = ::litesr::testing::browser_unavailable_reason(); !why.empty()) { \
    GTEST_SKIP() << why;                                                                       \
  }
