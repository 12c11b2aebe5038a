#include "report/comparison_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "eval/eval_report.h"
#include "report/html_encoding.h"
#include "report/html_page.h"
#include "report/panel_html.h"
#include "report/report_charts.h"
#include "report/score_table.h"

namespace litesr {
namespace {

using nlohmann::ordered_json;

struct Metric {
  const char* key;
  const char* label;
  int decimals;
  double SrScores::*field;
};
constexpr Metric kMetrics[] = {
    {"psnr_y", "PSNR-Y (dB)", 2, &SrScores::psnr_y},
    {"ssim_y", "SSIM-Y", 4, &SrScores::ssim_y},
    {"psnr_rgb", "PSNR-RGB (dB)", 2, &SrScores::psnr_rgb},
    {"ssim_rgb", "SSIM-RGB", 4, &SrScores::ssim_rgb},
};

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string set_title(const ComparedSet& set) { return set.name + " \u00d7" + std::to_string(set.scale); }

ordered_json card_json(const ModelCard& c) {
  ordered_json j;
  j["name"] = c.name;
  j["source"] = c.source;
  j["sha256"] = c.sha256;
  j["file_bytes"] = c.file_bytes;
  j["arch"] = c.arch;
  j["scale"] = c.scale;
  j["frames"] = c.frames;
  j["params"] = c.params;
  j["macs_720p"] = c.macs_720p;
  j["ms_per_frame_720p"] = c.timed ? ordered_json(c.timing.median_ms) : ordered_json();
  if (c.timed) {
    j["timing"] = {{"median_ms", c.timing.median_ms},
                   {"min_ms", c.timing.min_ms},
                   {"max_ms", c.timing.max_ms},
                   {"timed_runs", c.timing.timed_runs},
                   {"warmup_runs", c.timing.warmup_runs},
                   {"threads", c.timing.threads},
                   {"engine", c.engine}};
  } else {
    j["timing"] = nullptr;
  }
  j["timing_error"] = c.timing_error;
  return j;
}

std::string models_table_html(const ComparisonReport& r) {
  std::string out =
      "<div class=\"table-wrap\"><table class=\"sortable models\" "
      "id=\"models\">\n<caption>Models</caption>\n<thead><tr>"
      "<th scope=\"col\" class=\"text\" data-type=\"text\"><button type=\"button\">model</button></th>"
      "<th scope=\"col\" class=\"text\" data-type=\"text\"><button type=\"button\">weights</button></th>"
      "<th scope=\"col\" class=\"text\">SHA-256</th>"
      "<th scope=\"col\" class=\"text\" data-type=\"text\"><button type=\"button\">architecture</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">scale</button></th>"
      "<th scope=\"col\" data-type=\"number\" data-better=\"lower\"><button type=\"button\">parameters</button></th>"
      "<th scope=\"col\" data-type=\"number\" data-better=\"lower\"><button type=\"button\">GMACs per 720p "
      "frame</button></th>"
      "<th scope=\"col\" data-type=\"number\" data-better=\"lower\"><button type=\"button\">ms per 720p "
      "frame</button></th>"
      "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < r.models.size(); ++i) {
    const ModelCard& c = r.models[i];
    const std::string weights =
        c.source == "built-in" ? (c.sha256.empty() ? "built-in (no weights)" : "built-in") : c.source;
    out += "<tr data-model=\"" + std::to_string(i) + "\"><th scope=\"row\" class=\"text\">" + html_escape(c.name) +
           "</th><td class=\"text\">" + html_escape(weights) + "</td><td class=\"text hash\" data-field=\"sha256\">" +
           (c.sha256.empty() ? std::string("\u2014") : html_escape(c.sha256)) + "</td><td class=\"text\">" +
           html_escape(c.arch) + "</td><td data-field=\"scale\" data-value=\"" + std::to_string(c.scale) + "\">\u00d7" +
           std::to_string(c.scale) + "</td><td data-field=\"params\" data-value=\"" + std::to_string(c.params) + "\">" +
           with_commas(c.params) + "</td><td data-field=\"macs_720p\" data-value=\"" + std::to_string(c.macs_720p) +
           "\">" + fmt("%.3f", static_cast<double>(c.macs_720p) / 1e9) + "</td>";
    if (c.timed) {
      out += "<td data-field=\"ms_per_frame_720p\" data-value=\"" + exact_number(c.timing.median_ms) + "\">" +
             fmt("%.2f", c.timing.median_ms) + " <span class=\"muted\">(" + fmt("%.2f", c.timing.min_ms) + "\u2013" +
             fmt("%.2f", c.timing.max_ms) + ")</span></td>";
    } else {
      out += "<td data-field=\"ms_per_frame_720p\" data-value=\"NaN\">" +
             html_escape(c.timing_error.empty() ? "not measured" : "n/a: " + c.timing_error) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table><p class=\"sort-status\" aria-live=\"polite\"></p></div>\n";
  int threads = 0, runs = 0, warmup = 0;
  std::string engine;
  for (const ModelCard& c : r.models) {
    if (!c.timed) continue;
    threads = c.timing.threads;
    runs = c.timing.timed_runs;
    warmup = c.timing.warmup_runs;
    engine = c.engine;
  }
  out +=
      "<p class=\"muted\">Parameters and MACs (plain multiply-accumulates) are for one 1280\u00d7720 output frame, "
      "as <code>litesr models</code> lists them. SHA-256 is of the .safetensors file (for built-in models, the "
      "shipped file compiled into litesr).";
  if (runs > 0) {
    out += " Times are the median (min\u2013max) of " + std::to_string(runs) + " runs after " + std::to_string(warmup) +
           " warm-up runs, upscaling one 8-bit 720p frame with " + std::to_string(threads) +
           (threads == 1 ? " thread" : " threads") + " (" + html_escape(engine) +
           "), as <code>litesr upscale</code> does.";
  }
  return out + "</p>\n";
}

// Rows of `metric` per image, with the mean as footer.
ScoreTable image_table(const ComparedSet& set, std::size_t set_index, const Metric& metric,
                       const std::vector<std::string>& methods) {
  ScoreTable t;
  t.id = "scores-" + std::to_string(set_index) + "-" + metric.key;
  t.caption = set_title(set) + ": " + metric.label + " per image";
  t.columns = methods;
  t.decimals = metric.decimals;
  t.attributes = {{"data-set", std::to_string(set_index)}, {"data-metric", metric.key}, {"data-kind", "images"}};
  for (std::size_t i = 0; i < set.images.size(); ++i) {
    ScoreRow row;
    row.label = set.images[i];
    for (const EvaluationResult& r : set.results) row.values.push_back(r.images[i].scores.*metric.field);
    t.rows.push_back(std::move(row));
  }
  ScoreRow mean;
  mean.label = "mean";
  for (const EvaluationResult& r : set.results) mean.values.push_back(r.mean.*metric.field);
  t.footer = std::move(mean);
  return t;
}

std::string scores_section(const ComparisonReport& r) {
  std::string out = "<section id=\"scores\" aria-labelledby=\"scores-h\">\n<h2 id=\"scores-h\">Scores</h2>\n";
  out +=
      "<p class=\"muted\">PSNR and SSIM as the SR literature computes them (docs/evaluation.md): the output rounded "
      "to 8 bits, Y = BT.601 luma, the scale's border pixels shaved (unless stated), SSIM with an 11\u00d711 "
      "Gaussian window. Click a column's heading to sort by it.</p>\n";
  bool any_hr = false;
  for (const ComparedSet& s : r.sets) any_hr = any_hr || s.has_hr;
  if (any_hr) {
    std::vector<MetricTab> tabs;
    for (const Metric& m : kMetrics) {
      ScoreTable t;
      t.id = std::string("summary-") + m.key;
      t.caption = std::string("Mean ") + m.label + " per dataset";
      t.row_header = "dataset";
      t.columns = r.methods;
      t.decimals = m.decimals;
      t.attributes = {{"data-set", "summary"}, {"data-metric", m.key}, {"data-kind", "summary"}};
      for (const ComparedSet& s : r.sets) {
        if (!s.has_hr) continue;
        ScoreRow row;
        row.label = set_title(s);
        for (const EvaluationResult& e : s.results) row.values.push_back(e.mean.*m.field);
        t.rows.push_back(std::move(row));
      }
      tabs.push_back({m.label, score_table_html(t)});
    }
    out += "<h3 id=\"summary\">Means per dataset</h3>\n" + metric_tabs_html("summary-tabs", "Metric", tabs);
  }
  for (std::size_t k = 0; k < r.sets.size(); ++k) {
    const ComparedSet& s = r.sets[k];
    out += "<section id=\"set-" + std::to_string(k) + "\" aria-labelledby=\"set-" + std::to_string(k) +
           "-h\">\n<h3 id=\"set-" + std::to_string(k) + "-h\">" + html_escape(set_title(s)) +
           "</h3>\n<p class=\"muted\">" + std::to_string(s.images.size()) +
           (s.images.size() == 1 ? " image" : " images") + "; ";
    if (!s.has_hr) {
      out += "no ground truth, so no scores: the images below show where the methods disagree.</p>\n</section>\n";
      continue;
    }
    out += std::string(s.lr_generated ? "LR generated from the HR with MATLAB-exact bicubic" : "LR from LR_bicubic/X") +
           (s.lr_generated ? "" : std::to_string(s.scale)) + "; " + std::to_string(s.shave) +
           " border pixels shaved.</p>\n";
    std::vector<MetricTab> tabs;
    for (const Metric& m : kMetrics) tabs.push_back({m.label, score_table_html(image_table(s, k, m, r.methods))});
    out += metric_tabs_html("set-" + std::to_string(k) + "-tabs", "Metric for " + set_title(s), tabs) + "</section>\n";
  }
  return out + "</section>\n";
}

std::string charts_section(const ComparisonReport& r) {
  std::string body;
  for (std::size_t k = 0; k < r.sets.size(); ++k) {
    const ComparedSet& s = r.sets[k];
    std::vector<const ModelCard*> cards;
    for (const EvaluationResult& e : s.results) cards.push_back(find_model_card(r, e.method, s.scale));
    const std::vector<ReportChart> charts = comparison_charts(s, cards, r.reference, "chart-" + std::to_string(k));
    if (charts.empty()) continue;
    body += "<h3>" + html_escape(set_title(s)) + "</h3>\n<div class=\"charts\">\n";
    for (const ReportChart& c : charts) body += chart_html(c);
    body += "</div>\n";
  }
  if (body.empty()) return "";
  return "<section id=\"tradeoffs\" aria-labelledby=\"tradeoffs-h\">\n<h2 id=\"tradeoffs-h\">Trade-offs</h2>\n" + body +
         "</section>\n";
}

std::string images_section(const ComparisonReport& r, std::string& data_panels) {
  std::string out = "<section id=\"images\" aria-labelledby=\"images-h\">\n<h2 id=\"images-h\">Images</h2>\n";
  out +=
      "<p class=\"muted\">For each image: the regions where the methods differ most from each other or from the HR "
      "(chosen automatically), every method's crop of them with one zoom and pan, and a before/after slider.</p>\n";
  int index = 0;
  for (std::size_t k = 0; k < r.sets.size(); ++k) {
    const ComparedSet& s = r.sets[k];
    if (s.panels.empty()) continue;
    out += "<h3>" + html_escape(set_title(s)) + "</h3>\n";
    for (std::size_t i = 0; i < s.panels.size(); ++i, ++index) {
      const ImagePanel& p = s.panels[i];
      PanelMarkup m;
      m.index = index;
      m.context = set_title(s) + ", " + std::to_string(p.width) + "\u00d7" + std::to_string(p.height) + " px";
      m.thumbnail_what = s.has_hr ? "HR image" : "input image";
      int best = -1;
      for (std::size_t j = 0; j < p.layers.size(); ++j) {
        const PanelLayer& l = p.layers[j];
        std::string note;
        if (l.kind == LayerKind::kLr) {
          note = "input, " + std::to_string(p.width / p.scale) + "\u00d7" + std::to_string(p.height / p.scale) + " px";
        } else if (l.kind == LayerKind::kHr) {
          note = "ground truth";
        } else if (s.has_hr && l.method >= 0 && static_cast<std::size_t>(l.method) < s.results.size()) {
          const SrScores& sc = s.results[l.method].images[i].scores;
          note = "PSNR-Y " + format_score(sc.psnr_y, 2) + " dB, SSIM-Y " + format_score(sc.ssim_y, 4);
          if (l.method != r.reference &&
              (best < 0 || sc.psnr_y > s.results[p.layers[best].method].images[i].scores.psnr_y)) {
            best = static_cast<int>(j);
          }
        }
        m.layer_notes.push_back(note);
      }
      // Before/after: bicubic (or the LR) against the best model (or the first one that is not bicubic).
      int ref_layer = 0, first_other = -1;
      for (std::size_t j = 0; j < p.layers.size(); ++j) {
        if (p.layers[j].kind != LayerKind::kMethod) continue;
        if (p.layers[j].method == r.reference)
          ref_layer = static_cast<int>(j);
        else if (first_other < 0)
          first_other = static_cast<int>(j);
      }
      m.compare_a = ref_layer;
      m.compare_b = best >= 0 ? best : first_other >= 0 ? first_other : static_cast<int>(p.layers.size()) - 1;
      if (m.compare_b == m.compare_a) m.compare_b = static_cast<int>(p.layers.size()) - 1;
      if (m.compare_b == m.compare_a) m.compare_a = 0;
      out += panel_html(p, m);
      if (!data_panels.empty()) data_panels += ",";
      data_panels += panel_json(p);
    }
  }
  return out + "</section>\n";
}

}  // namespace

const ModelCard* find_model_card(const ComparisonReport& report, const std::string& method, int scale) {
  for (const ModelCard& c : report.models) {
    if (c.name == method && c.scale == scale) return &c;
  }
  return nullptr;
}

std::string comparison_report_json(const ComparisonReport& r) {
  ordered_json j;
  j["command"] = r.command;
  j["version"] = r.version;
  j["methods"] = r.methods;
  ordered_json models = ordered_json::array();
  for (const ModelCard& c : r.models) models.push_back(card_json(c));
  j["models"] = std::move(models);
  ordered_json sets = ordered_json::array();
  for (const ComparedSet& s : r.sets) {
    ordered_json e;
    e["dataset"] = s.name;
    e["scale"] = s.scale;
    e["has_hr"] = s.has_hr;
    e["lr_generated"] = s.lr_generated;
    e["shave"] = s.shave;
    e["images"] = s.images;
    ordered_json runs = ordered_json::array();
    for (const EvaluationResult& run : s.results) runs.push_back(ordered_json::parse(eval_run_json(run)));
    e["runs"] = std::move(runs);
    sets.push_back(std::move(e));
  }
  j["sets"] = std::move(sets);
  return j.dump(2) + "\n";
}

std::string comparison_report_text(const ComparisonReport& r) {
  std::size_t width = 10;
  for (const std::string& m : r.methods) width = std::max(width, m.size() + 2);
  auto pad = [&](const std::string& s) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); };
  std::string out;
  for (const ComparedSet& s : r.sets) {
    out += set_title(s) + " (" + std::to_string(s.images.size()) + (s.images.size() == 1 ? " image" : " images");
    if (!s.has_hr) {
      out += ", no ground truth: no scores)\n\n";
      continue;
    }
    out += ", shave " + std::to_string(s.shave) + (s.lr_generated ? ", LR generated" : "") + ")\n";
    out += pad("method") + "  PSNR-Y   SSIM-Y    PSNR-RGB  SSIM-RGB   ms/720p\n";
    for (const EvaluationResult& e : s.results) {
      const ModelCard* card = find_model_card(r, e.method, s.scale);
      out += pad(e.method) + fmt("%8.4f", e.mean.psnr_y) + "  " + fmt("%7.5f", e.mean.ssim_y) + "  " +
             fmt("%8.4f", e.mean.psnr_rgb) + "  " + fmt("%8.5f", e.mean.ssim_rgb) + "  " +
             (card != nullptr && card->timed ? fmt("%8.2f", card->timing.median_ms) : std::string("       -")) + "\n";
    }
    out += "\n";
  }
  return out;
}

std::string comparison_report_html(const ComparisonReport& r) {
  HtmlPage page;
  page.title = r.title;
  page.subtitle_html = "Made by litesr " + html_escape(r.version) +
                       (r.generated.empty() ? std::string() : " on " + html_escape(r.generated)) + ".";
  std::string main =
      "<section id=\"provenance\" aria-labelledby=\"provenance-h\">\n<h2 id=\"provenance-h\">How this "
      "report was made</h2>\n<p>Command:</p>\n<pre class=\"command\"><code id=\"command\">" +
      html_escape(r.command) + "</code></pre>\n";
  for (const std::string& n : r.notes) main += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  main += models_table_html(r) + "</section>\n";
  main += scores_section(r);
  const std::string charts = charts_section(r);
  main += charts;
  std::string panels;
  main += images_section(r, panels);
  page.main_html = std::move(main);
  page.data_json = "{\"panels\":[" + panels + "]}";
  page.contents = {{"provenance", "How it was made"}, {"scores", "Scores"}};
  if (!charts.empty()) page.contents.push_back({"tradeoffs", "Trade-offs"});
  page.contents.push_back({"images", "Images"});
  return render_html_page(page);
}

}  // namespace litesr
