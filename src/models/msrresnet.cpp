// MSRResNet graph builder: see msrresnet.h.
#include "models/msrresnet.h"

#include <string>

#include "models/config_values.h"

namespace litesr::models {
namespace {

constexpr float kMsrresnetSlope = 0.1f;  // nn.LeakyReLU(negative_slope=0.1)

Status validate(const MsrresnetConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(MsrresnetConfig::kArch, "scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(config_value_in_range(MsrresnetConfig::kArch, "nc", c.nc, 1, 256));
  return config_value_in_range(MsrresnetConfig::kArch, "nb", c.nb, 0, 64);
}

}  // namespace

Result<MsrresnetConfig> parse_msrresnet_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, MsrresnetConfig::kArch, {"scale", "nc", "nb"}));
  MsrresnetConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, MsrresnetConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.nc, config_int(config, MsrresnetConfig::kArch, "nc"));
  LITESR_ASSIGN_OR_RETURN(c.nb, config_int(config, MsrresnetConfig::kArch, "nb"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json msrresnet_config_json(const MsrresnetConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"nc", c.nc}, {"nb", c.nb}};
}

Result<Graph> build_msrresnet_graph(const MsrresnetConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  const int s = c.scale, nc = c.nc;
  GraphBuilder b(MsrresnetConfig::kArch, s);
  const int x = b.input("x", 3);                                                            // [3, H, W]
  int t = b.leaky_relu(b.conv(x, "conv_first", nc, 3), kMsrresnetSlope, "conv_first_act");  // [nc, H, W]
  for (int i = 0; i < c.nb; ++i) {
    const std::string p = "recon_trunk." + std::to_string(i);
    const int r = b.relu(b.conv(t, p + ".conv1", nc, 3), p + ".act");
    t = b.add({t, b.conv(r, p + ".conv2", nc, 3)}, p + ".residual");                        // [nc, H, W]
  }
  const int r1 = s == 4 ? 2 : s;  // x4 = two x2 stages
  t = b.pixel_shuffle(b.conv(t, "upconv1", nc * r1 * r1, 3), r1, "upconv1_shuffle");
  t = b.leaky_relu(t, kMsrresnetSlope, "upconv1_act");                                      // [nc, r1·H, r1·W]
  if (s == 4) {
    t = b.pixel_shuffle(b.conv(t, "upconv2", nc * 4, 3), 2, "upconv2_shuffle");
    t = b.leaky_relu(t, kMsrresnetSlope, "upconv2_act");                                    // [nc, 4H, 4W]
  }
  t = b.leaky_relu(b.conv(t, "HRconv", nc, 3), kMsrresnetSlope, "HRconv_act");              // [nc, sH, sW]
  t = b.conv(t, "conv_last", 3, 3);                                                         // [3, sH, sW]
  const int base = b.bilinear_upsample(x, s, "base");                                       // [3, sH, sW]
  b.output(b.add({t, base}, "output"));
  return std::move(b).finish();
}

}  // namespace litesr::models
