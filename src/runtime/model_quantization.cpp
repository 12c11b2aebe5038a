#include "runtime/model_quantization.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace litesr {

namespace {

constexpr std::string_view kScheme = "int8";

Status corrupt(const std::string& what) { return corrupt_data(std::string(kMetaQuantization) + ": " + what); }

}  // namespace

bool is_quantized_model(const ModelFile& model) {
  return model.metadata.count(std::string(kMetaQuantization)) > 0;
}

Result<ModelQuantization> parse_model_quantization(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "scheme" && key != "activations" && key != "calibration") return corrupt("unknown key '" + key + "'");
  }
  const auto scheme = j.find("scheme");
  if (scheme == j.end() || !scheme->is_string() || scheme->get<std::string>() != kScheme) {
    return corrupt("'scheme' must be \"int8\"");
  }
  ModelQuantization q;
  if (const auto cal = j.find("calibration"); cal != j.end()) {
    if (!cal->is_string()) return corrupt("'calibration' must be a string");
    q.calibration = cal->get<std::string>();
  }
  const auto acts = j.find("activations");
  if (acts == j.end() || !acts->is_object() || acts->empty()) return corrupt("'activations' must be a non-empty object");
  for (const auto& [step, value] : acts->items()) {
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number_integer()) {
      return corrupt("activation '" + step + "' must be [scale, zero_point]");
    }
    const double scale = value[0].get<double>();
    const int64_t zero_point = value[1].get<int64_t>();
    if (!std::isfinite(scale) || !(scale > 0) || scale > 3.0e38 || zero_point < kInt8Min || zero_point > kInt8Max) {
      char text[160];
      std::snprintf(text, sizeof text, "activation '%s' has scale %g and zero point %lld (scale > 0, zero point in "
                    "[-128, 127])", step.c_str(), scale, static_cast<long long>(zero_point));
      return corrupt(text);
    }
    q.activations[step] = QuantParams{static_cast<float>(scale), static_cast<int32_t>(zero_point)};
  }
  return q;
}

std::string model_quantization_json(const ModelQuantization& q) {
  nlohmann::ordered_json j;
  j["scheme"] = kScheme;
  nlohmann::ordered_json acts = nlohmann::ordered_json::object();
  for (const auto& [step, p] : q.activations) acts[step] = {static_cast<double>(p.scale), p.zero_point};
  j["activations"] = acts;
  if (!q.calibration.empty()) j["calibration"] = q.calibration;
  return j.dump();
}

Result<ModelQuantization> read_model_quantization(const ModelFile& model) {
  const auto it = model.metadata.find(std::string(kMetaQuantization));
  if (it == model.metadata.end()) return not_found("the model has no " + std::string(kMetaQuantization));
  return parse_model_quantization(it->second);
}

}  // namespace litesr
