#include "report/html_page.h"

#include "report/html_encoding.h"
#include "report/report_assets.h"

namespace litesr {

std::string render_html_page(const HtmlPage& page) {
  std::string out;
  out.reserve(page.main_html.size() + page.data_json.size() + kReportScript.size() + kReportStylesheet.size() + 4096);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // Nothing may be fetched: images come from data: URIs, style and script are inline.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n";
  out += "<meta name=\"generator\" content=\"LiteSR\">\n";
  out += "<title>" + html_escape(page.title) + "</title>\n<style>\n";
  out += kReportStylesheet;
  out += "</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to the results</a>\n<header>\n<h1>" +
         html_escape(page.title) + "</h1>\n";
  if (!page.subtitle_html.empty()) out += "<p class=\"meta\">" + page.subtitle_html + "</p>\n";
  out += "</header>\n";
  if (!page.contents.empty()) {
    out += "<nav aria-label=\"Contents\"><ul>\n";
    for (const auto& [id, label] : page.contents) {
      out += "<li><a href=\"#" + html_escape(id) + "\">" + html_escape(label) + "</a></li>\n";
    }
    out += "</ul></nav>\n";
  }
  out += "<main id=\"main\" tabindex=\"-1\">\n";
  out += page.main_html;
  out += "</main>\n<script type=\"application/json\" id=\"litesr-data\">";
  out += json_for_script(page.data_json);
  out += "</script>\n<script>\n";
  out += kReportScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

std::string visually_hidden(const std::string& text) {
  return "<span class=\"visually-hidden\">" + html_escape(text) + "</span>";
}

std::string html_id(const std::string& prefix, const std::string& text) {
  std::string out = prefix;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

}  // namespace litesr
