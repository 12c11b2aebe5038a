// The architecture table (models/architectures.h), row by row: every row's default config parses, round-trips
// through its JSON form, rejects out-of-range values and wrong types with an error naming the key, and builds a
// graph whose arch / scale / input frames agree with the config and with a model file's metadata.
#include "models/architectures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "models/registry.h"

namespace litesr {
namespace {

using json = nlohmann::json;

// Calls f(row) for every typed row of the table.
template <typename F>
void for_each_row(F&& f) {
  std::apply([&](const auto&... row) { (f(row), ...); }, models::kArchitectures);
}

// Config objects that must be rejected, each with the key its error must name: for every key of `defaults`,
// values of the wrong JSON type and, for integers, values far outside any range; plus the key removed.
std::vector<std::pair<json, std::string>> bad_configs(const json& defaults) {
  std::vector<std::pair<json, std::string>> bad;
  for (const auto& [key, value] : defaults.items()) {
    auto with = [&](json v) {
      json j = defaults;
      j[key] = std::move(v);
      bad.emplace_back(std::move(j), key);
    };
    if (value.is_number_integer()) {
      with(1 << 20);
      with(-(1 << 20));
      with(INT64_MAX);  // does not fit in an int
      with(2.5);
      with("4");
    } else if (value.is_number()) {
      with(0.25);  // no such bicubic kernel
      with("x");
    } else if (value.is_boolean()) {
      with(1);
      with("true");
    } else if (value.is_string()) {
      with("no_such_value");
      with(3);
    }
    json missing = defaults;
    missing.erase(key);
    bad.emplace_back(std::move(missing), key);
  }
  return bad;
}

TEST(Architectures, EveryRowRoundTripsRejectsAndBuilds) {
  int rows = 0;
  for_each_row([&](const auto& row) {
    using Config = typename std::decay_t<decltype(row)>::ConfigType;
    ++rows;
    const std::string name(row.name);
    SCOPED_TRACE(name);
    ASSERT_NE(row.parse, nullptr);
    ASSERT_NE(row.to_json, nullptr);
    ASSERT_NE(row.build, nullptr);
    EXPECT_FALSE(row.description.empty());

    // Defaults: every key written out, parsed back to the same struct, and the same text again.
    const Config defaults{};
    const json j = row.to_json(defaults);
    ASSERT_TRUE(j.is_object());
    ASSERT_TRUE(j.contains("scale"));
    EXPECT_EQ(j.at("scale"), defaults.scale);
    const Result<Config> parsed = row.parse(j);
    ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
    EXPECT_TRUE(*parsed == defaults);
    EXPECT_EQ(row.to_json(*parsed).dump(), j.dump());
    EXPECT_EQ(json::parse(j.dump()), j);

    // Bad values and missing keys: kInvalidArgument naming the architecture and the key.
    for (const auto& [bad, key] : bad_configs(j)) {
      const Result<Config> r = row.parse(bad);
      ASSERT_FALSE(r.ok()) << bad.dump();
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad.dump();
      const std::string message = r.status().message();
      EXPECT_NE(message.find(name + ": "), std::string::npos) << message;
      EXPECT_NE(message.find("'" + key + "'"), std::string::npos) << bad.dump() << " -> " << message;
    }
    json unknown = j;
    unknown["no_such_key"] = 1;
    const Result<Config> r = row.parse(unknown);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'no_such_key'"), std::string::npos) << r.status().message();
    EXPECT_FALSE(row.parse(json::array()).ok());

    // The graph agrees with the config: arch, scale, frames.
    const Result<Graph> graph = row.build(defaults);
    ASSERT_TRUE(graph.ok()) << graph.status().to_string();
    EXPECT_EQ(graph->arch, name);
    EXPECT_EQ(graph->scale, defaults.scale);
    EXPECT_EQ(graph->input_frames, models::config_input_frames(defaults));

    // The JSON-facing row and the registry say the same; a model file's metadata agrees with the graph.
    const models::ArchitectureInfo* info = models::find_architecture(name);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->name, row.name);
    EXPECT_EQ(info->description, row.description);
    EXPECT_EQ(info->default_config(), j);
    const Result<json> normalized = info->normalize_config(j);
    ASSERT_TRUE(normalized.ok()) << normalized.status().to_string();
    EXPECT_EQ(*normalized, j);
    EXPECT_FALSE(info->normalize_config(bad_configs(j).front().first).ok());
    const Result<Graph> by_name = models::build_graph(name, defaults.scale, j.dump());
    ASSERT_TRUE(by_name.ok()) << by_name.status().to_string();
    EXPECT_EQ(by_name->nodes.size(), graph->nodes.size());
    const Result<Graph> wrong_scale = info->build_graph(defaults.scale + 1, j);
    ASSERT_FALSE(wrong_scale.ok());
    EXPECT_NE(wrong_scale.status().message().find("litesr.scale"), std::string::npos);
    const Result<ModelFile> file = models::make_random_model(name, defaults.scale, j.dump(), 1);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    EXPECT_EQ(file->metadata.at("litesr.arch"), name);
    EXPECT_EQ(file->metadata.at("litesr.scale"), std::to_string(defaults.scale));
    EXPECT_EQ(file->metadata.at("litesr.frames"), std::to_string(graph->input_frames));
    EXPECT_EQ(file->metadata.at("litesr.config"), j.dump());
    EXPECT_TRUE(models::build_graph(*file).ok());
  });
  EXPECT_EQ(rows, static_cast<int>(models::architectures().size()));
}

TEST(Architectures, NamesAreSortedUniqueAndTheRegistrysOnly) {
  std::vector<std::string> names;
  for (const models::ArchitectureInfo& a : models::architectures()) names.emplace_back(a.name);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  EXPECT_EQ(models::registered_architectures(), names);
  EXPECT_EQ(models::find_architecture("nope"), nullptr);
  EXPECT_EQ(models::find_architecture(""), nullptr);
  EXPECT_EQ(models::build_graph("nope", 4, "{}").status().code(), StatusCode::kUnsupported);
}

TEST(Architectures, VideoModelsTakeTheirFrames) {
  models::EvsrnetConfig c;
  c.frames = 7;
  EXPECT_EQ(models::config_input_frames(c), 7);
  EXPECT_EQ(models::config_input_frames(models::ElsrConfig{}), 1);
  const Result<Graph> g = models::build_evsrnet_graph(c);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->input_frames, 7);
}

TEST(Architectures, ElsrConfigRangesAndJson) {
  const auto& elsr = models::architecture<models::ElsrConfig>();
  EXPECT_EQ(elsr.to_json(models::ElsrConfig{}).dump(), R"({"channels":6,"scale":4})");
  EXPECT_TRUE(elsr.parse(json{{"scale", 2}, {"channels", 256}}).ok());
  for (const json& bad :
       {json{{"scale", 5}, {"channels", 6}}, json{{"scale", 1}, {"channels", 6}}, json{{"scale", 4}, {"channels", 0}},
        json{{"scale", 4}, {"channels", 257}}, json{{"scale", 4}, {"channels", 6}, {"expand", 8}}}) {
    EXPECT_FALSE(elsr.parse(bad).ok()) << bad.dump();  // "expand" is training-only: never in a model file
  }
  const Result<models::ElsrConfig> c = elsr.parse(json{{"scale", 4}, {"channels", 0}});
  EXPECT_NE(c.status().message().find("elsr: config 'channels' = 0 outside [1, 256]"), std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace litesr
