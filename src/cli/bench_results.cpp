#include "cli/bench_results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "profile/timing.h"

namespace litesr::cli {
namespace {

// Summary numbers of one engine in one case (NaN when it did not run).
struct Summary {
  double ms = NAN, ms_min = NAN, ms_max = NAN, cpu_ms = NAN;
};

Summary summarize(const CaseResult& r, const std::string& engine) {
  Summary s;
  auto it = r.times.find(engine);
  if (it == r.times.end() || it->second.ms.empty()) return s;
  const auto& ms = it->second.ms;
  s.ms = median_of(ms);
  s.ms_min = *std::min_element(ms.begin(), ms.end());
  s.ms_max = *std::max_element(ms.begin(), ms.end());
  if (!it->second.cpu_ms.empty()) s.cpu_ms = median_of(it->second.cpu_ms);
  return s;
}

nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

double round4(double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : v; }

nlohmann::json case_json(const CaseResult& r, const BenchArgs& args, const MachineInfo& m) {
  nlohmann::json ms = nlohmann::json::object(), ms_min = nlohmann::json::object(), cpu = nlohmann::json::object();
  std::map<std::string, Summary> sum;
  for (const char* e : kEngines) {
    sum[e] = summarize(r, e);
    ms[e] = num_or_null(round4(sum[e].ms));
    ms_min[e] = num_or_null(round4(sum[e].ms_min));
    cpu[e] = num_or_null(round4(sum[e].cpu_ms));
  }
  const double lm = sum[kLitesr].ms;
  const double gflop = 2.0 * static_cast<double>(r.macs_per_frame) * 1e-9;
  const double per_core_peak = m.peak.gflops_cpu / std::max(1, m.peak.threads);  // one dedicated core
  nlohmann::json skipped = nlohmann::json::object();
  for (const auto& [e, why] : r.skipped) skipped[e] = why;
  nlohmann::json diff = nlohmann::json::object();
  for (const char* e : kPeers) {
    const auto it = r.max_abs_diff.find(e);
    diff[e] = it == r.max_abs_diff.end() ? nlohmann::json(nullptr) : num_or_null(it->second);
  }
  nlohmann::json j = {
      {"name", r.c.name},
      {"description", r.c.description},
      {"model", r.c.model.empty() ? r.c.arch : r.c.model},
      {"weights", r.weights},
      {"model_mode", r.mode},
      {"input_width", r.c.width},
      {"input_height", r.c.height},
      {"frames", r.frames},
      {"output_width", r.out_width},
      {"output_height", r.out_height},
      {"macs_per_frame", r.macs_per_frame},
      {"litesr_path", r.litesr_path},
      {"threads", args.threads},
      {"reps", args.reps},
      {"warmup", args.warmup},
      {"warm_each", args.warm_each},
      {"ms_per_frame", ms},
      {"ms_per_frame_min", ms_min},
      {"cpu_ms_per_frame", cpu},
      {"fps", num_or_null(round4(1e3 / lm))},
      {"gflops", num_or_null(round4(gflop / (lm * 1e-3)))},
      {"fma_peak_fraction", num_or_null(round4(gflop / (lm * 1e-3) / m.peak.gflops_cpu))},
      {"fma_peak_fraction_cpu", num_or_null(round4(gflop / (sum[kLitesr].cpu_ms * 1e-3) / per_core_peak))},
      {"max_abs_diff_vs_litesr", diff},
      {"skipped", skipped}};
  for (const char* e : kPeers) {
    j[std::string("speedup_vs_") + e] = num_or_null(round4(sum[e].ms / lm));
    j[std::string("cpu_speedup_vs_") + e] = num_or_null(round4(sum[e].cpu_ms / sum[kLitesr].cpu_ms));
  }
  return j;
}

namespace {

std::string fmt(const char* format, double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "a / b" of two formatted values, "-" when both are missing.
std::string pair(const char* format, double a, double b) {
  if (!std::isfinite(a) && !std::isfinite(b)) return "-";
  return fmt(format, a) + " / " + fmt(format, b);
}

}  // namespace

void print_table(const std::vector<CaseResult>& results, const MachineInfo& m) {
  // Peer columns: ms per frame each, then LiteSR's speed-up over each (wall / cpu).
  const std::vector<std::pair<const char*, const char*>> peers = {
      {kLibtorch, "libtorch"}, {kOnnxruntime, "onnxrt"}, {kXnnpack, "xnnpack"}, {kOnednn, "onednn"}};
  std::string head1, head2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%-20s %-10s %-14s %9s", "case", "input", "litesr path", "litesr");
  head1 = buf;
  std::snprintf(buf, sizeof buf, "%-20s %-10s %-14s %9s", "", "(LR)", "", "ms/frame");
  head2 = buf;
  for (const auto& [e, label] : peers) {
    std::snprintf(buf, sizeof buf, " %9s", label);
    head1 += buf;
    std::snprintf(buf, sizeof buf, " %9s", "ms/frame");
    head2 += buf;
  }
  for (const auto& [e, label] : peers) {
    std::snprintf(buf, sizeof buf, " %15s", (std::string("vs ") + label).c_str());
    head1 += buf;
    std::snprintf(buf, sizeof buf, " %15s", "wall / cpu");
    head2 += buf;
  }
  std::snprintf(buf, sizeof buf, " %7s %15s", "fps", "FMA peak");
  head1 += buf;
  std::snprintf(buf, sizeof buf, " %7s %15s", "", "wall / cpu");
  head2 += buf;
  std::printf("%s\n%s\n", head1.c_str(), head2.c_str());
  std::map<std::pair<std::string, std::string>, std::string> notes;  // (engine, reason): the cases it applies to
  for (const CaseResult& r : results) {
    const Summary l = summarize(r, kLitesr);
    const double gflop = 2.0 * static_cast<double>(r.macs_per_frame) * 1e-9;
    const double frac_wall = gflop / (l.ms * 1e-3) / m.peak.gflops_cpu;  // `threads` dedicated cores' peak
    const double frac_cpu = gflop / (l.cpu_ms * 1e-3) / (m.peak.gflops_cpu / std::max(1, m.peak.threads));
    const std::string input = std::to_string(r.c.width) + "x" + std::to_string(r.c.height) +
                              (r.frames > 1 ? "x" + std::to_string(r.frames) : "");
    std::printf("%-20s %-10s %-14s %9s", r.c.name.c_str(), input.c_str(), r.litesr_path.c_str(),
                fmt("%.2f", l.ms).c_str());
    for (const auto& [e, label] : peers) std::printf(" %9s", fmt("%.2f", summarize(r, e).ms).c_str());
    for (const auto& [e, label] : peers) {
      const Summary p = summarize(r, e);
      std::printf(" %15s", pair("%.2fx", p.ms / l.ms, p.cpu_ms / l.cpu_ms).c_str());
    }
    std::printf(" %7s %15s\n", fmt("%.1f", 1e3 / l.ms).c_str(),
                pair("%.1f%%", 100 * frac_wall, 100 * frac_cpu).c_str());
    for (const auto& [e, why] : r.skipped) {
      std::string& cases = notes[{e, why}];
      cases += (cases.empty() ? "" : ", ") + r.c.name;
    }
  }
  for (const auto& [key, cases] : notes) {
    const bool all = std::count(cases.begin(), cases.end(), ',') + 1 == static_cast<std::ptrdiff_t>(results.size());
    std::printf("%s: %s%s\n", key.first.c_str(), key.second.c_str(), all ? "" : (" (" + cases + ")").c_str());
  }
  std::set<std::pair<std::string, std::string>> described;  // in-process peers: how they ran (FP32, INT8)
  for (const CaseResult& r : results)
    for (const auto& [e, d] : r.peer_description) described.insert({e, d});
  for (const auto& [e, d] : described) std::printf("%s = %s\n", e.c_str(), d.c_str());
  // Per precision (INT8 models are checked against INT8 peers with their own bound): peer -> largest difference.
  for (const bool int8 : {false, true}) {
    std::map<std::string, double> worst;
    for (const CaseResult& r : results) {
      if (r.litesr_path.starts_with("int8") != int8) continue;
      for (const auto& [e, d] : r.max_abs_diff) worst[e] = std::max(worst[e], d);
    }
    if (worst.empty()) continue;
    std::string line;
    for (const auto& [e, d] : worst) line += (line.empty() ? "" : ", ") + e + " " + fmt("%.4f", d);
    std::printf("equality check%s (output 0 vs LiteSR's u8, first and last frame of a run, bound %.4f): max |difference| "
                "%s\n",
                int8 ? " of INT8 models" : "", int8 ? kInt8CheckTolerance : kCheckTolerance, line.c_str());
  }
  std::fflush(stdout);
}

Svg time_chart(const std::vector<CaseResult>& results, const BenchArgs& args, const MachineInfo& m) {
  BarChart chart;
  chart.title = "litesr bench: median ms per frame, " + std::to_string(args.threads) + " thread" +
                (args.threads == 1 ? "" : "s") + ", " + m.cpu_model + ", load average " + fmt("%.1f", m.load_start);
  double lo = INFINITY, hi = 0;
  for (const char* e : kEngines) {
    BarSeries s;
    s.name = e;
    bool any = false;
    for (const CaseResult& r : results) {
      const double v = summarize(r, e).ms;
      s.values.push_back(v);
      if (std::isfinite(v)) {
        any = true;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    if (any) chart.series.push_back(std::move(s));
  }
  for (const CaseResult& r : results) chart.groups.push_back(r.c.name);
  chart.value_axis.label = "ms per frame, lower is better";
  chart.value_axis.log = std::isfinite(lo) && lo > 0 && hi > 30 * lo;
  return bar_chart_svg(chart);
}

}  // namespace litesr::cli
