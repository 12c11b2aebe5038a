// An image panel (report/image_panel.h) as HTML, and the JSON the page script draws it from.
//
// Markup (assets/report.js and the browser tests rely on it):
//   article.panel#panel-<i>[data-panel=<i>]          i indexes data.panels
//     .overview img (alt text) + .box[data-view=k] per region + button.region[data-view=k][aria-pressed]
//     .viewer[tabindex=0] with canvas.pane-canvas[data-layer=j] per layer (role=img, aria-label), zoom buttons
//     .compare: select.compare-a / select.compare-b (layer indices), canvas.compare-canvas, input.split (0..100)
// JSON: {"name", "width", "height", "scale", "views": [{"label", "x", "y", "w", "h"}],
//        "layers": [{"label", "kind": "lr"|"method"|"hr", "src": data URI, "cells": [[x, y, w, h], ...],
//                    "psnr": [dB, null (not scored) or "Infinity" per view]}]}
#pragma once

#include <string>
#include <vector>

#include "report/image_panel.h"

namespace litesr {

struct PanelMarkup {
  int index = 0;                            // data-panel
  std::string context;                      // shown after the name: "Set5 ×4, 512×512"
  std::string thumbnail_what = "HR image";  // what the thumbnail shows, for its alt text
  std::vector<std::string> layer_notes;     // per layer: a caption line under its label ("" = none)
  int compare_a = 0;                        // layers split by the before/after slider, left and right
  int compare_b = 1;
  std::string heading = "h4";
};

// A region in words: which methods differ most there (names from the panel's layers), and where it is.
std::string region_description(const ImagePanel& panel, const DifferenceRegion& region);

std::string panel_html(const ImagePanel& panel, const PanelMarkup& markup);
std::string panel_json(const ImagePanel& panel);

}  // namespace litesr
