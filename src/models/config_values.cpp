#include "models/config_values.h"

#include <cstdint>
#include <limits>

namespace litesr::models {
namespace {

std::string prefix(const char* arch) { return std::string(arch) + ": "; }

// The value of `key` when present with the JSON type `is_type` accepts, else "config needs <what> '<key>'<hint>".
template <typename IsType>
Result<const nlohmann::json*> typed_value(const nlohmann::json& config, const char* arch, const char* key,
                                          IsType is_type, const char* what, const char* hint = "") {
  const auto it = config.find(key);
  if (it == config.end() || !is_type(*it)) {
    return invalid_argument(prefix(arch) + "config needs " + what + " '" + key + "'" + hint);
  }
  return &*it;
}

}  // namespace

Status config_check_keys(const nlohmann::json& config, const char* arch, std::initializer_list<const char*> keys) {
  if (!config.is_object()) return invalid_argument(prefix(arch) + "config must be a JSON object");
  for (const auto& [key, value] : config.items()) {
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    if (!known) return invalid_argument(prefix(arch) + "unknown config key '" + key + "'");
  }
  return {};
}

Result<int> config_int(const nlohmann::json& config, const char* arch, const char* key) {
  LITESR_ASSIGN_OR_RETURN(
      const nlohmann::json* v,
      typed_value(
          config, arch, key, [](const nlohmann::json& j) { return j.is_number_integer(); }, "an integer"));
  constexpr int64_t kMin = std::numeric_limits<int>::min(), kMax = std::numeric_limits<int>::max();
  const bool fits = v->is_number_unsigned() ? v->get<uint64_t>() <= static_cast<uint64_t>(kMax)
                                            : v->get<int64_t>() >= kMin && v->get<int64_t>() <= kMax;
  if (!fits) return invalid_argument(prefix(arch) + "config '" + key + "' = " + v->dump() + " does not fit in an int");
  return v->get<int>();
}

Result<bool> config_bool(const nlohmann::json& config, const char* arch, const char* key) {
  LITESR_ASSIGN_OR_RETURN(
      const nlohmann::json* v,
      typed_value(
          config, arch, key, [](const nlohmann::json& j) { return j.is_boolean(); }, "a boolean", " (true or false)"));
  return v->get<bool>();
}

Result<int> config_color_channels(const nlohmann::json& config, const char* arch) {
  if (!config.is_object() || !config.contains("color")) return 3;
  LITESR_ASSIGN_OR_RETURN(const std::string color, config_string(config, arch, "color"));
  if (color == "rgb") return 3;
  if (color == "y") return 1;
  return invalid_argument(prefix(arch) + "config 'color' = \"" + color + "\" must be \"rgb\" or \"y\"");
}

void put_config_color(nlohmann::json& config, int color_channels) {
  if (color_channels == 1) config["color"] = "y";
}

Result<std::string> config_string(const nlohmann::json& config, const char* arch, const char* key) {
  LITESR_ASSIGN_OR_RETURN(const nlohmann::json* v,
                          typed_value(
                              config, arch, key, [](const nlohmann::json& j) { return j.is_string(); }, "a string"));
  return v->get<std::string>();
}

Result<double> config_number(const nlohmann::json& config, const char* arch, const char* key) {
  LITESR_ASSIGN_OR_RETURN(const nlohmann::json* v,
                          typed_value(
                              config, arch, key, [](const nlohmann::json& j) { return j.is_number(); }, "a number"));
  return v->get<double>();
}

Status config_value_in_range(const char* arch, const char* key, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    return invalid_argument(prefix(arch) + "config '" + key + "' = " + std::to_string(value) + " outside [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return {};
}

}  // namespace litesr::models
