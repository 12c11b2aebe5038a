// ESPCN graph builder: see espcn.h.
#include "models/espcn.h"

#include <string>

#include "models/config_values.h"

namespace litesr::models {
namespace {

constexpr int kFeatures1 = 64;  // conv1 output channels (the paper's n1)
constexpr int kFeatures2 = 32;  // conv2 output channels (n2)

Status validate(const EspcnConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(EspcnConfig::kArch, "scale", c.scale, 2, 8));
  if (c.channels != 1 && c.channels != 3) {
    return invalid_argument("espcn: config 'channels' = " + std::to_string(c.channels) + " must be 1 (Y) or 3 (RGB)");
  }
  return {};
}

}  // namespace

Result<EspcnConfig> parse_espcn_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, EspcnConfig::kArch, {"scale", "channels"}));
  EspcnConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, EspcnConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.channels, config_int(config, EspcnConfig::kArch, "channels"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json espcn_config_json(const EspcnConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"channels", c.channels}};
}

Result<Graph> build_espcn_graph(const EspcnConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  const int s = c.scale;
  GraphBuilder b(EspcnConfig::kArch, s);
  const int x = b.input("x", c.channels);                          // [C, H, W]
  int t = b.tanh(b.conv(x, "conv1", kFeatures1, 5), "conv1_act");  // [64, H, W]
  t = b.tanh(b.conv(t, "conv2", kFeatures2, 3), "conv2_act");      // [32, H, W]
  t = b.conv(t, "conv3", c.channels * s * s, 3);                   // [C·s², H, W]
  b.output(b.pixel_shuffle(t, s, "shuffle"));                      // [C, sH, sW]
  return std::move(b).finish();
}

}  // namespace litesr::models
