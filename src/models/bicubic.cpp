// Bicubic baseline graph builder: see bicubic.h.
#include "models/bicubic.h"

#include "models/config_values.h"

namespace litesr::models {
namespace {

Status validate(const BicubicConfig& c) { return config_value_in_range(BicubicConfig::kArch, "scale", c.scale, 1, 16); }

}  // namespace

Result<BicubicConfig> parse_bicubic_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, BicubicConfig::kArch, {"scale"}));
  BicubicConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, BicubicConfig::kArch, "scale"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json bicubic_config_json(const BicubicConfig& c) { return nlohmann::json{{"scale", c.scale}}; }

Result<Graph> build_bicubic_graph(const BicubicConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  GraphBuilder b(BicubicConfig::kArch, c.scale);
  b.output(b.bicubic_upsample(b.input("x", 3), c.scale, BicubicKind::kMatlab, "upsample"));  // [3, sH, sW]
  return std::move(b).finish();
}

}  // namespace litesr::models
