// ELSR graph builder: see elsr.h.
#include "models/elsr.h"

#include "models/config_values.h"

namespace litesr::models {
namespace {

Status validate(const ElsrConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(ElsrConfig::kArch, "scale", c.scale, 2, 4));
  return config_value_in_range(ElsrConfig::kArch, "channels", c.channels, 1, 256);
}

}  // namespace

Result<ElsrConfig> parse_elsr_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, ElsrConfig::kArch, {"scale", "channels", "color"}));
  ElsrConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, ElsrConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.channels, config_int(config, ElsrConfig::kArch, "channels"));
  LITESR_ASSIGN_OR_RETURN(c.color_channels, config_color_channels(config, ElsrConfig::kArch));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json elsr_config_json(const ElsrConfig& c) {
  nlohmann::json j{{"scale", c.scale}, {"channels", c.channels}};
  put_config_color(j, c.color_channels);
  return j;
}

Result<Graph> build_elsr_graph(const ElsrConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  const int s = c.scale;
  GraphBuilder b(ElsrConfig::kArch, s);
  const int k = c.color_channels;
  const int x = b.input("x", k);                                              // [K, H, W]
  const int f1 = b.conv(x, "conv1", c.channels, 3);                           // [C, H, W]
  const int t = b.prelu(b.conv(f1, "conv2", c.channels, 3), "prelu");         // [C, H, W]
  const int r = b.add({b.conv(t, "conv3", c.channels, 3), f1}, "skip");       // [C, H, W]
  b.output(b.pixel_shuffle(b.conv(r, "conv4", k * s * s, 3), s, "shuffle"));  // [K, sH, sW]
  return std::move(b).finish();
}

}  // namespace litesr::models
