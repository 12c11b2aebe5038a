// EVSRNet graph builder: see evsrnet.h for the config, both modes and the step-graph contract.
#include "models/evsrnet.h"

#include <string>

#include "models/config_values.h"

namespace litesr::models {
namespace {

Status validate(const EvsrnetConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(EvsrnetConfig::kArch, "scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(config_value_in_range(EvsrnetConfig::kArch, "nc", c.nc, 1, 256));
  LITESR_RETURN_IF_ERROR(config_value_in_range(EvsrnetConfig::kArch, "nb", c.nb, 0, 64));
  return config_value_in_range(EvsrnetConfig::kArch, "frames", c.frames, 1, 64);
}

// head + ReLU + nb residual blocks: [cin, H, W] -> [nc, H, W].
int add_trunk(GraphBuilder& b, const EvsrnetConfig& c, int in) {
  int f = b.relu(b.conv(in, "head", c.nc, 3), "head_act");
  for (int i = 0; i < c.nb; ++i) {
    const std::string p = "body." + std::to_string(i);
    const int t = b.relu(b.conv(f, p + ".conv1", c.nc, 3), p + ".act");
    f = b.add({f, b.conv(t, p + ".conv2", c.nc, 3)}, p + ".residual");
  }
  return f;
}

}  // namespace

Result<EvsrnetConfig> parse_evsrnet_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(
      config_check_keys(config, EvsrnetConfig::kArch, {"scale", "nc", "nb", "frames", "mode", "color"}));
  EvsrnetConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, EvsrnetConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.nc, config_int(config, EvsrnetConfig::kArch, "nc"));
  LITESR_ASSIGN_OR_RETURN(c.nb, config_int(config, EvsrnetConfig::kArch, "nb"));
  LITESR_ASSIGN_OR_RETURN(c.frames, config_int(config, EvsrnetConfig::kArch, "frames"));
  LITESR_ASSIGN_OR_RETURN(const std::string mode, config_string(config, EvsrnetConfig::kArch, "mode"));
  if (mode == evsrnet_mode_name(EvsrnetMode::kRecurrent)) {
    c.mode = EvsrnetMode::kRecurrent;
  } else if (mode == evsrnet_mode_name(EvsrnetMode::kFrameParallel)) {
    c.mode = EvsrnetMode::kFrameParallel;
  } else {
    return invalid_argument("evsrnet: config 'mode' = \"" + mode + "\" must be \"recurrent\" or \"frame_parallel\"");
  }
  LITESR_ASSIGN_OR_RETURN(c.color_channels, config_color_channels(config, EvsrnetConfig::kArch));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json evsrnet_config_json(const EvsrnetConfig& c) {
  nlohmann::json j{
      {"scale", c.scale}, {"nc", c.nc}, {"nb", c.nb}, {"frames", c.frames}, {"mode", evsrnet_mode_name(c.mode)}};
  put_config_color(j, c.color_channels);
  return j;
}

const char* evsrnet_mode_name(EvsrnetMode mode) {
  return mode == EvsrnetMode::kRecurrent ? "recurrent" : "frame_parallel";
}

int evsrnet_head_input_channels(const EvsrnetConfig& c) {
  const int k = c.color_channels;
  return c.mode == EvsrnetMode::kRecurrent ? 2 * k + c.nc + k * c.scale * c.scale : k;
}

Result<Graph> build_evsrnet_graph(const EvsrnetConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  const int s = c.scale;
  const int k = c.color_channels;  // 3 = RGB, 1 = luma
  const int out_ch = k * s * s;
  // input_frames = T: the graph is one frame/step of a T-frame window
  GraphBuilder b(EvsrnetConfig::kArch, s, c.frames);
  if (c.mode == EvsrnetMode::kFrameParallel) {
    const int x = b.input("x", k);                                        // [K, H, W]
    const int f = add_trunk(b, c, x);                                     // [nc, H, W]
    b.output(b.pixel_shuffle(b.conv(f, "tail", out_ch, 3), s, "frame"));  // [K, sH, sW]
    return std::move(b).finish();
  }
  // Input order is the kEvsrnetInput* constants; output order the kEvsrnetOutput* constants.
  const int x_prev = b.input("x_prev", k);                               // [K, H, W]
  const int x_t = b.input("x_t", k);                                     // [K, H, W]
  const int h_prev = b.input("h_prev", c.nc);                            // [nc, H, W]
  const int o_prev = b.input("o_prev", out_ch);                          // [Ks², H, W]
  const int in = b.concat({x_prev, x_t, h_prev, o_prev}, "step_input");  // [2K + nc + Ks², H, W]
  const int f = add_trunk(b, c, in);                                     // [nc, H, W]
  const int h = b.relu(b.conv(f, "hidden", c.nc, 3), "h");               // [nc, H, W]
  const int o = b.conv(f, "tail", out_ch, 3);                            // [Ks², H, W]
  b.output(b.pixel_shuffle(o, s, "frame"));                              // [K, sH, sW]
  b.output(h);
  b.output(o);
  return std::move(b).finish();
}

}  // namespace litesr::models
