// RFDN graph builder: see rfdn.h.
#include "models/rfdn.h"

#include <string>
#include <vector>

#include "models/config_values.h"
#include "models/distillation_network.h"

namespace litesr::models {
namespace {

constexpr float kRfdnSlope = 0.05f;  // block.py activation('lrelu', neg_slope=0.05)

Status validate(const RfdnConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(RfdnConfig::kArch, "scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(config_value_in_range(RfdnConfig::kArch, "nf", c.nf, 4, 256));  // ESA f = nf/4 >= 1
  return config_value_in_range(RfdnConfig::kArch, "num_modules", c.num_modules, 1, 16);
}

// Enhanced spatial attention (block.py ESA): u [nf, H, W] -> [nf, H, W].
int add_esa(GraphBuilder& b, const std::string& p, int u, int nf) {
  const int f = nf / 4;
  const int c1_ = b.conv(u, p + ".conv1", f, 1);                                  // [f, H, W]
  const int c1 = b.conv_strided(c1_, p + ".conv2", f, 3, /*stride=*/2, /*padding=*/0);  // [f, (H−3)/2+1]
  const int v = b.max_pool(c1, 7, 3, 0, p + ".max_pool");                         // [f, (H1−7)/3+1]
  int c3 = b.relu(b.conv(v, p + ".conv_max", f, 3), p + ".conv_max_act");
  c3 = b.relu(b.conv(c3, p + ".conv3", f, 3), p + ".conv3_act");
  c3 = b.conv(c3, p + ".conv3_", f, 3);
  c3 = b.bilinear_resize(c3, u, p + ".resize");                                   // [f, H, W]
  const int cf = b.conv(c1_, p + ".conv_f", f, 1);                                // [f, H, W]
  const int m = b.sigmoid(b.conv(b.add({c3, cf}, p + ".sum"), p + ".conv4", nf, 1), p + ".gate");
  return b.mul(u, m, p + ".out");
}

// One RFDB: [nf, H, W] -> [nf, H, W].
int add_rfdb(GraphBuilder& b, const std::string& p, int in, int nf) {
  const int dc = nf / 2;
  std::vector<int> distilled;
  int r = in;
  for (int i = 1; i <= 3; ++i) {
    const std::string c = p + ".c" + std::to_string(i);
    distilled.push_back(b.leaky_relu(b.conv(r, c + "_d", dc, 1), kRfdnSlope, c + "_d_act"));
    r = b.leaky_relu(b.add({b.conv(r, c + "_r", nf, 3), r}, c + "_r_sum"), kRfdnSlope, c + "_r_act");
  }
  distilled.push_back(b.leaky_relu(b.conv(r, p + ".c4", dc, 3), kRfdnSlope, p + ".c4_act"));
  const int u = b.conv(b.concat(distilled, p + ".distilled"), p + ".c5", nf, 1);  // [nf, H, W]
  return add_esa(b, p + ".esa", u, nf);
}

}  // namespace

Result<RfdnConfig> parse_rfdn_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, RfdnConfig::kArch, {"scale", "nf", "num_modules"}));
  RfdnConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, RfdnConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.nf, config_int(config, RfdnConfig::kArch, "nf"));
  LITESR_ASSIGN_OR_RETURN(c.num_modules, config_int(config, RfdnConfig::kArch, "num_modules"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json rfdn_config_json(const RfdnConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"nf", c.nf}, {"num_modules", c.num_modules}};
}

Result<Graph> build_rfdn_graph(const RfdnConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  return build_distillation_network({.arch = RfdnConfig::kArch,
                                     .scale = c.scale,
                                     .nf = c.nf,
                                     .num_modules = c.num_modules,
                                     .block_prefix = "B",
                                     .slope = kRfdnSlope,
                                     .add_block = add_rfdb});
}

}  // namespace litesr::models
