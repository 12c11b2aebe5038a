#include "models/builtin_models.h"

#include <algorithm>
#include <charconv>
#include <span>

#include "models/bicubic.h"
#include "models/embedded_file.h"

namespace litesr::models {

namespace {

constexpr std::string_view kBicubic = BicubicConfig::kArch;

std::string join_names() {
  std::string s;
  for (const std::string& n : builtin_model_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

ModelFile make_bicubic_model(int scale) {
  ModelFile model;
  model.metadata[std::string(kMetaArch)] = BicubicConfig::kArch;
  model.metadata[std::string(kMetaScale)] = std::to_string(scale);
  model.metadata[std::string(kMetaConfig)] = bicubic_config_json(BicubicConfig{.scale = scale}).dump();
  model.metadata[std::string(kMetaColor)] = "rgb";
  model.metadata[std::string(kMetaRange)] = "0..1";
  model.metadata[std::string(kMetaFrames)] = "1";
  model.metadata[std::string(kMetaFormatVersion)] = "1";
  return model;
}

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> names{std::string(kBicubic)};
  for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) names.emplace_back(kEmbeddedModels[i].name);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// "sam-sr-xlite-x4" -> ("sam-sr-xlite", 4); no "-x<digits>" suffix -> ("", 0).
std::pair<std::string_view, int> split_family(std::string_view name) {
  const std::size_t dash = name.rfind("-x");
  if (dash == std::string_view::npos || dash + 2 >= name.size()) return {{}, 0};
  int scale = 0;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data() + dash + 2, end, scale);
  if (ec != std::errc() || ptr != end || scale < 1) return {{}, 0};
  return {name.substr(0, dash), scale};
}

}  // namespace

std::vector<std::pair<int, std::string>> builtin_family(std::string_view name) {
  const auto [family, scale] = split_family(name);
  std::vector<std::pair<int, std::string>> members;
  if (family.empty()) return members;
  for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) {
    const auto [f, s] = split_family(kEmbeddedModels[i].name);
    if (f == family) members.emplace_back(s, std::string(kEmbeddedModels[i].name));
  }
  std::sort(members.begin(), members.end());
  return members;
}

namespace {

// The first shipped name of `preference`, else bicubic.
std::string first_shipped(std::initializer_list<std::string_view> preference) {
  for (std::string_view name : preference) {
    for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) {
      if (std::string_view(kEmbeddedModels[i].name) == name) return std::string(name);
    }
  }
  return std::string(kBicubic);
}

}  // namespace

std::string default_model_name() { return first_shipped({"sam-sr-xlite-x4", "sam-sr-xlite-x4-y", "elsr-x4"}); }

std::string default_video_model_name() {
  return first_shipped({"fsrcnn-x4-y", "sam-sr-xlite-x4-y", "evsrnet-nas-x4", "elsr-x4"});
}

Result<int> model_scale(const ModelFile& model) {
  auto it = model.metadata.find(std::string(kMetaScale));
  if (it == model.metadata.end()) return invalid_argument("model has no litesr.scale metadata");
  int scale = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), scale);
  if (ec != std::errc() || ptr != s.data() + s.size() || scale < 1 || scale > 16) {
    return invalid_argument("model has an invalid litesr.scale '" + s + "'");
  }
  return scale;
}

Result<ModelFile> load_builtin_model(std::string_view name, int scale) {
  if (name == kBicubic) {
    if (scale == 0) scale = kBicubicDefaultScale;
    if (scale < 2 || scale > kBicubicMaxScale) {
      return invalid_argument("bicubic needs a scale between 2 and " + std::to_string(kBicubicMaxScale) + " (-s)");
    }
    return make_bicubic_model(scale);
  }
  for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) {
    const EmbeddedFile& f = kEmbeddedModels[i];
    if (name != f.name) continue;
    LITESR_ASSIGN_OR_RETURN(ModelFile model,
                            parse_model_file(std::span<const uint8_t>(f.data, f.size), f.name));
    LITESR_ASSIGN_OR_RETURN(int model_s, model_scale(model));
    if (scale != 0 && scale != model_s) {
      return invalid_argument(std::string(name) + " upscales x" + std::to_string(model_s) + ", not x" +
                              std::to_string(scale));
    }
    return model;
  }
  return not_found("no built-in model '" + std::string(name) + "' (built-in: " + join_names() + ")");
}

bool is_model_path(std::string_view name_or_path) {
  return name_or_path.find('/') != std::string_view::npos ||
         (name_or_path.size() > 12 && name_or_path.ends_with(".safetensors"));
}

Result<ModelFile> resolve_model(std::string_view name_or_path, int scale) {
  if (!is_model_path(name_or_path)) return load_builtin_model(name_or_path, scale);
  LITESR_ASSIGN_OR_RETURN(ModelFile model, read_model_file(std::filesystem::path(name_or_path)));
  LITESR_ASSIGN_OR_RETURN(int model_s, model_scale(model));
  if (scale != 0 && scale != model_s) {
    return invalid_argument(std::string(name_or_path) + " upscales x" + std::to_string(model_s) + ", not x" +
                            std::to_string(scale));
  }
  return model;
}

}  // namespace litesr::models
