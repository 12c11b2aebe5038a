// SAM-SR graph builder: see sam_sr.h for the config, the graph and the parameter accounting.
#include "models/sam_sr.h"

#include "models/config_values.h"

namespace litesr::models {
namespace {

constexpr float kLeakySlope = 0.2f;  // the paper's LeakyReLU(0.2), in blocks and upsampler
constexpr float kBnEps = 1e-5f;      // PyTorch BatchNorm2d default

// One modified MobileNetV3 block (sam_sr.h); returns its output node, [nf, H, W].
int add_block(GraphBuilder& b, const SamSrConfig& c, int in, int index) {
  const std::string p = "blocks." + std::to_string(index);
  const int e_ch = 2 * c.nf;
  const bool conv_bias = !c.bn;                           // folded files carry the BN shift as a conv bias
  int t = b.conv(in, p + ".expand", e_ch, 1, conv_bias);  // [2nf, H, W]
  if (c.bn) t = b.batch_norm(t, p + ".expand_bn", kBnEps);
  t = b.leaky_relu(t, kLeakySlope, p + ".expand_act");
  t = b.conv(t, p + ".dw", e_ch, 3, conv_bias, /*groups=*/e_ch);  // depthwise, [2nf, H, W]
  if (c.bn) t = b.batch_norm(t, p + ".dw_bn", kBnEps);
  t = b.leaky_relu(t, kLeakySlope, p + ".dw_act");
  const bool residual = index > 0;  // block 0 maps 3 -> nf: no SE, no residual
  if (residual && c.se) t = b.squeeze_excite(t, p + ".se", c.nf / 2, c.se_gate, /*has_bias=*/false);
  t = b.conv(t, p + ".project", c.nf, 1, conv_bias);  // [nf, H, W]
  if (c.bn) t = b.batch_norm(t, p + ".project_bn", kBnEps);
  if (residual) t = b.add({t, in}, p + ".residual");
  return t;
}

Status validate(const SamSrConfig& c) {
  if (c.scale != 4) {
    return invalid_argument("sam_sr: config 'scale' = " + std::to_string(c.scale) +
                            " must be 4 (the upsampler is two x2 pixel shuffles)");
  }
  if (c.nf < 2 || c.nf > 1024 || c.nf % 2 != 0) {
    return invalid_argument("sam_sr: config 'nf' = " + std::to_string(c.nf) + " must be even and in [2, 1024]");
  }
  LITESR_RETURN_IF_ERROR(config_value_in_range(SamSrConfig::kArch, "n", c.n, 0, 256));
  return sam_sr_upsampler_layers(c.upsampler, c.nf).status();
}

}  // namespace

SamSrConfig sam_sr_xlite_config() {
  SamSrConfig c;
  c.nf = 16;
  c.n = 8;
  return c;
}

SamSrConfig sam_sr_lite_config() {
  SamSrConfig c;
  c.nf = 72;
  c.n = 16;
  return c;
}

Result<std::vector<SamSrUpStep>> sam_sr_upsampler_layers(const std::string& name, int nf, int color_channels) {
  if (name != "candidate_a") {
    return invalid_argument("sam_sr: config 'upsampler' = \"" + name + "\" is unknown (known: \"candidate_a\")");
  }
  // Reconstruction matching Table 2 params (2.75nf² + 21.5nf + 3) and activations (36.5nf per LR pixel)
  // exactly: reference/seeds_facts.md §3.4.
  const int h = nf / 2;
  using L = SamSrUpLayer;
  return std::vector<SamSrUpStep>{
      {L::kConv1x1, h},   {L::kConv1x1, 2 * nf}, {L::kPixelShuffle2, 0}, {L::kLeakyRelu, 0},  // -> [h, 2H, 2W]
      {L::kDwConv3x3, 0}, {L::kConv1x1, 2 * nf}, {L::kPixelShuffle2, 0}, {L::kLeakyRelu, 0},  // -> [h, 4H, 4W]
      {L::kDwConv3x3, 0}, {L::kConv1x1, h},      {L::kDwConv3x3, 0},     {L::kConv1x1, color_channels},  // [K, 4H, 4W]
  };
}

Result<SamSrConfig> parse_sam_sr_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(
      config, SamSrConfig::kArch, {"scale", "nf", "n", "se", "bn", "bicubic_a", "se_gate", "upsampler", "color"}));
  SamSrConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, SamSrConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.nf, config_int(config, SamSrConfig::kArch, "nf"));
  LITESR_ASSIGN_OR_RETURN(c.n, config_int(config, SamSrConfig::kArch, "n"));
  LITESR_ASSIGN_OR_RETURN(c.se, config_bool(config, SamSrConfig::kArch, "se"));
  LITESR_ASSIGN_OR_RETURN(c.bn, config_bool(config, SamSrConfig::kArch, "bn"));
  LITESR_ASSIGN_OR_RETURN(const double a, config_number(config, SamSrConfig::kArch, "bicubic_a"));
  if (a == sam_sr_bicubic_a(BicubicKind::kMatlab)) {
    c.bicubic = BicubicKind::kMatlab;
  } else if (a == sam_sr_bicubic_a(BicubicKind::kPytorch)) {
    c.bicubic = BicubicKind::kPytorch;
  } else {
    return invalid_argument("sam_sr: config 'bicubic_a' = " + nlohmann::json(a).dump() +
                            " must be -0.5 (MATLAB imresize) or -0.75 (PyTorch F.interpolate)");
  }
  LITESR_ASSIGN_OR_RETURN(const std::string gate, config_string(config, SamSrConfig::kArch, "se_gate"));
  if (gate == "hard_sigmoid") {
    c.se_gate = SeGate::kHardSigmoid;
  } else if (gate == "sigmoid") {
    c.se_gate = SeGate::kSigmoid;
  } else {
    return invalid_argument("sam_sr: config 'se_gate' = \"" + gate + "\" must be \"hard_sigmoid\" or \"sigmoid\"");
  }
  LITESR_ASSIGN_OR_RETURN(c.upsampler, config_string(config, SamSrConfig::kArch, "upsampler"));
  LITESR_ASSIGN_OR_RETURN(c.color_channels, config_color_channels(config, SamSrConfig::kArch));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json sam_sr_config_json(const SamSrConfig& c) {
  nlohmann::json j{{"scale", c.scale},
                    {"nf", c.nf},
                    {"n", c.n},
                    {"se", c.se},
                    {"bn", c.bn},
                    {"bicubic_a", sam_sr_bicubic_a(c.bicubic)},
                    {"se_gate", c.se_gate == SeGate::kHardSigmoid ? "hard_sigmoid" : "sigmoid"},
                    {"upsampler", c.upsampler}};
  put_config_color(j, c.color_channels);
  return j;
}

double sam_sr_bicubic_a(BicubicKind kind) { return kind == BicubicKind::kMatlab ? -0.5 : -0.75; }

Result<Graph> build_sam_sr_graph(const SamSrConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  LITESR_ASSIGN_OR_RETURN(const std::vector<SamSrUpStep> up,
                          sam_sr_upsampler_layers(c.upsampler, c.nf, c.color_channels));
  GraphBuilder b(SamSrConfig::kArch, c.scale);
  const int x = b.input("x", c.color_channels);  // [K, H, W]
  const int f = add_block(b, c, x, 0);  // [nf, H, W]
  int y = f;
  for (int i = 1; i <= c.n; ++i) y = add_block(b, c, y, i);
  y = b.add({y, f}, "global_skip");  // [nf, H, W]

  int channels = c.nf;
  int conv_index = 0, shuffle_index = 0, act_index = 0;
  for (const SamSrUpStep& s : up) {
    switch (s.layer) {
      case SamSrUpLayer::kConv1x1:
        y = b.conv(y, "up." + std::to_string(conv_index++), s.out_channels, 1);
        channels = s.out_channels;
        break;
      case SamSrUpLayer::kDwConv3x3:
        y = b.conv(y, "up." + std::to_string(conv_index++), channels, 3, /*has_bias=*/true, /*groups=*/channels);
        break;
      case SamSrUpLayer::kPixelShuffle2:
        y = b.pixel_shuffle(y, 2, "up_shuffle." + std::to_string(shuffle_index++));
        channels /= 4;
        break;
      case SamSrUpLayer::kLeakyRelu:
        y = b.leaky_relu(y, kLeakySlope, "up_act." + std::to_string(act_index++));
        break;
    }
  }
  const int base = b.bicubic_upsample(x, c.scale, c.bicubic, "bicubic");  // [K, 4H, 4W]
  b.output(b.add({y, base}, "bicubic_skip"));
  return std::move(b).finish();
}

}  // namespace litesr::models
