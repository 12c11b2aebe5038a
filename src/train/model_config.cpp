#include "train/model_config.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>
#include <vector>

#include "models/architectures.h"
#include "models/config_values.h"
#include "runtime/graph.h"

namespace litesr::train {
namespace {

using Json = nlohmann::json;

constexpr int kMaxExpand = 1024;

// The models-table config struct of an alternative: train::ElsrConfig extends models::ElsrConfig.
template <typename C>
struct TableConfig {
  using type = C;
};
template <>
struct TableConfig<ElsrConfig> {
  using type = models::ElsrConfig;
};

// The models-table row of an alternative.
template <typename C>
constexpr const auto& table_row() {
  return models::architecture<typename TableConfig<C>::type>();
}

// Calls f(std::type_identity<C>{}) for every alternative C of ModelConfig, in order.
template <typename F>
void for_each_alternative(F&& f) {
  [&]<typename... Cs>(std::variant<Cs...>*) { (f(std::type_identity<Cs>{}), ...); }(static_cast<ModelConfig*>(nullptr));
}

// Training-only keys beyond the models config: none, except ELSR's "expand" (written only when > 0, so the
// config of a plain network is exactly its model file's). take_training_keys reads them and removes them from
// `j`, leaving the models config.
template <typename C>
Status take_training_keys(Json&, C&) {
  return {};
}
Status take_training_keys(Json& j, ElsrConfig& c) {
  if (!j.contains("expand")) return {};
  LITESR_ASSIGN_OR_RETURN(c.expand, models::config_int(j, ElsrConfig::kArch, "expand"));
  LITESR_RETURN_IF_ERROR(models::config_value_in_range(ElsrConfig::kArch, "expand", c.expand, 0, kMaxExpand));
  j.erase("expand");
  return {};
}
template <typename C>
void put_training_keys(const C&, Json&) {}
void put_training_keys(const ElsrConfig& c, Json& j) {
  if (c.expand > 0) j["expand"] = c.expand;
}

// The trainer feeds RGB or luma frames (trainer.cpp converts its RGB batches for a luma network): the network
// must map frames of 3 or 1 channels to frames of the same channels.
Status check_trainable_color(const Graph& graph) {
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  const int in = frame_channels(graph);
  const int out = shapes[graph.outputs.front()].channels;
  if ((in == 3 || in == 1) && (out == in || out == in * graph.input_frames)) return {};
  return unsupported(graph.arch + ": this config's network maps " + std::to_string(in) + "-channel frames to " +
                     std::to_string(out) + "-channel outputs; the trainer trains RGB (3) and luma (1) networks");
}

template <typename C>
Result<ModelConfig> parse_as(Json j) {
  using Table = typename TableConfig<C>::type;
  C c;
  LITESR_RETURN_IF_ERROR(take_training_keys(j, c));
  // Missing keys take the struct's defaults: the given keys are laid over the default config, which the
  // models parser then checks as a whole.
  Json full = table_row<C>().to_json(Table{});
  for (const auto& [key, value] : j.items()) full[key] = value;
  LITESR_ASSIGN_OR_RETURN(static_cast<Table&>(c), table_row<C>().parse(full));
  LITESR_RETURN_IF_ERROR(
      models::config_value_in_range(C::kArch, "scale", c.scale, kMinTrainingScale, kMaxTrainingScale));
  LITESR_ASSIGN_OR_RETURN(const Graph graph, table_row<C>().build(c));
  LITESR_RETURN_IF_ERROR(check_trainable_color(graph));
  return ModelConfig{c};
}

}  // namespace

std::string_view arch_name(const ModelConfig& config) {
  return std::visit([](const auto& c) { return std::string_view(c.kArch); }, config);
}

int config_scale(const ModelConfig& config) {
  return std::visit([](const auto& c) { return c.scale; }, config);
}

ModelConfig with_scale(const ModelConfig& config, int scale) {
  return std::visit(
      [scale](auto c) -> ModelConfig {
        c.scale = scale;
        return c;
      },
      config);
}

Result<Graph> config_graph(const ModelConfig& config) {
  return std::visit(
      [](const auto& c) {
        using Table = typename TableConfig<std::decay_t<decltype(c)>>::type;
        return table_row<std::decay_t<decltype(c)>>().build(static_cast<const Table&>(c));
      },
      config);
}

int config_frame_channels(const ModelConfig& config) {
  const Result<Graph> graph = config_graph(config);
  return graph.ok() ? frame_channels(*graph) : 0;  // a parsed config always builds
}

int config_frames(const ModelConfig& config) {
  return std::visit([](const auto& c) { return models::config_input_frames(c); }, config);
}

Result<ModelConfig> parse_model_config(std::string_view arch, std::string_view json_text) {
  Json j;
  try {
    j = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    return invalid_argument(std::string("model config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return invalid_argument("model config must be a JSON object");
  std::optional<Result<ModelConfig>> parsed;
  std::string trainable;
  for_each_alternative([&](auto type) {
    using C = typename decltype(type)::type;
    trainable += (trainable.empty() ? "" : ", ") + std::string(C::kArch);
    if (!parsed && arch == C::kArch) parsed = parse_as<C>(j);
  });
  if (parsed) return *std::move(parsed);
  if (models::find_architecture(arch) != nullptr) {
    return invalid_argument("architecture '" + std::string(arch) + "' has no training module (trainable: " + trainable +
                            ")");
  }
  return invalid_argument("unknown architecture '" + std::string(arch) + "' (trainable: " + trainable + ")");
}

std::string model_config_json(const ModelConfig& config) {
  return std::visit(
      [](const auto& c) {
        Json j = table_row<std::decay_t<decltype(c)>>().to_json(c);
        put_training_keys(c, j);
        return j.dump();
      },
      config);
}

}  // namespace litesr::train
