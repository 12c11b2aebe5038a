#include "report/score_table.h"

#include <cmath>
#include <cstdio>

#include "report/html_encoding.h"
#include "report/html_page.h"

namespace litesr {

std::string format_score(double value, int decimals) {
  if (std::isnan(value)) return "";
  if (std::isinf(value)) return value > 0 ? "\u221e" : "\u2212\u221e";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string exact_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

std::vector<int> row_winners(const std::vector<double>& values, bool higher_is_better) {
  std::vector<int> winners;
  double best = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (std::isnan(v)) continue;
    const bool better = winners.empty() || (higher_is_better ? v > best : v < best);
    if (better) {
      winners.assign(1, static_cast<int>(i));
      best = v;
    } else if (v == best) {
      winners.push_back(static_cast<int>(i));
    }
  }
  return winners;
}

namespace {

std::string row_html(const ScoreTable& t, const ScoreRow& row, bool mark) {
  std::string out = "<tr data-row=\"" + html_escape(row.label) + "\"><th scope=\"row\" class=\"text\">" +
                    html_escape(row.label) + "</th>";
  std::vector<int> winners;
  if (mark) winners = row_winners(row.values, t.higher_is_better);
  for (std::size_t j = 0; j < t.columns.size(); ++j) {
    const double v = j < row.values.size() ? row.values[j] : std::nan("");
    bool win = false;
    for (int w : winners) win = win || w == static_cast<int>(j);
    out += "<td data-col=\"" + std::to_string(j) + "\" data-value=\"" + exact_number(v) + "\"";
    if (win) out += " class=\"win\"";
    out += ">" + format_score(v, t.decimals);
    if (win) out += "<span class=\"mark\" aria-hidden=\"true\">\u2605</span>" + visually_hidden(" (best)");
    out += "</td>";
  }
  return out + "</tr>\n";
}

}  // namespace

std::string score_table_html(const ScoreTable& t) {
  const bool mark = t.mark_winners && t.columns.size() >= 2;
  std::string out = "<div class=\"table-wrap\"><table class=\"sortable scores\" id=\"" + html_escape(t.id) +
                    "\" data-table=\"" + html_escape(t.id) + "\"";
  for (const auto& [name, value] : t.attributes) out += " " + name + "=\"" + html_escape(value) + "\"";
  out += ">\n<caption>" + html_escape(t.caption);
  if (mark) out += " <span class=\"muted\">(\u2605 best of each row)</span>";
  out += "</caption>\n<thead><tr><th scope=\"col\" class=\"text\" data-type=\"text\"><button type=\"button\">" +
         html_escape(t.row_header) + "</button></th>";
  for (const std::string& c : t.columns) {
    out += "<th scope=\"col\" data-type=\"number\"" + std::string(t.higher_is_better ? "" : " data-better=\"lower\"") +
           "><button type=\"button\">" + html_escape(c) + "</button></th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const ScoreRow& r : t.rows) out += row_html(t, r, mark);
  out += "</tbody>\n";
  if (t.footer) out += "<tfoot>\n" + row_html(t, *t.footer, mark) + "</tfoot>\n";
  out += "</table><p class=\"sort-status\" aria-live=\"polite\"></p></div>\n";
  return out;
}

std::string metric_tabs_html(const std::string& id_prefix, const std::string& label,
                             const std::vector<MetricTab>& tabs) {
  std::string out = "<div class=\"tabs\"><div role=\"tablist\" aria-label=\"" + html_escape(label) + "\">";
  for (std::size_t i = 0; i < tabs.size(); ++i) {
    const std::string id = id_prefix + "-" + std::to_string(i);
    out += "<button type=\"button\" role=\"tab\" id=\"" + id + "-tab\" aria-controls=\"" + id + "\" aria-selected=\"" +
           (i == 0 ? "true" : "false") + "\" tabindex=\"" + (i == 0 ? "0" : "-1") + "\">" + html_escape(tabs[i].label) +
           "</button>";
  }
  out += "</div>\n";
  for (std::size_t i = 0; i < tabs.size(); ++i) {
    const std::string id = id_prefix + "-" + std::to_string(i);
    out += "<div role=\"tabpanel\" id=\"" + id + "\" aria-labelledby=\"" + id + "-tab\"" + (i == 0 ? "" : " hidden") +
           ">\n" + tabs[i].panel_html + "</div>\n";
  }
  return out + "</div>\n";
}

}  // namespace litesr
