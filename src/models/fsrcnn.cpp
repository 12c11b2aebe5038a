// FSRCNN graph builder: see fsrcnn.h.
#include "models/fsrcnn.h"

#include <string>

#include "models/config_values.h"

namespace litesr::models {
namespace {

constexpr int kDeconvKernel = 9;
constexpr int kDeconvPadding = 4;

Status validate(const FsrcnnConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(FsrcnnConfig::kArch, "scale", c.scale, 2, 8));
  LITESR_RETURN_IF_ERROR(config_value_in_range(FsrcnnConfig::kArch, "d", c.d, 1, 1024));
  LITESR_RETURN_IF_ERROR(config_value_in_range(FsrcnnConfig::kArch, "s", c.s, 1, 1024));
  LITESR_RETURN_IF_ERROR(config_value_in_range(FsrcnnConfig::kArch, "m", c.m, 0, 64));
  if (c.channels != 1 && c.channels != 3) {
    return invalid_argument("fsrcnn: config 'channels' = " + std::to_string(c.channels) + " must be 1 (Y) or 3 (RGB)");
  }
  return {};
}

}  // namespace

Result<FsrcnnConfig> parse_fsrcnn_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, FsrcnnConfig::kArch, {"scale", "d", "s", "m", "channels"}));
  FsrcnnConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, FsrcnnConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.d, config_int(config, FsrcnnConfig::kArch, "d"));
  LITESR_ASSIGN_OR_RETURN(c.s, config_int(config, FsrcnnConfig::kArch, "s"));
  LITESR_ASSIGN_OR_RETURN(c.m, config_int(config, FsrcnnConfig::kArch, "m"));
  LITESR_ASSIGN_OR_RETURN(c.channels, config_int(config, FsrcnnConfig::kArch, "channels"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json fsrcnn_config_json(const FsrcnnConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"d", c.d}, {"s", c.s}, {"m", c.m}, {"channels", c.channels}};
}

Result<Graph> build_fsrcnn_graph(const FsrcnnConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  GraphBuilder b(FsrcnnConfig::kArch, c.scale);
  const int x = b.input("x", c.channels);                              // [C, H, W]
  int t = b.prelu(b.conv(x, "first_part.0", c.d, 5), "first_part.1");  // [d, H, W] feature extraction
  t = b.prelu(b.conv(t, "mid_part.0", c.s, 1), "mid_part.1");          // [s, H, W] shrinking
  for (int j = 0; j < c.m; ++j) {                                      // [s, H, W] mapping
    t = b.conv(t, "mid_part." + std::to_string(2 + 2 * j), c.s, 3);
    t = b.prelu(t, "mid_part." + std::to_string(3 + 2 * j));
  }
  t = b.conv(t, "mid_part." + std::to_string(2 + 2 * c.m), c.d, 1);  // [d, H, W] expanding
  t = b.prelu(t, "mid_part." + std::to_string(3 + 2 * c.m));
  // Deconvolution: kernel + output_padding = stride + 2·padding, so the output is exactly scale × input.
  b.output(b.conv_transpose(t, "last_part", c.channels, kDeconvKernel, c.scale, kDeconvPadding,
                            c.scale - 1));  // [C, sH, sW]
  return std::move(b).finish();
}

}  // namespace litesr::models
