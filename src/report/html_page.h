// The skeleton every LiteSR report shares: one self-contained HTML5 document.
//
//   <!doctype html><html lang="en"> with a Content-Security-Policy that forbids every network fetch
//   (default-src 'none'; images only from data: URIs; inline style and script only), the stylesheet and
//   script inline (report/report_assets.h), a skip link, the title, a table of contents, <main>, and the data
//   the script reads as <script type="application/json" id="litesr-data"> (report/html_encoding.h makes it
//   safe there). Opened from a file:// URL it needs nothing else.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace litesr {

struct HtmlPage {
  std::string title;                                          // <title> and <h1> (plain text)
  std::string subtitle_html;                                  // under the title (HTML)
  std::vector<std::pair<std::string, std::string>> contents;  // (section id, label) for the table of contents
  std::string main_html;                                      // the content of <main>
  std::string data_json = "{}";                               // read by the script ("panels": [...])
};

std::string render_html_page(const HtmlPage& page);

// Helpers for the sections.
// <span class="visually-hidden">text</span>: read by screen readers, not shown.
std::string visually_hidden(const std::string& text);
// An id made of [A-Za-z0-9_-] from arbitrary text (other characters become '-'), prefixed.
std::string html_id(const std::string& prefix, const std::string& text);

}  // namespace litesr
