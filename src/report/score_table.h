// Sortable HTML tables of scores, with the best value of each row marked, and the tabs that switch between the
// tables of several metrics (the script in assets/report.js sorts and switches; without it the tables still read
// in order).
//
// Markup contract (relied on by assets/report.js and by the browser tests):
//   <table class="sortable scores" data-table="<id>" ...attributes>   one per table
//     thead th[data-type=text|number] > button                        sort controls (the first column: row labels)
//     tbody tr[data-row="<row label>"] > th (label) + td[data-col=j][data-value="<%.17g>"]
//     tfoot tr[data-row="<footer label>"] (not sorted)
//   a winning cell has class "win" and a visually hidden " (best)"; NaN cells are empty with data-value="NaN";
//   +inf is shown as ∞ with data-value="Infinity".
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace litesr {

struct ScoreRow {
  std::string label;           // first column (an image name, "mean", a dataset)
  std::vector<double> values;  // one per column; NaN = no value
};

struct ScoreTable {
  std::string id;       // unique in the page
  std::string caption;  // plain text
  std::string row_header = "image";
  std::vector<std::string> columns;  // column labels (method names)
  std::vector<ScoreRow> rows;
  std::optional<ScoreRow> footer;  // e.g. the mean row
  int decimals = 2;
  bool higher_is_better = true;
  bool mark_winners = true;                                     // only when there are at least two columns
  std::vector<std::pair<std::string, std::string>> attributes;  // extra attributes of <table> (name, value)
};

std::string score_table_html(const ScoreTable& table);

// The winners of a row: indices of the columns holding the best finite value (ties: all of them).
std::vector<int> row_winners(const std::vector<double>& values, bool higher_is_better);

// A number as shown: fixed `decimals`, "∞"/"−∞" for infinities, "" for NaN.
std::string format_score(double value, int decimals);
// The value of data-value: %.17g (reads back to the same double), "Infinity", "-Infinity" or "NaN".
std::string exact_number(double value);

struct MetricTab {
  std::string label;       // "PSNR-Y (dB)"
  std::string panel_html;  // the tab's content
};

// A tablist with one tab per entry and its tabpanels (the first selected); ids start with `id_prefix`.
std::string metric_tabs_html(const std::string& id_prefix, const std::string& label,
                             const std::vector<MetricTab>& tabs);

}  // namespace litesr
