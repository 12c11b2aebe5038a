// IMDN graph builder: see imdn.h.
#include "models/imdn.h"

#include <string>
#include <vector>

#include "models/builders.h"

namespace litesr::models {
namespace {

constexpr const char* kArch = "imdn";
constexpr float kSlope = 0.05f;  // block.py activation('lrelu', neg_slope=0.05)
constexpr int kCcaReduction = 16;

Status validate(const ImdnConfig& c) {
  auto range = [](const char* key, int v, int lo, int hi) -> Status {
    if (v < lo || v > hi) {
      return invalid_argument(std::string("imdn: ") + key + " = " + std::to_string(v) + " outside [" +
                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return {};
  };
  LITESR_RETURN_IF_ERROR(range("scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(range("nf", c.nf, 16, 256));  // CCA hidden = 4·(nf/4)/16 >= 1
  return range("num_modules", c.num_modules, 1, 16);
}

// One IMDModule: [nf, H, W] -> [nf, H, W].
int add_imdb(GraphBuilder& b, const std::string& p, int in, int nf) {
  const int dc = nf / 4;  // distilled; the remaining rc = nf − dc are slices [dc, nf)
  const int o1 = b.leaky_relu(b.conv(in, p + ".c1", nf, 3), kSlope, p + ".c1_act");
  const int o2 = b.leaky_relu(b.conv(b.slice(o1, dc, nf, p + ".r1"), p + ".c2", nf, 3), kSlope, p + ".c2_act");
  const int o3 = b.leaky_relu(b.conv(b.slice(o2, dc, nf, p + ".r2"), p + ".c3", nf, 3), kSlope, p + ".c3_act");
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
  LITESR_RETURN_IF_ERROR(config_check_keys(config, kArch, {"scale", "nf", "num_modules"}));
  ImdnConfig c;
  LITESR_ASSIGN_OR_RETURN(c.scale, config_int(config, kArch, "scale", 2, 4));
  LITESR_ASSIGN_OR_RETURN(c.nf, config_int(config, kArch, "nf", 16, 256));
  LITESR_ASSIGN_OR_RETURN(c.num_modules, config_int(config, kArch, "num_modules", 1, 16));
  return c;
}

nlohmann::json imdn_config_json(const ImdnConfig& c) {
  return nlohmann::json{{"scale", c.scale}, {"nf", c.nf}, {"num_modules", c.num_modules}};
}

Result<Graph> build_imdn_graph(const ImdnConfig& c) {
  LITESR_RETURN_IF_ERROR(validate(c));
  const int s = c.scale, nf = c.nf;
  GraphBuilder b(kArch, s);
  const int x = b.input("x", 3);                       // [3, H, W]
  const int fea = b.conv(x, "fea_conv", nf, 3);        // [nf, H, W]
  std::vector<int> blocks;
  int t = fea;
  for (int k = 1; k <= c.num_modules; ++k) {
    t = add_imdb(b, "IMDB" + std::to_string(k), t, nf);
    blocks.push_back(t);
  }
  const int cat = blocks.size() > 1 ? b.concat(blocks, "blocks") : blocks[0];           // [n·nf, H, W]
  t = b.leaky_relu(b.conv(cat, "c.0", nf, 1), kSlope, "c.1");                            // [nf, H, W]
  t = b.add({b.conv(t, "LR_conv", nf, 3), fea}, "long_skip");                            // [nf, H, W]
  b.output(b.pixel_shuffle(b.conv(t, "upsampler.0", 3 * s * s, 3), s, "upsampler.1"));  // [3, sH, sW]
  return std::move(b).finish();
}

Result<Graph> build_imdn(int scale, const nlohmann::json& config) {
  LITESR_ASSIGN_OR_RETURN(const ImdnConfig c, parse_imdn_config(config));
  if (c.scale != scale) {
    return invalid_argument("imdn: config scale " + std::to_string(c.scale) + " differs from litesr.scale " +
                            std::to_string(scale));
  }
  return build_imdn_graph(c);
}

}  // namespace litesr::models
