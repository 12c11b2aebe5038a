// Readers and checks for `litesr.config` objects (docs/architectures.md), shared by the architecture files
// (models/<arch>.cpp) and train's training-only keys. Every reader requires its key and checks its JSON type;
// every error names the architecture and the key:
//   "<arch>: config needs an integer 'nf'"          (missing, or the wrong JSON type)
//   "<arch>: config 'nf' = 0 outside [2, 1024]"      (config_value_in_range)
//   "<arch>: unknown config key 'x'"                 (config_check_keys)
// Readers check types only. Ranges are checked on the parsed struct (each file's validate(), which both its
// parser and its graph builder call), so every range is written once.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace litesr::models {

// kInvalidArgument unless `config` is an object whose keys are all in `keys`.
Status config_check_keys(const nlohmann::json& config, const char* arch, std::initializer_list<const char*> keys);

// An integer that fits in int.
Result<int> config_int(const nlohmann::json& config, const char* arch, const char* key);
Result<bool> config_bool(const nlohmann::json& config, const char* arch, const char* key);
Result<std::string> config_string(const nlohmann::json& config, const char* arch, const char* key);
// Any JSON number (integer or floating point).
Result<double> config_number(const nlohmann::json& config, const char* arch, const char* key);

// The optional "color" key of the architectures that take RGB or luma frames (ELSR): "rgb" -> 3 channels (also
// when absent, so configs written before the key stay valid), "y" -> 1 (the SR literature's luma, graph.h
// frame_color). put_config_color writes the key only for luma, so RGB configs keep their exact JSON.
Result<int> config_color_channels(const nlohmann::json& config, const char* arch);
void put_config_color(nlohmann::json& config, int color_channels);

// "<arch>: config '<key>' = v outside [lo, hi]" unless lo <= value <= hi.
Status config_value_in_range(const char* arch, const char* key, int value, int lo, int hi);

}  // namespace litesr::models
