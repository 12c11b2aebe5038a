// Internal to src/models: one graph builder per architecture (one file each), called by registry.cpp.
// A builder validates its config (every key written out, unknown keys rejected) and returns the graph
// documented in docs/architectures.md. Config is the parsed `litesr.config` JSON object.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

Result<Graph> build_elsr(int scale, const nlohmann::json& config);
Result<Graph> build_bicubic(int scale, const nlohmann::json& config);

// Shared config helpers: read an integer / check allowed keys, with messages naming the architecture.
Result<int> config_int(const nlohmann::json& config, const char* arch, const char* key, int min_value, int max_value);
Status config_check_keys(const nlohmann::json& config, const char* arch, std::initializer_list<const char*> keys);
// Validating a parsed config struct: "<arch>: <key> = v outside [lo, hi]" unless lo <= value <= hi.
Status config_value_in_range(const char* arch, const char* key, int value, int lo, int hi);
// Registry entries: "<arch>: config scale X differs from litesr.scale Y" unless the config's scale is the file's.
Status config_scale_matches(const char* arch, int config_scale, int scale);

}  // namespace litesr::models
