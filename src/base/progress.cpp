#include "base/progress.h"

#include <unistd.h>

#include <cmath>

namespace litesr {

namespace {

bool is_terminal(std::FILE* f) { return f != nullptr && ::isatty(::fileno(f)) == 1; }

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

Result<ProgressMode> parse_progress_mode(std::string_view text) {
  if (text == "auto") return ProgressMode::kAuto;
  if (text == "bar") return ProgressMode::kBar;
  if (text == "json") return ProgressMode::kJson;
  if (text == "none") return ProgressMode::kNone;
  return invalid_argument("unknown progress mode '" + std::string(text) + "' (use auto, bar, json or none)");
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  }
  return buf;
}

Progress::Progress(ProgressMode mode, std::string task, int64_t total, std::FILE* out)
    : mode_(mode), task_(std::move(task)), total_(total), out_(out) {
  if (mode_ == ProgressMode::kAuto) mode_ = is_terminal(out_) ? ProgressMode::kBar : ProgressMode::kNone;
  start_ = std::chrono::steady_clock::now();
  last_emit_ = start_ - std::chrono::hours(1);
}

Progress::~Progress() { finish(); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t n, std::string_view item) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ += n;
  if (!item.empty()) item_ = item;
  emit_locked(false);
}

void Progress::set_done(int64_t done, std::string_view item) {
  std::lock_guard<std::mutex> lock(mu_);
  done_ = done;
  if (!item.empty()) item_ = item;
  emit_locked(false);
}

void Progress::set_fields(std::vector<std::pair<std::string, double>> fields) {
  std::lock_guard<std::mutex> lock(mu_);
  fields_ = std::move(fields);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (emitted_ || done_ > 0) emit_locked(true);
}

void Progress::emit_locked(bool final) {
  if (mode_ == ProgressMode::kNone || out_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_emit_).count();
  const double min_interval = mode_ == ProgressMode::kBar ? 0.1 : 0.25;
  if (!final && since_last < min_interval && !(total_ > 0 && done_ >= total_)) return;
  last_emit_ = now;
  emitted_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = (total_ > 0 && rate > 0) ? static_cast<double>(total_ - done_) / rate : -1.0;

  if (mode_ == ProgressMode::kJson) {
    std::string line = "{\"event\":\"" + std::string(final ? "done" : "progress") + "\",\"task\":\"" +
                       json_escape(task_) + "\",\"done\":" + std::to_string(done_);
    char buf[160];
    if (total_ > 0) line += ",\"total\":" + std::to_string(total_);
    std::snprintf(buf, sizeof buf, ",\"elapsed_s\":%.3f,\"rate\":%.4g", elapsed, rate);
    line += buf;
    if (eta >= 0) {
      std::snprintf(buf, sizeof buf, ",\"eta_s\":%.1f", eta);
      line += buf;
    }
    for (const auto& [key, value] : fields_) {
      std::snprintf(buf, sizeof buf, ",\"%s\":%.6g", json_escape(key).c_str(), std::isfinite(value) ? value : 0.0);
      line += buf;
    }
    if (!item_.empty()) line += ",\"item\":\"" + json_escape(item_) + "\"";
    line += "}\n";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
    return;
  }

  // Bar mode.
  constexpr int kBarWidth = 24;
  std::string line = "\r" + task_ + "  ";
  if (total_ > 0) {
    const int filled = static_cast<int>(kBarWidth * std::min<double>(1.0, static_cast<double>(done_) / total_));
    line += "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]  ";
    line += std::to_string(done_) + "/" + std::to_string(total_);
  } else {
    line += std::to_string(done_);
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "  %.3g it/s", rate);
  line += buf;
  for (const auto& [key, value] : fields_) {
    std::snprintf(buf, sizeof buf, "  %s %.4g", key.c_str(), value);
    line += buf;
  }
  line += final ? "  in " + format_duration(elapsed) : (eta >= 0 ? "  ETA " + format_duration(eta) : "");
  if (!item_.empty() && !final) line += "  " + item_;
  line += "\x1b[K";  // clear the rest of the terminal line
  if (final) line += "\n";
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace litesr
