// Bicubic baseline (docs/architectures.md "bicubic"): config {"scale": s}; no tensors.
// MATLAB-exact upscale: a = −0.5, symmetric borders (runtime bicubic_upsample, kMatlab).
#include "models/builders.h"

namespace litesr::models {

Result<Graph> build_bicubic(int scale, const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, "bicubic", {"scale"}));
  LITESR_ASSIGN_OR_RETURN(const int config_scale, config_int(config, "bicubic", "scale", 1, 16));
  LITESR_RETURN_IF_ERROR(config_scale_matches("bicubic", config_scale, scale));
  GraphBuilder b("bicubic", scale);
  b.output(b.bicubic_upsample(b.input("x", 3), scale, BicubicKind::kMatlab, "upsample"));
  return std::move(b).finish();
}

}  // namespace litesr::models
