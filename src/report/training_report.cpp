#include "report/training_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "base/image_ops.h"
#include "base/svg_chart.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "report/html_encoding.h"
#include "report/html_page.h"
#include "report/image_panel.h"
#include "report/panel_html.h"
#include "report/report_charts.h"
#include "report/score_table.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Images of a folder by stem (first file wins for a duplicated stem).
Result<std::map<std::string, fs::path>> images_by_stem(const fs::path& dir) {
  std::map<std::string, fs::path> out;
  LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> files, list_images(dir));
  for (const fs::path& rel : files) out.emplace(rel.stem().string(), dir / rel);
  return out;
}

const TrainingPoint* best_point(const std::vector<TrainingPoint>& psnr) {
  const TrainingPoint* best = nullptr;
  for (const TrainingPoint& p : psnr) {
    if (best == nullptr || p.value > best->value) best = &p;
  }
  return best;
}

// At most `max` indices of [0, n): the first, the last and evenly spaced ones between.
std::vector<std::size_t> spread(std::size_t n, std::size_t max) {
  std::vector<std::size_t> out;
  if (n <= max) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (max < 2) return {n - 1};
  for (std::size_t i = 0; i < max; ++i) {
    const std::size_t k = static_cast<std::size_t>(std::llround(static_cast<double>(i) * (n - 1) / (max - 1)));
    if (out.empty() || out.back() != k) out.push_back(k);
  }
  return out;
}

Result<Image> read_rgb(const fs::path& path) {
  LITESR_ASSIGN_OR_RETURN(DecodedImage file, read_image(path));
  LITESR_ASSIGN_OR_RETURN(Image color, to_u8_color(file.image));
  Result<Image> rgb = grey_to_rgb(color);
  if (!rgb.ok()) return rgb.status().with_context(path.string());
  return std::move(rgb).value();
}

// One panel: a layer per shown iteration (plus LR and HR crops when present). Notes explain what was left out.
Result<ImagePanel> crop_panel(const ValidationCropSeries& series, const TrainingReportOptions& options,
                              std::vector<std::string>& notes, std::vector<std::string>& layer_notes) {
  std::vector<Image> steps;
  std::vector<int64_t> iterations;
  int w = 0, h = 0;
  for (std::size_t k : spread(series.steps.size(), static_cast<std::size_t>(options.max_steps))) {
    LITESR_ASSIGN_OR_RETURN(Image im, read_rgb(series.steps[k].path));
    if (steps.empty()) {
      w = im.width();
      h = im.height();
    } else if (im.width() != w || im.height() != h) {
      notes.push_back(series.image + ": the crop at iteration " + std::to_string(series.steps[k].iteration) + " is " +
                      std::to_string(im.width()) + "x" + std::to_string(im.height()) + ", not " + std::to_string(w) +
                      "x" + std::to_string(h) + "; left out");
      continue;
    }
    steps.push_back(std::move(im));
    iterations.push_back(series.steps[k].iteration);
  }
  Image hr, lr;
  int k = 1;  // output pixels per LR pixel
  if (!series.hr.empty()) {
    LITESR_ASSIGN_OR_RETURN(hr, read_rgb(series.hr));
    if (hr.width() != w || hr.height() != h) {
      notes.push_back(series.image + ": the HR crop's size differs from the outputs'; left out");
      hr = Image();
    }
  }
  if (!series.lr.empty()) {
    LITESR_ASSIGN_OR_RETURN(lr, read_rgb(series.lr));
    const bool fits =
        lr.width() > 0 && w % lr.width() == 0 && h % lr.height() == 0 && w / lr.width() == h / lr.height();
    if (fits) {
      k = w / lr.width();
    } else {
      notes.push_back(series.image + ": the LR crop is not the outputs' size divided by a whole scale; left out");
      lr = Image();
    }
  }
  // A centred window of at most max_crop_side pixels per side, on whole LR pixels.
  const int cw = std::max(k, std::min(w, options.max_crop_side) / k * k);
  const int ch = std::max(k, std::min(h, options.max_crop_side) / k * k);
  const int x0 = (w - cw) / 2 / k * k, y0 = (h - ch) / 2 / k * k;

  ImagePanel panel;
  panel.name = series.image;
  panel.scale = k;
  panel.width = cw;
  panel.height = ch;
  panel.full_images = true;
  panel.views.push_back({"Crop", 0, 0, cw, ch, -1});
  const double nan = std::nan("");
  Image hr_window;
  if (!hr.empty()) {
    LITESR_ASSIGN_OR_RETURN(hr_window, copy_image_window(hr, x0, y0, cw, ch));
  }
  auto add = [&](const std::string& label, LayerKind kind, int method, const Image& window, int div, double psnr,
                 const std::string& note) -> Status {
    PanelLayer layer;
    layer.label = label;
    layer.kind = kind;
    layer.method = method;
    layer.factor = 1.0 / div;
    LITESR_ASSIGN_OR_RETURN(layer.image, encode_lossless_image(window));
    layer.cells.push_back({0, 0, window.width(), window.height()});
    layer.view_psnr_y.push_back(psnr);
    panel.layers.push_back(std::move(layer));
    layer_notes.push_back(note);
    return {};
  };
  if (!lr.empty()) {
    LITESR_ASSIGN_OR_RETURN(Image window, copy_image_window(lr, x0 / k, y0 / k, cw / k, ch / k));
    LITESR_RETURN_IF_ERROR(add("LR (nearest)", LayerKind::kLr, -1, window, k, nan, "input"));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    LITESR_ASSIGN_OR_RETURN(Image window, copy_image_window(steps[i], x0, y0, cw, ch));
    double psnr = nan;
    if (!hr_window.empty()) {
      LITESR_ASSIGN_OR_RETURN(psnr, psnr_y_against(window, hr_window));
    }
    const std::string label = "iteration " + std::to_string(iterations[i]);
    LITESR_RETURN_IF_ERROR(add(label, LayerKind::kMethod, static_cast<int>(i), window, 1, psnr, ""));
  }
  if (!hr_window.empty()) LITESR_RETURN_IF_ERROR(add("HR", LayerKind::kHr, -1, hr_window, 1, nan, "ground truth"));
  return panel;
}

ChartAxis iteration_axis(const std::vector<TrainingRunCurves>& runs) {
  int64_t x_max = 1;
  for (const TrainingRunCurves& r : runs) x_max = std::max(x_max, r.last_iteration);
  return {"global iteration", false, 0.0, static_cast<double>(x_max)};
}

ReportChart curve_chart(const std::vector<TrainingRunCurves>& runs, bool psnr) {
  ReportChart c;
  c.id = psnr ? "curve-psnr" : "curve-loss";
  c.caption = psnr ? "Validation PSNR-Y (dB) at each run's final scale" : "Training loss";
  XyChart chart;
  chart.title = c.caption;
  chart.x = iteration_axis(runs);
  chart.y = {psnr ? "validation PSNR-Y (dB)" : "training loss", !psnr};
  chart.height = psnr ? 380 : 300;
  chart.width = 760;
  c.alt = c.caption + " against the global iteration.";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::vector<TrainingPoint>& pts = psnr ? runs[i].psnr : runs[i].loss;
    XySeries s;
    s.name = runs[i].name;
    s.color = report_color(i);
    s.lines = true;
    s.markers = psnr && pts.size() <= 60;
    for (const TrainingPoint& p : pts) s.points.push_back({static_cast<double>(p.iteration), p.value, ""});
    chart.series.push_back(std::move(s));
    if (pts.empty()) {
      c.alt += " " + runs[i].name + ": no points.";
    } else {
      c.alt += " " + runs[i].name + ": " + std::to_string(pts.size()) + " points, from " +
               fmt(psnr ? "%.2f" : "%.4g", pts.front().value) + " at iteration " +
               std::to_string(pts.front().iteration) + " to " + fmt(psnr ? "%.2f" : "%.4g", pts.back().value) +
               " at iteration " + std::to_string(pts.back().iteration) + ".";
    }
  }
  c.svg = xy_chart_svg(chart);
  return c;
}

std::string summary_table(const std::vector<TrainingRunCurves>& runs,
                          const std::vector<std::vector<ValidationCropSeries>>& crops) {
  // The best run per score column is marked (highest last and best PSNR-Y).
  std::vector<double> last, best;
  for (const TrainingRunCurves& r : runs) {
    last.push_back(r.psnr.empty() ? std::nan("") : r.psnr.back().value);
    const TrainingPoint* b = best_point(r.psnr);
    best.push_back(b == nullptr ? std::nan("") : b->value);
  }
  const std::vector<int> last_win = runs.size() >= 2 ? row_winners(last, true) : std::vector<int>{};
  const std::vector<int> best_win = runs.size() >= 2 ? row_winners(best, true) : std::vector<int>{};
  auto won = [](const std::vector<int>& w, std::size_t i) {
    return std::find(w.begin(), w.end(), static_cast<int>(i)) != w.end();
  };
  auto score_cell = [&](const char* field, double v, bool win) {
    std::string td = "<td data-field=\"" + std::string(field) + "\" data-value=\"" + exact_number(v) + "\"" +
                     (win ? " class=\"win\"" : "") + ">" + (std::isnan(v) ? std::string("\u2014") : format_score(v, 3));
    if (win) td += "<span class=\"mark\" aria-hidden=\"true\">\u2605</span>" + visually_hidden(" (best)");
    return td + "</td>";
  };
  std::string out = "<div class=\"table-wrap\"><table class=\"sortable runs\" id=\"runs\">\n<caption>Runs";
  if (runs.size() >= 2) out += " <span class=\"muted\">(\u2605 best of each column)</span>";
  out +=
      "</caption>\n<thead><tr>"
      "<th scope=\"col\" class=\"text\" data-type=\"text\"><button type=\"button\">run</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">iterations</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">scale</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">validations</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">last PSNR-Y (dB)</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">best PSNR-Y (dB)</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">at iteration</button></th>"
      "<th scope=\"col\" data-type=\"number\"><button type=\"button\">crop images</button></th>"
      "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const TrainingRunCurves& r = runs[i];
    const TrainingPoint* b = best_point(r.psnr);
    out += "<tr data-row=\"" + html_escape(r.name) + "\" data-run=\"" + std::to_string(i) +
           "\"><th scope=\"row\" class=\"text\">" + html_escape(r.name) + "</th>" +
           "<td data-field=\"iterations\" data-value=\"" + std::to_string(r.last_iteration) + "\">" +
           std::to_string(r.last_iteration) + "</td>" + "<td data-field=\"scale\" data-value=\"" +
           std::to_string(r.scale) + "\">" +
           (r.scale > 0 ? "\u00d7" + std::to_string(r.scale) : std::string("\u2014")) + "</td>" +
           "<td data-field=\"validations\" data-value=\"" + std::to_string(r.psnr.size()) + "\">" +
           std::to_string(r.psnr.size()) + "</td>" + score_cell("last_psnr_y", last[i], won(last_win, i)) +
           score_cell("best_psnr_y", best[i], won(best_win, i)) + "<td data-field=\"best_iteration\" data-value=\"" +
           (b == nullptr ? std::string("NaN") : std::to_string(b->iteration)) + "\">" +
           (b == nullptr ? std::string("\u2014") : std::to_string(b->iteration)) + "</td>" +
           "<td data-field=\"crop_images\" data-value=\"" + std::to_string(crops[i].size()) + "\">" +
           std::to_string(crops[i].size()) + "</td></tr>\n";
  }
  return out + "</tbody></table><p class=\"sort-status\" aria-live=\"polite\"></p></div>\n";
}

}  // namespace

Result<std::vector<ValidationCropSeries>> find_validation_crops(const fs::path& run_dir) {
  const fs::path root = run_dir / "val_crops";
  std::error_code ec;
  std::vector<ValidationCropSeries> out;
  if (!fs::is_directory(root, ec)) return out;
  std::map<std::string, ValidationCropSeries> by_image;
  std::map<std::string, fs::path> hr, lr;
  std::vector<std::pair<int64_t, fs::path>> steps;
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    if (!e.is_directory(ec)) continue;
    const std::string name = e.path().filename().string();
    if (name == "hr") {
      LITESR_ASSIGN_OR_RETURN(hr, images_by_stem(e.path()));
    } else if (name == "lr") {
      LITESR_ASSIGN_OR_RETURN(lr, images_by_stem(e.path()));
    } else if (all_digits(name)) {
      steps.emplace_back(std::stoll(name), e.path());
    }
  }
  if (ec) return io_error("cannot list " + root.string() + ": " + ec.message());
  std::sort(steps.begin(), steps.end());
  for (const auto& [iteration, dir] : steps) {
    LITESR_ASSIGN_OR_RETURN(auto files, images_by_stem(dir));
    for (const auto& [stem, path] : files) {
      ValidationCropSeries& s = by_image[stem];
      s.image = stem;
      s.steps.push_back({iteration, path});
    }
  }
  for (auto& [stem, s] : by_image) {
    if (auto it = hr.find(stem); it != hr.end()) s.hr = it->second;
    if (auto it = lr.find(stem); it != lr.end()) s.lr = it->second;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::string> training_report_json(const std::vector<TrainingRunCurves>& runs,
                                         const TrainingReportOptions& options) {
  ordered_json j;
  j["command"] = options.command;
  j["version"] = options.version;
  ordered_json list = ordered_json::array();
  for (const TrainingRunCurves& r : runs) {
    ordered_json e;
    e["name"] = r.name;
    e["dir"] = r.dir.string();
    e["scale"] = r.scale;
    e["iterations"] = r.last_iteration;
    e["validations"] = r.psnr.size();
    const TrainingPoint* best = best_point(r.psnr);
    e["last_psnr_y"] = r.psnr.empty() ? ordered_json() : ordered_json(r.psnr.back().value);
    e["best_psnr_y"] = best == nullptr ? ordered_json() : ordered_json(best->value);
    e["best_iteration"] = best == nullptr ? ordered_json() : ordered_json(best->iteration);
    ordered_json psnr = ordered_json::array(), loss = ordered_json::array();
    for (const TrainingPoint& p : r.psnr) psnr.push_back({p.iteration, p.value});
    for (const TrainingPoint& p : r.loss) loss.push_back({p.iteration, p.value});
    e["psnr"] = std::move(psnr);
    e["loss"] = std::move(loss);
    LITESR_ASSIGN_OR_RETURN(std::vector<ValidationCropSeries> crops, find_validation_crops(r.dir));
    ordered_json images = ordered_json::array(), iterations = ordered_json::array();
    std::vector<int64_t> its;
    for (const ValidationCropSeries& s : crops) {
      images.push_back(s.image);
      for (const ValidationCropFile& f : s.steps) its.push_back(f.iteration);
    }
    std::sort(its.begin(), its.end());
    its.erase(std::unique(its.begin(), its.end()), its.end());
    for (int64_t it : its) iterations.push_back(it);
    e["crops"] = {{"images", std::move(images)}, {"iterations", std::move(iterations)}};
    list.push_back(std::move(e));
  }
  j["runs"] = std::move(list);
  return j.dump(2) + "\n";
}

Result<std::string> training_report_html(const std::vector<TrainingRunCurves>& runs,
                                         const TrainingReportOptions& options) {
  std::vector<std::vector<ValidationCropSeries>> crops;
  bool any_crops = false;
  for (const TrainingRunCurves& r : runs) {
    LITESR_ASSIGN_OR_RETURN(std::vector<ValidationCropSeries> c, find_validation_crops(r.dir));
    any_crops = any_crops || !c.empty();
    crops.push_back(std::move(c));
  }
  HtmlPage page;
  page.title = options.title;
  page.subtitle_html = "Made by litesr " + html_escape(options.version) +
                       (options.generated.empty() ? std::string() : " on " + html_escape(options.generated)) + ".";
  std::string main =
      "<section id=\"provenance\" aria-labelledby=\"provenance-h\">\n<h2 id=\"provenance-h\">How this "
      "report was made</h2>\n<p>Command:</p>\n<pre class=\"command\"><code id=\"command\">" +
      html_escape(options.command) + "</code></pre>\n<p class=\"muted\">Run folders:";
  for (const TrainingRunCurves& r : runs) main += " <code>" + html_escape(r.dir.string()) + "</code>";
  main += ". Curves come from each folder's train_log.jsonl; validation PSNR-Y is at the run's final scale.</p>\n";
  main += summary_table(runs, crops) + "</section>\n";

  main +=
      "<section id=\"curves\" aria-labelledby=\"curves-h\">\n<h2 id=\"curves-h\">Curves</h2>\n<div class=\"charts\">\n";
  main += chart_html(curve_chart(runs, true)) + chart_html(curve_chart(runs, false)) + "</div>\n</section>\n";

  main += "<section id=\"crops\" aria-labelledby=\"crops-h\">\n<h2 id=\"crops-h\">Validation crops over time</h2>\n";
  std::string panels;
  if (!any_crops) {
    main +=
        "<p class=\"note\" id=\"no-crops\">None of these run folders holds validation crops "
        "(RUN/val_crops/&lt;iteration&gt;/&lt;image&gt;.png), so this report shows the curves only.</p>\n";
  }
  int index = 0;
  for (std::size_t i = 0; i < runs.size() && any_crops; ++i) {
    main += "<h3>" + html_escape(runs[i].name) + "</h3>\n";
    if (crops[i].empty()) {
      main += "<p class=\"note\">" + html_escape(runs[i].name) + " holds no validation crops.</p>\n";
      continue;
    }
    for (const ValidationCropSeries& series : crops[i]) {
      if (series.steps.empty()) continue;
      std::vector<std::string> notes, layer_notes;
      LITESR_ASSIGN_OR_RETURN(ImagePanel panel, crop_panel(series, options, notes, layer_notes));
      for (const std::string& n : notes) main += "<p class=\"note\">" + html_escape(n) + "</p>\n";
      PanelMarkup m;
      m.index = index++;
      m.context = runs[i].name + ", " + std::to_string(series.steps.size()) + " crops, " + std::to_string(panel.width) +
                  "\u00d7" + std::to_string(panel.height) + " px";
      m.layer_notes = layer_notes;
      // Before/after: the first shown iteration against the last.
      int first = -1, last = -1;
      for (std::size_t j = 0; j < panel.layers.size(); ++j) {
        if (panel.layers[j].kind != LayerKind::kMethod) continue;
        if (first < 0) first = static_cast<int>(j);
        last = static_cast<int>(j);
      }
      m.compare_a = std::max(first, 0);
      m.compare_b = last > first ? last : static_cast<int>(panel.layers.size()) - 1;
      main += panel_html(panel, m);
      if (!panels.empty()) panels += ",";
      panels += panel_json(panel);
    }
  }
  main += "</section>\n";
  page.main_html = std::move(main);
  page.data_json = "{\"panels\":[" + panels + "]}";
  page.contents = {{"provenance", "Runs"}, {"curves", "Curves"}, {"crops", "Validation crops"}};
  return render_html_page(page);
}

}  // namespace litesr
