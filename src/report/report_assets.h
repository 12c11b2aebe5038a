// The report page's stylesheet and script: src/report/assets/report.css and report.js, compiled in as text
// (cmake/embed_text.cmake), so a report needs nothing but the binary to be written and nothing but a browser
// to be read.
#pragma once

#include <string_view>

namespace litesr {

extern const std::string_view kReportStylesheet;  // assets/report.css
extern const std::string_view kReportScript;      // assets/report.js

}  // namespace litesr
