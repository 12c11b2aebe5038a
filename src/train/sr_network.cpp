#include "train/sr_network.h"

#include "train/baseline_networks.h"
#include "train/elsr_network.h"
#include "train/evsrnet_network.h"
#include "train/sam_sr_network.h"

namespace litesr::train {

torch::nn::Conv2d same_conv(int64_t in, int64_t out, int64_t k, bool bias, int64_t groups) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).padding(k / 2).bias(bias).groups(groups));
}

Result<SrNetworkPtr> make_network(const ModelConfig& config) {
  try {
    return std::visit(
        [](const auto& c) -> SrNetworkPtr {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, ElsrConfig>) return std::make_shared<ElsrNetwork>(c);
          if constexpr (std::is_same_v<C, EvsrnetConfig>) return std::make_shared<EvsrnetNetwork>(c);
          if constexpr (std::is_same_v<C, SamSrConfig>) return std::make_shared<SamSrNetwork>(c);
          if constexpr (std::is_same_v<C, EspcnConfig>) return std::make_shared<EspcnNetwork>(c);
          if constexpr (std::is_same_v<C, FsrcnnConfig>) return std::make_shared<FsrcnnNetwork>(c);
        },
        config);
  } catch (const c10::Error& e) {
    return internal_error("make_network(" + std::string(arch_name(config)) + "): " + e.what_without_backtrace());
  }
}

std::vector<std::pair<std::string, torch::Tensor>> network_state(const SrNetwork& net) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : net.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  for (const auto& item : net.named_buffers(/*recurse=*/true)) {
    const std::string& key = item.key();
    if (key.size() >= 19 && key.compare(key.size() - 19, 19, "num_batches_tracked") == 0) continue;
    out.emplace_back(key, item.value());
  }
  return out;
}

int64_t parameter_count(const SrNetwork& net) {
  int64_t n = 0;
  for (const auto& p : net.parameters(/*recurse=*/true)) n += p.numel();
  return n;
}

}  // namespace litesr::train
