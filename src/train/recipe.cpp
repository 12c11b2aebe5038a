#include "train/recipe.h"

#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "calibration/calibrate.h"
#include "io/image_folder.h"
#include "models/builtin_models.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;

// Typed access to one TOML table with unknown-key detection; `where` names the table in errors.
class TableReader {
 public:
  TableReader(const toml::table& t, std::string where) : t_(t), where_(std::move(where)) {}

  bool has(const char* key) {
    known_.insert(key);
    return t_.contains(key);
  }
  Status err(const char* key, const std::string& what) const {
    return invalid_argument(where_ + ": key '" + key + "' " + what);
  }
  template <typename T>
  Status get_int(const char* key, T& out, int64_t lo, int64_t hi) {
    if (!has(key)) return {};
    auto v = t_[key].value_exact<int64_t>();
    if (!v) return err(key, "must be an integer");
    if (*v < lo || *v > hi) return err(key, "= " + std::to_string(*v) + " is outside [" + std::to_string(lo) + ", " +
                                                std::to_string(hi) + "]");
    out = static_cast<T>(*v);
    return {};
  }
  Status get_double(const char* key, double& out, double lo, double hi) {
    if (!has(key)) return {};
    auto v = t_[key].value<double>();
    if (!v || t_[key].is_boolean()) return err(key, "must be a number");
    if (!(*v >= lo && *v <= hi)) return err(key, "= " + std::to_string(*v) + " is out of range");
    out = *v;
    return {};
  }
  Status get_bool(const char* key, bool& out) {
    if (!has(key)) return {};
    auto v = t_[key].value_exact<bool>();
    if (!v) return err(key, "must be true or false");
    out = *v;
    return {};
  }
  Status get_string(const char* key, std::string& out) {
    if (!has(key)) return {};
    auto v = t_[key].value_exact<std::string>();
    if (!v) return err(key, "must be a string");
    out = *v;
    return {};
  }
  Status get_string_list(const char* key, std::vector<std::string>& out) {
    if (!has(key)) return {};
    const toml::array* a = t_[key].as_array();
    if (a == nullptr) {  // a single string is a one-element list
      auto v = t_[key].value_exact<std::string>();
      if (!v) return err(key, "must be a string or an array of strings");
      out = {*v};
      return {};
    }
    out.clear();
    for (const auto& node : *a) {
      auto v = node.value_exact<std::string>();
      if (!v) return err(key, "must be an array of strings");
      out.push_back(*v);
    }
    return {};
  }
  Status get_int_list(const char* key, std::vector<int64_t>& out) {
    if (!has(key)) return {};
    const toml::array* a = t_[key].as_array();
    if (a == nullptr) return err(key, "must be an array of integers");
    out.clear();
    for (const auto& node : *a) {
      auto v = node.value_exact<int64_t>();
      if (!v) return err(key, "must be an array of integers");
      out.push_back(*v);
    }
    return {};
  }
  Status check_unknown() const {
    for (const auto& [k, v] : t_) {
      if (!known_.count(std::string(k.str()))) return invalid_argument(where_ + ": unknown key '" + std::string(k.str()) + "'");
    }
    return {};
  }

 private:
  const toml::table& t_;
  std::string where_;
  std::set<std::string> known_;
};

Result<LossKind> parse_loss(const std::string& s) {
  if (s == "l1") return LossKind::kL1;
  if (s == "mse" || s == "l2") return LossKind::kMse;
  if (s == "charbonnier") return LossKind::kCharbonnier;
  return invalid_argument("unknown loss '" + s + "' (l1, mse, charbonnier)");
}

Result<const toml::table*> sub_table(const toml::table& root, const char* key, bool required) {
  if (!root.contains(key)) {
    if (required) return invalid_argument(std::string("missing table [") + key + "]");
    return static_cast<const toml::table*>(nullptr);
  }
  const toml::table* t = root[key].as_table();
  if (t == nullptr) return invalid_argument(std::string("'") + key + "' must be a table");
  return t;
}

Result<ModelConfig> parse_model_table(const toml::table& t) {
  auto arch = t["arch"].value_exact<std::string>();
  if (!arch) return invalid_argument("[model]: key 'arch' (a string) is required");
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "arch") continue;
    if (auto i = v.value_exact<int64_t>()) {
      j[key] = *i;
    } else if (auto b = v.value_exact<bool>()) {
      j[key] = *b;
    } else if (auto d = v.value_exact<double>()) {
      j[key] = *d;
    } else if (auto s = v.value_exact<std::string>()) {
      j[key] = *s;
    } else {
      return invalid_argument("[model]: key '" + key + "' must be a number, boolean or string");
    }
  }
  Result<ModelConfig> c = parse_model_config(*arch, j.dump());
  if (!c.ok()) return c.status().with_context("[model]");
  return c;
}

Status parse_data(const toml::table& t, const fs::path& base, DataSpec& d) {
  TableReader r(t, "[data]");
  std::string kind = "hr_folders", border = "replicate";
  std::vector<std::string> hr, lr;
  LITESR_RETURN_IF_ERROR(r.get_string("kind", kind));
  LITESR_RETURN_IF_ERROR(r.get_string_list("hr_dirs", hr));
  LITESR_RETURN_IF_ERROR(r.get_string_list("lr_dirs", lr));
  LITESR_RETURN_IF_ERROR(r.get_string("lr_border", border));
  LITESR_RETURN_IF_ERROR(r.get_bool("flips", d.flips));
  LITESR_RETURN_IF_ERROR(r.get_bool("rotations", d.rotations));
  LITESR_RETURN_IF_ERROR(r.get_int("loader_threads", d.loader_threads, 1, 64));
  LITESR_RETURN_IF_ERROR(r.get_int("frames", d.frames, 1, 64));
  LITESR_RETURN_IF_ERROR(r.get_int("max_shift", d.max_shift, 0, 16));
  LITESR_RETURN_IF_ERROR(r.check_unknown());
  if (kind == "hr_folders") {
    d.kind = DataKind::kHrFolders;
  } else if (kind == "paired_folders") {
    d.kind = DataKind::kPairedFolders;
  } else if (kind == "video_synthetic") {
    d.kind = DataKind::kVideoSynthetic;
  } else if (kind == "reds") {
    d.kind = DataKind::kReds;
  } else {
    return invalid_argument("[data]: unknown kind '" + kind + "' (hr_folders, paired_folders, video_synthetic, reds)");
  }
  Result<BorderMode> bm = parse_border_mode(border);
  if (!bm.ok()) return bm.status().with_context("[data] lr_border");
  d.lr_border = *bm;
  if (hr.empty()) return invalid_argument("[data]: key 'hr_dirs' (one or more folders) is required");
  const bool needs_lr = d.kind == DataKind::kPairedFolders || d.kind == DataKind::kReds;
  if (needs_lr && lr.size() != hr.size()) {
    return invalid_argument("[data]: kind '" + kind + "' needs 'lr_dirs' with one folder per 'hr_dirs' entry");
  }
  if (!needs_lr && !lr.empty()) return invalid_argument("[data]: 'lr_dirs' is only used by paired_folders and reds");
  for (const auto& p : hr) d.hr_dirs.push_back((base / p).lexically_normal());
  for (const auto& p : lr) d.lr_dirs.push_back((base / p).lexically_normal());
  return {};
}

Status parse_stage(const toml::table& t, int index, const StageSpec* prev, int model_scale, const fs::path& base,
                   StageSpec& s) {
  if (prev != nullptr) {
    s = *prev;
    s.schedule.milestones.clear();  // schedules are per stage: not inherited
    s.schedule = ScheduleSpec{};
    s.nas = NasSpec{};  // search settings are per stage: not inherited
  } else {
    s.scale = model_scale;
  }
  s.name = "stage" + std::to_string(index + 1);
  TableReader r(t, "[[stages]] #" + std::to_string(index + 1));
  std::string loss, schedule = "constant";
  std::vector<int64_t> betas_unused;
  LITESR_RETURN_IF_ERROR(r.get_string("name", s.name));
  LITESR_RETURN_IF_ERROR(r.get_int("scale", s.scale, kMinTrainingScale, kMaxTrainingScale));
  LITESR_RETURN_IF_ERROR(r.get_string("loss", loss));
  LITESR_RETURN_IF_ERROR(r.get_double("charbonnier_eps", s.charbonnier_eps, 0.0, 1.0));
  LITESR_RETURN_IF_ERROR(r.get_double("luma_weight", s.luma_weight, 0.0, 1.0));
  LITESR_RETURN_IF_ERROR(r.get_int("patch", s.patch, 4, 4096));
  LITESR_RETURN_IF_ERROR(r.get_int("batch", s.batch, 1, 4096));
  LITESR_RETURN_IF_ERROR(r.get_int("iterations", s.iterations, 1, int64_t{1} << 40));
  LITESR_RETURN_IF_ERROR(r.get_double("lr", s.lr, 0.0, 10.0));
  LITESR_RETURN_IF_ERROR(r.get_string("schedule", schedule));
  LITESR_RETURN_IF_ERROR(r.get_int("step_size", s.schedule.step_size, 1, int64_t{1} << 40));
  LITESR_RETURN_IF_ERROR(r.get_int_list("milestones", s.schedule.milestones));
  LITESR_RETURN_IF_ERROR(r.get_double("gamma", s.schedule.gamma, 0.0, 1.0));
  LITESR_RETURN_IF_ERROR(r.get_double("min_lr", s.schedule.min_lr, 0.0, 10.0));
  LITESR_RETURN_IF_ERROR(r.get_int("warmup", s.schedule.warmup, 0, int64_t{1} << 40));
  LITESR_RETURN_IF_ERROR(r.get_double("weight_decay", s.weight_decay, 0.0, 1.0));
  LITESR_RETURN_IF_ERROR(r.get_bool("reset_optimizer", s.reset_optimizer));
  LITESR_RETURN_IF_ERROR(r.get_bool("nas", s.nas.enabled));
  std::string qat_calib;
  LITESR_RETURN_IF_ERROR(r.get_bool("qat", s.qat));
  LITESR_RETURN_IF_ERROR(r.get_string("qat_calib", qat_calib));
  LITESR_RETURN_IF_ERROR(r.get_string("qat_method", s.qat_method));
  LITESR_RETURN_IF_ERROR(r.get_bool("qat_learn_ranges", s.qat_learn_ranges));
  if (!qat_calib.empty()) s.qat_calib = (base / qat_calib).lexically_normal();
  if (prev != nullptr && prev->qat && !s.qat) {
    return r.err("qat", "must stay true after a quantization-aware stage (the network is an INT8 model from there on)");
  }
  for (const char* key : {"qat_calib", "qat_method", "qat_learn_ranges"}) {
    if (r.has(key) && !s.qat) return r.err(key, "is only valid in a quantization-aware stage (qat = true)");
  }
  if (prev != nullptr && prev->qat && s.qat_learn_ranges != prev->qat_learn_ranges) {
    return r.err("qat_learn_ranges", "must be the same in every quantization-aware stage (the network is built once)");
  }
  if (s.qat && s.qat_calib.empty()) {
    return r.err("qat_calib", "is required in a quantization-aware stage (qat = true): a folder of calibration images");
  }
  if (s.qat && s.nas.enabled) return r.err("qat", "a search stage (nas = true) cannot also be quantization-aware");
  std::string teacher = s.teacher;
  LITESR_RETURN_IF_ERROR(r.get_string("teacher", teacher));
  LITESR_RETURN_IF_ERROR(r.get_double("distill_weight", s.distill_weight, 0.0, 1.0));
  if (r.has("teacher")) {  // a path (models::is_model_path) resolves against base_dir; anything else is a name
    s.teacher = models::is_model_path(teacher) ? (base / teacher).lexically_normal().string() : teacher;
  }
  if (r.has("distill_weight") && s.teacher.empty()) {
    return r.err("distill_weight", "is only valid with a teacher (knowledge distillation)");
  }
  if (s.qat && s.qat_method != "auto" && !parse_range_method(s.qat_method).ok()) {
    return r.err("qat_method", "must be auto, minmax, percentile or mse");
  }
  const char* const nas_keys[] = {"nas_lambda", "nas_max_channels", "nas_max_blocks", "nas_gate_lr", "nas_gate_init"};
  for (const char* key : nas_keys) {
    if (r.has(key) && !s.nas.enabled) return r.err(key, "is only valid in a search stage (nas = true)");
  }
  if (s.nas.enabled && !r.has("nas_lambda")) {
    return r.err("nas_lambda", "is required in a search stage (nas = true): the weight of the MAC penalty, >= 0");
  }
  LITESR_RETURN_IF_ERROR(r.get_double("nas_lambda", s.nas.lambda, 0.0, 1e6));
  LITESR_RETURN_IF_ERROR(r.get_int("nas_max_channels", s.nas.max_channels, 1, 256));
  LITESR_RETURN_IF_ERROR(r.get_int("nas_max_blocks", s.nas.max_blocks, 0, 64));
  LITESR_RETURN_IF_ERROR(r.get_double("nas_gate_lr", s.nas.gate_lr, 0.0, 10.0));
  LITESR_RETURN_IF_ERROR(r.get_double("nas_gate_init", s.nas.gate_init, 0.0, 20.0));
  if (s.nas.enabled && !(s.nas.gate_lr > 0.0)) return r.err("nas_gate_lr", "must be positive");
  if (s.nas.enabled && !(s.nas.gate_init > 0.0)) {
    return r.err("nas_gate_init", "must be positive (gate logits start open: gate = logit > 0)");
  }
  if (r.has("betas")) {
    const toml::array* a = t["betas"].as_array();
    if (a == nullptr || a->size() != 2 || !(*a)[0].value<double>() || !(*a)[1].value<double>()) {
      return r.err("betas", "must be an array of two numbers, e.g. [0.9, 0.999]");
    }
    s.beta1 = *(*a)[0].value<double>();
    s.beta2 = *(*a)[1].value<double>();
    if (!(s.beta1 >= 0 && s.beta1 < 1 && s.beta2 >= 0 && s.beta2 < 1)) return r.err("betas", "must lie in [0, 1)");
  }
  LITESR_RETURN_IF_ERROR(r.check_unknown());
  const std::string where = "[[stages]] #" + std::to_string(index + 1) + " (" + s.name + ")";
  if (!loss.empty()) {
    Result<LossKind> lk = parse_loss(loss);
    if (!lk.ok()) return lk.status().with_context(where);
    s.loss = *lk;
  }
  Result<ScheduleKind> sk = parse_schedule_kind(schedule);
  if (!sk.ok()) return sk.status().with_context(where);
  s.schedule.kind = *sk;
  if (s.patch <= 0 || s.batch <= 0 || s.iterations <= 0 || s.lr <= 0.0) {
    return invalid_argument(where + ": 'patch', 'batch', 'iterations' and 'lr' must be set (positive)");
  }
  if (s.patch % s.scale != 0) {
    return invalid_argument(where + ": patch " + std::to_string(s.patch) + " is not a multiple of scale " +
                            std::to_string(s.scale));
  }
  if (s.schedule.kind == ScheduleKind::kStep && s.schedule.step_size <= 0) {
    return invalid_argument(where + ": schedule 'step' needs 'step_size'");
  }
  if (s.schedule.kind == ScheduleKind::kMultiStep && s.schedule.milestones.empty()) {
    return invalid_argument(where + ": schedule 'multistep' needs 'milestones'");
  }
  return {};
}

}  // namespace

std::string_view loss_kind_name(LossKind kind) {
  switch (kind) {
    case LossKind::kL1: return "l1";
    case LossKind::kMse: return "mse";
    case LossKind::kCharbonnier: return "charbonnier";
  }
  return "l1";
}

int64_t Recipe::total_iterations() const {
  int64_t n = 0;
  for (const auto& s : stages) n += s.iterations;
  return n;
}

int Recipe::search_stage() const {
  for (size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].nas.enabled) return static_cast<int>(i);
  }
  return -1;
}

namespace {

Result<toml::table> parse_toml_text(std::string_view text) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "TOML syntax error at line " << e.source().begin.line << ", column " << e.source().begin.column << ": "
       << e.description();
    return invalid_argument(os.str());
  }
}

// `text` with `value` (a node parsed from `text`, written on one line) replaced by `literal`; a closing comment line
// records `key = literal` set by `flag` and what the file said.
Result<std::string> splice_value(std::string_view text, const toml::node& value, const std::string& literal,
                                 std::string_view key, std::string_view flag) {
  // toml++ source regions: 1-based lines and columns (in bytes), `end` one past the value's last character.
  const toml::source_region where = value.source();
  if (where.begin.line != where.end.line) return invalid_argument(std::string(key) + " must be written on one line");
  size_t line_start = 0;
  for (toml::source_index line = 1; line < where.begin.line; ++line) {
    line_start = text.find('\n', line_start);
    if (line_start == std::string_view::npos) return internal_error("splice_value: bad source position");
    ++line_start;
  }
  const size_t begin = line_start + where.begin.column - 1, end = line_start + where.end.column - 1;
  if (end > text.size() || begin >= end) return internal_error("splice_value: bad source position");
  std::string out(text.substr(0, begin));
  out += literal;
  out += text.substr(end);
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "# " + std::string(key) + " = " + literal + " set by `litesr train " + std::string(flag) +
         "` (the recipe file says " + std::string(text.substr(begin, end - begin)) + ")\n";
  return out;
}

}  // namespace

Result<std::string> override_nas_lambda(std::string_view text, double lambda) {
  if (!(lambda >= 0.0 && lambda <= 1e6)) return invalid_argument("--nas-lambda must lie in [0, 1e6]");
  LITESR_ASSIGN_OR_RETURN(const toml::table root, parse_toml_text(text));
  const toml::array* stages = root["stages"].as_array();
  const toml::node* value = nullptr;
  for (size_t i = 0; stages != nullptr && i < stages->size() && value == nullptr; ++i) {
    const toml::table* st = (*stages)[i].as_table();
    if (st != nullptr && st->contains("nas") && (*st)["nas"].value_exact<bool>().value_or(false)) {
      value = st->get("nas_lambda");
      if (value == nullptr) return invalid_argument("the search stage has no 'nas_lambda' to override");
    }
  }
  if (value == nullptr) return invalid_argument("--nas-lambda needs a recipe with a search stage (nas = true)");
  char buffer[64];
  const std::to_chars_result printed = std::to_chars(buffer, buffer + sizeof(buffer), lambda);  // shortest round trip
  std::string literal(buffer, printed.ptr);
  if (literal.find_first_of(".eE") == std::string::npos) literal += ".0";  // a TOML float, not an integer
  return splice_value(text, *value, literal, "nas_lambda", "--nas-lambda");
}

Result<std::string> override_seed(std::string_view text, int64_t seed) {
  if (seed < 0 || seed > (int64_t{1} << 62)) return invalid_argument("--seed must lie in [0, 2^62]");
  LITESR_ASSIGN_OR_RETURN(const toml::table root, parse_toml_text(text));
  const std::string literal = std::to_string(seed);
  const toml::node* value = root.get("seed");
  if (value == nullptr) {  // top-level keys precede every table: the key goes first
    return "seed = " + literal + "  # set by `litesr train --seed` (the recipe file has no seed)\n" + std::string(text);
  }
  return splice_value(text, *value, literal, "seed", "--seed");
}

Result<Recipe> parse_recipe(std::string_view text, const fs::path& file_dir, const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "TOML syntax error at line " << e.source().begin.line << ", column " << e.source().begin.column << ": "
       << e.description();
    return invalid_argument(os.str());
  }
  Recipe recipe;
  recipe.file = file;
  recipe.text = std::string(text);
  TableReader r(root, "recipe");
  std::string base_dir = ".", init;
  LITESR_RETURN_IF_ERROR(r.get_string("name", recipe.name));
  LITESR_RETURN_IF_ERROR(r.get_string("description", recipe.description));
  LITESR_RETURN_IF_ERROR(r.get_int("seed", recipe.seed, 0, int64_t{1} << 62));
  LITESR_RETURN_IF_ERROR(r.get_string("base_dir", base_dir));
  LITESR_RETURN_IF_ERROR(r.get_string("init", init));
  LITESR_RETURN_IF_ERROR(r.get_int("checkpoint_every", recipe.checkpoint_every, 1, int64_t{1} << 40));
  LITESR_RETURN_IF_ERROR(r.get_int("log_every", recipe.log_every, 1, int64_t{1} << 40));
  r.has("model");
  r.has("data");
  r.has("validation");
  r.has("stages");
  LITESR_RETURN_IF_ERROR(r.check_unknown());
  if (recipe.name.empty()) recipe.name = file.empty() ? "recipe" : file.stem().string();
  const fs::path base = (file_dir / base_dir).lexically_normal();
  if (!init.empty()) recipe.init = (base / init).lexically_normal();

  LITESR_ASSIGN_OR_RETURN(const toml::table* model_table, sub_table(root, "model", true));
  LITESR_ASSIGN_OR_RETURN(recipe.model, parse_model_table(*model_table));
  LITESR_ASSIGN_OR_RETURN(const toml::table* data_table, sub_table(root, "data", true));
  LITESR_RETURN_IF_ERROR(parse_data(*data_table, base, recipe.data));
  LITESR_ASSIGN_OR_RETURN(const toml::table* val_table, sub_table(root, "validation", false));
  if (val_table != nullptr) {
    TableReader vr(*val_table, "[validation]");
    std::string dir;
    std::vector<std::string> images;
    LITESR_RETURN_IF_ERROR(vr.get_string("dir", dir));
    LITESR_RETURN_IF_ERROR(vr.get_string_list("images", images));
    LITESR_RETURN_IF_ERROR(vr.get_int("every", recipe.validation.every, 1, int64_t{1} << 40));
    LITESR_RETURN_IF_ERROR(vr.get_int("max_images", recipe.validation.max_images, 0, 1 << 20));
    LITESR_RETURN_IF_ERROR(vr.check_unknown());
    if (!dir.empty() && !images.empty()) {
      return invalid_argument("[validation]: give 'dir' (a benchmark folder) or 'images' (held-out files), not both");
    }
    if (!dir.empty()) recipe.validation.dir = (base / dir).lexically_normal();
    for (const auto& f : images) recipe.validation.images.push_back((base / f).lexically_normal());
    recipe.data.exclude = recipe.validation.images;
  }

  const toml::array* stages = root["stages"].as_array();
  if (stages == nullptr || stages->empty()) return invalid_argument("recipe needs at least one [[stages]] table");
  const int model_scale = config_scale(recipe.model);
  for (size_t i = 0; i < stages->size(); ++i) {
    const toml::table* st = (*stages)[i].as_table();
    if (st == nullptr) return invalid_argument("[[stages]] #" + std::to_string(i + 1) + " must be a table");
    StageSpec s;
    LITESR_RETURN_IF_ERROR(
        parse_stage(*st, static_cast<int>(i), i == 0 ? nullptr : &recipe.stages.back(), model_scale, base, s));
    if (i > 0 && s.scale != recipe.stages.back().scale) {
      const bool elsr_2_to_4 = std::holds_alternative<ElsrConfig>(recipe.model) && recipe.stages.back().scale == 2 &&
                               s.scale == 4;
      if (!elsr_2_to_4) {
        return invalid_argument("[[stages]] #" + std::to_string(i + 1) + ": a stage may change the scale only " +
                                "for ELSR x2 -> x4 (the last-layer repeat)");
      }
    }
    if (s.qat && s.scale != model_scale) {
      return invalid_argument("[[stages]] #" + std::to_string(i + 1) + ": qat = true needs the network at the " +
                              "model's scale (INT8 models are networks at their final scale)");
    }
    if (s.luma_weight > 0.0 && config_frame_channels(recipe.model) == 1) {
      return invalid_argument("[[stages]] #" + std::to_string(i + 1) + ": luma_weight mixes RGB and luma losses; " +
                              "this network is luma-only (its loss is on Y already)");
    }
    recipe.stages.push_back(std::move(s));
  }
  for (size_t i = 0; i < recipe.stages.size(); ++i) {
    if (!recipe.stages[i].nas.enabled) continue;
    const std::string where = "[[stages]] #" + std::to_string(i + 1) + " (" + recipe.stages[i].name + ")";
    if (i != 0) {
      return invalid_argument(where + ": nas = true is only allowed in the first stage (the search starts from a "
                              "freshly initialised supernet; later stages train the architecture it found)");
    }
    if (!std::holds_alternative<EvsrnetConfig>(recipe.model)) {
      return invalid_argument(where + ": nas = true searches EVSRNet channels and blocks: [model] arch must be "
                              "\"evsrnet\"");
    }
    if (!recipe.init.empty()) {
      return invalid_argument(where + ": a search stage starts from a fresh supernet; remove init (or the search "
                              "stage) to fine-tune a model file");
    }
    for (const char* key : {"nc", "nb"}) {
      if (model_table->contains(key)) {
        return invalid_argument(std::string("[model]: key '") + key + "' is chosen by the search stage (nas = true); "
                                "remove it (the search space is nas_max_channels x nas_max_blocks)");
      }
    }
  }
  if (recipe.stages.back().scale != model_scale) {
    return invalid_argument("the last stage's scale (" + std::to_string(recipe.stages.back().scale) +
                            ") must equal [model] scale (" + std::to_string(model_scale) + ")");
  }
  if (std::holds_alternative<EvsrnetConfig>(recipe.model) && recipe.data.kind != DataKind::kVideoSynthetic &&
      recipe.data.kind != DataKind::kReds) {
    return invalid_argument("[data]: evsrnet trains on sequences: kind must be video_synthetic or reds");
  }
  if (!std::holds_alternative<EvsrnetConfig>(recipe.model) &&
      (recipe.data.kind == DataKind::kVideoSynthetic || recipe.data.kind == DataKind::kReds)) {
    return invalid_argument("[data]: video data is for evsrnet only");
  }
  return recipe;
}

Result<Recipe> load_recipe(const fs::path& path, const RecipeOverrides& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return not_found(path.string() + ": recipe file not found");
    return io_error(path.string() + ": cannot read the recipe file");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (overrides.nas_lambda) {
    Result<std::string> changed = override_nas_lambda(text, *overrides.nas_lambda);
    if (!changed.ok()) return changed.status().with_context(path.string());
    text = std::move(*changed);
  }
  if (overrides.seed) {
    Result<std::string> changed = override_seed(text, *overrides.seed);
    if (!changed.ok()) return changed.status().with_context(path.string());
    text = std::move(*changed);
  }
  Result<Recipe> r = parse_recipe(text, path.parent_path().empty() ? fs::path(".") : path.parent_path(), path);
  if (!r.ok()) return r.status().with_context(path.string());
  return r;
}

Status check_recipe_inputs(const Recipe& recipe) {
  auto check_folder = [](const fs::path& dir, const char* what, bool sequences) -> Status {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return not_found(std::string(what) + " folder not found: " + dir.string());
    Result<std::vector<fs::path>> images = list_images(dir, {.recursive = sequences});
    if (!images.ok()) return images.status();
    if (images->empty()) return invalid_argument(std::string(what) + " folder holds no images: " + dir.string());
    return {};
  };
  const bool sequences = recipe.data.kind == DataKind::kReds;
  for (const auto& d : recipe.data.hr_dirs) LITESR_RETURN_IF_ERROR(check_folder(d, "training HR", sequences));
  for (const auto& d : recipe.data.lr_dirs) LITESR_RETURN_IF_ERROR(check_folder(d, "training LR", sequences));
  for (const StageSpec& s : recipe.stages) {
    if (s.qat) LITESR_RETURN_IF_ERROR(check_folder(s.qat_calib, "calibration (qat_calib)", false));
  }
  if (!recipe.validation.dir.empty()) {
    LITESR_RETURN_IF_ERROR(check_folder(recipe.validation.dir / "HR", "validation HR", false));
  }
  for (const auto& f : recipe.validation.images) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) return not_found("validation image not found: " + f.string());
  }
  return {};
}

std::string ValidationSpec::label() const {
  if (!dir.empty()) return dir.filename().string();
  return "held-out (" + std::to_string(images.size()) + " images)";
}

}  // namespace litesr::train
