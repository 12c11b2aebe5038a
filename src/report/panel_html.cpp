#include "report/panel_html.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "report/html_encoding.h"
#include "report/html_page.h"

namespace litesr {
namespace {

constexpr int kPaneCanvas = 400;     // canvas pixels (shown at 200 CSS px: sharp on 2x screens)
constexpr int kCompareCanvas = 640;  // shown at 320 CSS px

std::string method_label(const ImagePanel& panel, int method) {
  for (const PanelLayer& l : panel.layers) {
    if (l.kind == LayerKind::kMethod && l.method == method) return l.label;
  }
  return "method " + std::to_string(method);
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f%%", v * 100.0);
  return buf;
}

}  // namespace

std::string region_description(const ImagePanel& panel, const DifferenceRegion& r) {
  std::string what;
  switch (r.kind) {
    case RegionKind::kDisagreement:
      what = method_label(panel, r.a) + " and " + method_label(panel, r.b) + " differ most (mean |\u0394Y| " +
             one_decimal(r.pair_mean_abs_diff) + ")";
      break;
    case RegionKind::kError:
      what = "largest error against HR: " + method_label(panel, r.a) + " (mean |\u0394Y| " +
             one_decimal(r.pair_mean_abs_diff) + ")";
      break;
    case RegionKind::kDetail:
      what = "most detailed area";
      break;
  }
  return what + " at " + std::to_string(r.x) + ", " + std::to_string(r.y) + ", " + std::to_string(r.size) + "\u00d7" +
         std::to_string(r.size) + " px";
}

std::string panel_html(const ImagePanel& panel, const PanelMarkup& m) {
  const std::string id = "panel-" + std::to_string(m.index);
  const std::string name = html_escape(panel.name);
  std::string out = "<article class=\"panel\" id=\"" + id + "\" data-panel=\"" + std::to_string(m.index) +
                    "\" aria-labelledby=\"" + id + "-h\">\n<" + m.heading + " id=\"" + id + "-h\">" + name;
  if (!m.context.empty()) out += " <span class=\"muted\">\u2014 " + html_escape(m.context) + "</span>";
  out += "</" + m.heading + ">\n<div class=\"panel-body\">\n";

  // Overview: the thumbnail with the regions outlined, and a button per view.
  out += "<div class=\"overview\">\n";
  if (!panel.thumbnail.bytes.empty()) {
    out += "<div class=\"thumb\"><img src=\"" + data_uri(panel.thumbnail.mime, panel.thumbnail.bytes) + "\" width=\"" +
           std::to_string(panel.thumbnail.width) + "\" height=\"" + std::to_string(panel.thumbnail.height) +
           "\" alt=\"" +
           html_escape(panel.name + ": overview of the " + m.thumbnail_what + " (" + std::to_string(panel.width) +
                       "\u00d7" + std::to_string(panel.height) + " px)" +
                       (panel.regions.empty() ? "" : "; the numbered boxes mark the regions listed below")) +
           "\">";
    for (std::size_t k = 0; k < panel.views.size(); ++k) {
      const PanelView& v = panel.views[k];
      if (v.region < 0) continue;
      out += "<span class=\"box" + std::string(k == 0 ? " selected" : "") + "\" data-view=\"" + std::to_string(k) +
             "\" aria-hidden=\"true\" style=\"left:" + percent(static_cast<double>(v.x) / panel.width) +
             ";top:" + percent(static_cast<double>(v.y) / panel.height) +
             ";width:" + percent(static_cast<double>(v.width) / panel.width) +
             ";height:" + percent(static_cast<double>(v.height) / panel.height) + "\"><span>" + std::to_string(k + 1) +
             "</span></span>";
    }
    out += "</div>\n";
  }
  out += "<div class=\"regions\" role=\"group\" aria-label=\"Regions of " + name + " to view\">\n";
  for (std::size_t k = 0; k < panel.views.size(); ++k) {
    const PanelView& v = panel.views[k];
    const std::string text =
        v.region >= 0 ? v.label + ": " + region_description(panel, panel.regions[v.region])
                      : v.label + " (" + std::to_string(v.width) + "\u00d7" + std::to_string(v.height) + " px)";
    out += "<button type=\"button\" class=\"region\" data-view=\"" + std::to_string(k) + "\" aria-pressed=\"" +
           (k == 0 ? "true" : "false") + "\">" + html_escape(text) + "</button>\n";
  }
  out += "</div>\n</div>\n";

  // The synchronised views: one canvas per layer.
  out += "<div class=\"viewer\" tabindex=\"0\" role=\"group\" aria-label=\"" + name +
         ": synchronised views of every method\" aria-describedby=\"" + id + "-help\">\n";
  for (std::size_t j = 0; j < panel.layers.size(); ++j) {
    const PanelLayer& l = panel.layers[j];
    const std::string label = html_escape(l.label);
    out += "<figure class=\"pane\"><canvas class=\"pane-canvas\" data-layer=\"" + std::to_string(j) + "\" width=\"" +
           std::to_string(kPaneCanvas) + "\" height=\"" + std::to_string(kPaneCanvas) +
           "\" role=\"img\" aria-label=\"" + label + ", " +
           html_escape(panel.views.empty() ? std::string() : panel.views[0].label) + " of " + name +
           "\"></canvas><figcaption>" + label;
    if (j < m.layer_notes.size() && !m.layer_notes[j].empty()) {
      out += "<span class=\"view-note\"><br>" + html_escape(m.layer_notes[j]) + "</span>";
    }
    out += "<span class=\"view-psnr\" data-layer=\"" + std::to_string(j) + "\"></span></figcaption></figure>\n";
  }
  out +=
      "<div class=\"viewer-controls\"><button type=\"button\" data-zoom=\"in\" aria-label=\"Zoom in\">+</button>"
      "<button type=\"button\" data-zoom=\"out\" aria-label=\"Zoom out\">\u2212</button>"
      "<button type=\"button\" data-zoom=\"reset\">Reset</button> "
      "<span class=\"zoom-level\" aria-live=\"polite\">1.0\u00d7</span></div>\n";
  out += "<p class=\"help\" id=\"" + id +
         "-help\">Wheel or + and \u2212 zoom, drag or arrow keys pan, 0 resets; every view follows. "
         "The LR is magnified with nearest-neighbour pixels.</p>\n</div>\n";

  // Before/after.
  if (panel.layers.size() >= 2) {
    auto options = [&](int selected) {
      std::string o;
      for (std::size_t j = 0; j < panel.layers.size(); ++j) {
        o += "<option value=\"" + std::to_string(j) + "\"" + (static_cast<int>(j) == selected ? " selected" : "") +
             ">" + html_escape(panel.layers[j].label) + "</option>";
      }
      return o;
    };
    out += "<div class=\"compare\" role=\"group\" aria-label=\"Before/after comparison of " + name + "\">\n";
    out += "<label>Left <select class=\"compare-a\" aria-label=\"Left of the divider\">" + options(m.compare_a) +
           "</select></label>\n";
    out += "<label>Right <select class=\"compare-b\" aria-label=\"Right of the divider\">" + options(m.compare_b) +
           "</select></label>\n";
    out += "<canvas class=\"compare-canvas\" width=\"" + std::to_string(kCompareCanvas) + "\" height=\"" +
           std::to_string(kCompareCanvas) + "\" role=\"img\" aria-label=\"Before/after of " + name + ": " +
           html_escape(panel.layers[m.compare_a].label) + " left, " + html_escape(panel.layers[m.compare_b].label) +
           " right\"></canvas>\n";
    out +=
        "<label>Divider position <input type=\"range\" class=\"split\" min=\"0\" max=\"100\" step=\"1\" "
        "value=\"50\"></label>\n";
    out += "<p class=\"help\">Drag on the image or use the slider to move the divider (shift-drag pans).</p>\n</div>\n";
  }
  out += "</div>\n</article>\n";
  return out;
}

std::string panel_json(const ImagePanel& panel) {
  nlohmann::ordered_json j;
  j["name"] = panel.name;
  j["width"] = panel.width;
  j["height"] = panel.height;
  j["scale"] = panel.scale;
  nlohmann::ordered_json views = nlohmann::ordered_json::array();
  for (const PanelView& v : panel.views) {
    views.push_back({{"label", v.label}, {"x", v.x}, {"y", v.y}, {"w", v.width}, {"h", v.height}});
  }
  j["views"] = std::move(views);
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const PanelLayer& l : panel.layers) {
    nlohmann::ordered_json e;
    e["label"] = l.label;
    e["kind"] = l.kind == LayerKind::kLr ? "lr" : l.kind == LayerKind::kHr ? "hr" : "method";
    e["src"] = data_uri(l.image.mime, l.image.bytes);
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const auto& c : l.cells) cells.push_back({c[0], c[1], c[2], c[3]});
    e["cells"] = std::move(cells);
    nlohmann::ordered_json psnr = nlohmann::ordered_json::array();
    for (double p : l.view_psnr_y) {  // null: not scored; "Infinity": identical to the HR
      psnr.push_back(std::isnan(p)   ? nlohmann::ordered_json()
                     : std::isinf(p) ? nlohmann::ordered_json("Infinity")
                                     : nlohmann::ordered_json(p));
    }
    e["psnr"] = std::move(psnr);
    layers.push_back(std::move(e));
  }
  j["layers"] = std::move(layers);
  return j.dump();
}

}  // namespace litesr
