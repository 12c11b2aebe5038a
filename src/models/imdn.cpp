// IMDN graph builder: see imdn.h.
#include "models/imdn.h"

#include <string>
#include <vector>

#include "models/config_values.h"
#include "models/distillation_network.h"

namespace litesr::models {
namespace {

constexpr float kImdnSlope = 0.05f;  // block.py activation('lrelu', neg_slope=0.05)
constexpr int kCcaReduction = 16;

Status validate(const ImdnConfig& c) {
  LITESR_RETURN_IF_ERROR(config_value_in_range(ImdnConfig::kArch, "scale", c.scale, 2, 4));
  // nf >= 16: the CCA hidden width 4·(nf/4)/16 is >= 1
  LITESR_RETURN_IF_ERROR(config_value_in_range(ImdnConfig::kArch, "nf", c.nf, 16, 256));
  return config_value_in_range(ImdnConfig::kArch, "num_modules", c.num_modules, 1, 16);
}

// One IMDModule: [nf, H, W] -> [nf, H, W].
int add_imdb(GraphBuilder& b, const std::string& p, int in, int nf) {
  const int dc = nf / 4;  // distilled; the remaining rc = nf − dc are slices [dc, nf)
  const int o1 = b.leaky_relu(b.conv(in, p + ".c1", nf, 3), kImdnSlope, p + ".c1_act");
  const int o2 = b.leaky_relu(b.conv(b.slice(o1, dc, nf, p + ".r1"), p + ".c2", nf, 3), kImdnSlope, p + ".c2_act");
  const int o3 = b.leaky_relu(b.conv(b.slice(o2, dc, nf, p + ".r2"), p + ".c3", nf, 3), kImdnSlope, p + ".c3_act");
  const int o4 = b.conv(b.slice(o3, dc, nf, p + ".r3"), p + ".c4", dc, 3);
  const int u = b.concat({b.slice(o1, 0, dc, p + ".d1"), b.slice(o2, 0, dc, p + ".d2"),
                          b.slice(o3, 0, dc, p + ".d3"), o4},
                         p + ".distilled");                                         // [4dc, H, W]
  const int att = b.channel_attention(u, p + ".cca", p + ".cca.conv_du.0", p + ".cca.conv_du.2",
                                      4 * dc / kCcaReduction, SePool::kMeanStd, SeGate::kSigmoid);
  return b.add({b.conv(att, p + ".c5", nf, 1), in}, p + ".residual");
}

}  // namespace

Result<ImdnConfig> parse_imdn_config(const nlohmann::json& config) {
  LITESR_RETURN_IF_ERROR(config_check_keys(config, ImdnConfig::kArch, {"scale", "nf", "num_modules"}));
  ImdnConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, ImdnConfig::kArch, "scale"));
  LITESR_ASSIGN_OR_RETURN(c.nf, config_int(config, ImdnConfig::kArch, "nf"));
  LITESR_ASSIGN_OR_RETURN(c.num_modules, config_int(config, ImdnConfig::kArch, "num_modules"));
  LITESR_RETURN_IF_ERROR(validate(c));
  return c;
}

nlohmann::json imdn_config_json(const ImdnConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"nf", c.nf}, {"num_modules", c.num_modules}};
}

Result<Graph> build_imdn_graph(const ImdnConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  return build_distillation_network({.arch = ImdnConfig::kArch,
                                     .scale = c.scale,
                                     .nf = c.nf,
                                     .num_modules = c.num_modules,
                                     .block_prefix = "IMDB",
                                     .slope = kImdnSlope,
                                     .add_block = add_imdb});
}

}  // namespace litesr::models
