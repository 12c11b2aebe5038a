#include "profile/counting_convention.h"

namespace litesr {

CountingRules counting_rules(CountingConvention convention) {
  CountingRules r;
  switch (convention) {
    case CountingConvention::kMacs:
      break;  // the defaults: conv and Linear multiply-accumulates only
    case CountingConvention::kKair:
      r.transposed_conv_per_output = true;
      r.activations = true;
      r.batch_norm_ops = 2;
      break;
    case CountingConvention::kPtflops:
      r.conv_bias = true;
      r.transposed_conv_per_output = true;
      r.activations = true;
      r.batch_norm_ops = 2;
      r.pooling = true;
      r.upsampling = true;
      break;
  }
  return r;
}

std::string_view convention_name(CountingConvention convention) {
  switch (convention) {
    case CountingConvention::kMacs: return "macs";
    case CountingConvention::kKair: return "kair";
    case CountingConvention::kPtflops: return "ptflops";
  }
  return "unknown";
}

Result<CountingConvention> parse_convention(std::string_view name) {
  for (CountingConvention c : {CountingConvention::kMacs, CountingConvention::kKair, CountingConvention::kPtflops}) {
    if (name == convention_name(c)) return c;
  }
  return invalid_argument("unknown counting convention '" + std::string(name) + "' (valid: macs, kair, ptflops)");
}

}  // namespace litesr
