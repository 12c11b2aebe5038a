// ELSR (seed 000, docs/architectures.md "elsr"): config {"scale": 2|3|4, "channels": 6}.
//   f1 = conv1(x); r = conv3(PReLU(conv2(f1))) + f1; y = PixelShuffle(s)(conv4(r)).  All 3x3, with bias.
#include "models/builders.h"

namespace litesr::models {

Result<Graph> build_elsr(int scale, const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, "elsr", {"scale", "channels"}));
  LITESR_ASSIGN_OR_RETURN(const int config_scale, config_int(config, "elsr", "scale", 2, 4));
  LITESR_RETURN_IF_ERROR(config_scale_matches("elsr", config_scale, scale));
  LITESR_ASSIGN_OR_RETURN(const int c, config_int(config, "elsr", "channels", 1, 256));
  GraphBuilder b("elsr", scale);
  const int x = b.input("x", 3);
  const int f1 = b.conv(x, "conv1", c, 3);
  const int t = b.prelu(b.conv(f1, "conv2", c, 3), "prelu");
  const int r = b.add({b.conv(t, "conv3", c, 3), f1}, "skip");
  b.output(b.pixel_shuffle(b.conv(r, "conv4", 3 * scale * scale, 3), scale, "shuffle"));
  return std::move(b).finish();
}

}  // namespace litesr::models
