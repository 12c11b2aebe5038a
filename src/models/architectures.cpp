#include "models/architectures.h"

#include <array>
#include <string>

namespace litesr::models {
namespace {

// The JSON-facing row of Architecture<Config>.
template <typename Config>
ArchitectureInfo json_row() {
  return ArchitectureInfo{
      .name = Architecture<Config>::name,
      .description = architecture<Config>().description,
      .default_config = [] { return architecture<Config>().to_json(Config{}); },
      .normalize_config = [](const nlohmann::json& config) -> Result<nlohmann::json> {
        LITESR_ASSIGN_OR_RETURN(const Config c, architecture<Config>().parse(config));
        return architecture<Config>().to_json(c);
      },
      .build_graph = [](int scale, const nlohmann::json& config) -> Result<Graph> {
        LITESR_ASSIGN_OR_RETURN(const Config c, architecture<Config>().parse(config));
        if (c.scale != scale) {
          return invalid_argument(std::string(Config::kArch) + ": config scale " + std::to_string(c.scale) +
                                  " differs from litesr.scale " + std::to_string(scale));
        }
        return architecture<Config>().build(c);
      },
  };
}

template <typename... Configs>
std::array<ArchitectureInfo, sizeof...(Configs)> json_rows(const std::tuple<Architecture<Configs>...>&) {
  return {json_row<Configs>()...};
}

}  // namespace

std::span<const ArchitectureInfo> architectures() {
  static const auto kRows = json_rows(kArchitectures);
  return kRows;
}

const ArchitectureInfo* find_architecture(std::string_view name) {
  for (const ArchitectureInfo& a : architectures()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace litesr::models
