#include "profile/profile_report.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace litesr {

std::string si_count(double value, int digits) {
  const char* suffix = "";
  double v = value;
  if (std::fabs(value) >= 1e9) {
    v = value / 1e9;
    suffix = " G";
  } else if (std::fabs(value) >= 1e6) {
    v = value / 1e6;
    suffix = " M";
  } else if (std::fabs(value) >= 1e3) {
    v = value / 1e3;
    suffix = " K";
  } else {
    digits = 0;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f%s", digits, v, suffix);
  return buf;
}

std::string profile_report_text(const ComplexityReport& r, const ProfileReportOptions& options) {
  std::string out;
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  add("model        %s x%d%s\n", r.arch.c_str(), r.scale,
      r.input_frames > 1 ? (" (" + std::to_string(r.input_frames) + " frames per input)").c_str() : "");
  add("input        %dx%d LR -> output %dx%d\n", r.input_width, r.input_height, r.output_width, r.output_height);
  add("convention   %s (FLOPs = 2 x MACs)\n", std::string(convention_name(r.convention)).c_str());
  add("params       %lld (%s)\n", static_cast<long long>(r.params), si_count(static_cast<double>(r.params)).c_str());
  add("MACs         %lld (%s)\n", static_cast<long long>(r.macs), si_count(static_cast<double>(r.macs)).c_str());
  add("FLOPs        %lld (%s)\n", static_cast<long long>(r.flops), si_count(static_cast<double>(r.flops)).c_str());
  add("MACs/LR px   %.1f\n", static_cast<double>(r.macs) / (static_cast<double>(r.input_width) * r.input_height));
  add("activations  %lld (%s), %d conv layers\n", static_cast<long long>(r.activations),
      si_count(static_cast<double>(r.activations)).c_str(), r.conv_layers);
  add("peak memory  %lld bytes (%.2f MiB, layer-by-layer liveness estimate, float32)\n",
      static_cast<long long>(r.peak_memory_bytes), static_cast<double>(r.peak_memory_bytes) / (1 << 20));
  if (options.timing != nullptr) {
    const TimingResult& t = *options.timing;
    add("runtime      median %.3f ms (min %.3f, max %.3f) over %d runs after %d warm-up, %d thread%s%s%s\n",
        t.median_ms, t.min_ms, t.max_ms, t.timed_runs, t.warmup_runs, t.threads, t.threads == 1 ? "" : "s",
        options.timing_engine.empty() ? "" : ", ", options.timing_engine.c_str());
  }
  if (options.layers) {
    add("\n%-28s %-18s %-18s %12s %16s %14s\n", "layer", "op", "output CxHxW", "params", "MACs", "activations");
    for (const LayerComplexity& l : r.layers) {
      const std::string shape =
          std::to_string(l.channels) + "x" + std::to_string(l.height) + "x" + std::to_string(l.width);
      add("%-28s %-18s %-18s %12lld %16lld %14lld\n", l.name.c_str(), std::string(op_kind_name(l.op)).c_str(),
          shape.c_str(), static_cast<long long>(l.params), static_cast<long long>(l.macs),
          static_cast<long long>(l.activations));
    }
  }
  return out;
}

std::string profile_report_json(const ComplexityReport& r, const ProfileReportOptions& options) {
  nlohmann::ordered_json j;
  j["arch"] = r.arch;
  j["scale"] = r.scale;
  j["input_frames"] = r.input_frames;
  j["convention"] = std::string(convention_name(r.convention));
  j["input"] = {{"width", r.input_width}, {"height", r.input_height}};
  j["output"] = {{"width", r.output_width}, {"height", r.output_height}};
  j["params"] = r.params;
  j["macs"] = r.macs;
  j["flops"] = r.flops;
  j["activations"] = r.activations;
  j["conv_layers"] = r.conv_layers;
  j["peak_memory_bytes"] = r.peak_memory_bytes;
  j["peak_memory_method"] = "liveness";
  if (options.layers) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const LayerComplexity& l : r.layers) {
      layers.push_back({{"name", l.name},
                        {"op", std::string(op_kind_name(l.op))},
                        {"channels", l.channels},
                        {"height", l.height},
                        {"width", l.width},
                        {"params", l.params},
                        {"macs", l.macs},
                        {"activations", l.activations}});
    }
    j["layers"] = std::move(layers);
  }
  if (options.timing != nullptr) {
    const TimingResult& t = *options.timing;
    j["runtime"] = {{"warmup_runs", t.warmup_runs}, {"timed_runs", t.timed_runs}, {"threads", t.threads},
                    {"engine", options.timing_engine}, {"median_ms", t.median_ms}, {"min_ms", t.min_ms},
                    {"max_ms", t.max_ms}, {"mean_ms", t.mean_ms}, {"runs_ms", t.runs_ms}};
  }
  return j.dump(2) + "\n";
}

}  // namespace litesr
