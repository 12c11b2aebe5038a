// Config readers for non-integer `litesr.config` values, in the style of builders.h's config_int: the key
// is required, its JSON type is checked, and errors name the architecture and the key.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace litesr::models {

inline Result<bool> config_bool(const nlohmann::json& config, const char* arch, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || !it->is_boolean()) {
    return invalid_argument(std::string(arch) + ": config needs a boolean '" + key + "' (true or false)");
  }
  return it->get<bool>();
}

inline Result<std::string> config_string(const nlohmann::json& config, const char* arch, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || !it->is_string()) {
    return invalid_argument(std::string(arch) + ": config needs a string '" + key + "'");
  }
  return it->get<std::string>();
}

inline Result<double> config_number(const nlohmann::json& config, const char* arch, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || !it->is_number()) {
    return invalid_argument(std::string(arch) + ": config needs a number '" + key + "'");
  }
  return it->get<double>();
}

}  // namespace litesr::models
