// train::ModelConfig over the models architecture table: defaults and JSON are the table's, partial configs
// take the struct defaults, the training-only keys and limits, and byte-identical `litesr.config` for the
// shipped model files and recipes.
#include "train/model_config.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "models/architectures.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "testing/test_env.h"
#include "train/recipe.h"

namespace litesr::train {
namespace {

using Json = nlohmann::json;

const char* const kTrainable[] = {"elsr", "evsrnet", "sam_sr", "espcn", "fsrcnn"};

bool trainable(const std::string& arch) {
  for (const char* a : kTrainable) {
    if (arch == a) return true;
  }
  return false;
}

TEST(ModelConfig, DefaultsAndJsonAreTheArchitectureTables) {
  for (const char* arch : kTrainable) {
    SCOPED_TRACE(arch);
    const models::ArchitectureInfo* row = models::find_architecture(arch);
    ASSERT_NE(row, nullptr);
    const Result<ModelConfig> c = parse_model_config(arch, "{}");
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    EXPECT_EQ(arch_name(*c), arch);
    EXPECT_EQ(model_config_json(*c), row->default_config().dump());
    const Result<Graph> graph = models::build_graph(arch, config_scale(*c), model_config_json(*c));
    ASSERT_TRUE(graph.ok()) << graph.status().to_string();
    EXPECT_EQ(config_frames(*c), graph->input_frames);
    // Round trip: the written-out config parses to the same struct.
    const Result<ModelConfig> again = parse_model_config(arch, model_config_json(*c));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *c);
  }
  EXPECT_TRUE(std::get<ElsrConfig>(*parse_model_config("elsr", "{}")) == ElsrConfig{});
  EXPECT_TRUE(std::get<EvsrnetConfig>(*parse_model_config("evsrnet", "{}")) == models::EvsrnetConfig{});
  EXPECT_TRUE(std::get<SamSrConfig>(*parse_model_config("sam_sr", "{}")) == models::sam_sr_xlite_config());
}

TEST(ModelConfig, MissingKeysTakeTheStructDefaults) {
  const Result<ModelConfig> lite = parse_model_config("sam_sr", R"({"nf": 72, "n": 16})");
  ASSERT_TRUE(lite.ok()) << lite.status().to_string();
  EXPECT_TRUE(std::get<SamSrConfig>(*lite) == models::sam_sr_lite_config());
  const Result<ModelConfig> ev = parse_model_config("evsrnet", R"({"mode": "frame_parallel", "frames": 3})");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(model_config_json(*ev), R"({"frames":3,"mode":"frame_parallel","nb":5,"nc":8,"scale":4})");
  EXPECT_EQ(config_frames(*ev), 3);
  const Result<ModelConfig> fs = parse_model_config("fsrcnn", R"({"d": 32, "s": 5, "m": 1, "scale": 3})");
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(model_config_json(*fs), R"({"channels":3,"d":32,"m":1,"s":5,"scale":3})");
  EXPECT_EQ(config_scale(with_scale(*fs, 2)), 2);
  EXPECT_EQ(config_scale(*fs), 3);
}

TEST(ModelConfig, ElsrExpandIsTrainingOnly) {
  const Result<ModelConfig> plain = parse_model_config("elsr", R"({"expand": 0})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(model_config_json(*plain), R"({"channels":6,"scale":4})");  // exactly the model file's config
  const Result<ModelConfig> wide = parse_model_config("elsr", R"({"expand": 512, "scale": 2})");
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(std::get<ElsrConfig>(*wide).expand, 512);
  EXPECT_EQ(std::get<ElsrConfig>(*wide).scale, 2);
  EXPECT_EQ(model_config_json(*wide), R"({"channels":6,"expand":512,"scale":2})");
  // The runtime never accepts it: a model file holds the collapsed network.
  EXPECT_FALSE(models::build_graph("elsr", 2, model_config_json(*wide)).ok());
  for (const char* bad : {R"({"expand": -1})", R"({"expand": 1025})", R"({"expand": "8"})"}) {
    const Result<ModelConfig> r = parse_model_config("elsr", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("'expand'"), std::string::npos) << r.status().message();
  }
}

TEST(ModelConfig, ErrorsNameTheKey) {
  const struct {
    const char* arch;
    const char* json;
    const char* key;
  } cases[] = {
      {"elsr", R"({"channels": 0})", "'channels'"},
      {"elsr", R"({"scale": 5})", "'scale'"},
      {"elsr", R"({"scale": "4"})", "'scale'"},
      {"elsr", R"({"bogus": 1})", "'bogus'"},
      {"evsrnet", R"({"nc": 0})", "'nc'"},
      {"evsrnet", R"({"mode": "x"})", "'mode'"},
      {"evsrnet", R"({"frames": 65})", "'frames'"},
      {"sam_sr", R"({"nf": 15})", "'nf'"},
      {"sam_sr", R"({"bicubic_a": -0.6})", "'bicubic_a'"},
      {"sam_sr", R"({"se": 1})", "'se'"},
      {"sam_sr", R"({"upsampler": "b"})", "'upsampler'"},
      {"sam_sr", R"({"scale": 2})", "'scale'"},
      {"espcn", R"({"channels": 2})", "'channels'"},
      {"fsrcnn", R"({"m": 65})", "'m'"},
  };
  for (const auto& c : cases) {
    const Result<ModelConfig> r = parse_model_config(c.arch, c.json);
    ASSERT_FALSE(r.ok()) << c.arch << " " << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().to_string();
    EXPECT_NE(r.status().message().find(c.key), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(parse_model_config("elsr", "[]").ok());
  EXPECT_FALSE(parse_model_config("elsr", "{bad").ok());
  const Result<ModelConfig> nope = parse_model_config("nope", "{}");
  EXPECT_NE(nope.status().message().find("unknown architecture"), std::string::npos) << nope.status().message();
  // In the models table, but no LibTorch module.
  const Result<ModelConfig> rfdn = parse_model_config("rfdn", "{}");
  EXPECT_EQ(rfdn.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rfdn.status().message().find("no training module"), std::string::npos) << rfdn.status().message();
}

TEST(ModelConfig, TrainingLimitsBeyondTheRuntimes) {
  // x8 is a valid runtime config, but the trainer trains x2..x4; the Y-only variants train (luma networks).
  EXPECT_TRUE(models::build_graph("espcn", 8, R"({"scale": 8, "channels": 3})").ok());
  const Result<ModelConfig> x8 = parse_model_config("espcn", R"({"scale": 8})");
  EXPECT_EQ(x8.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(x8.status().message().find("'scale'"), std::string::npos) << x8.status().message();
  const Result<ModelConfig> elsr_y = parse_model_config("elsr", R"({"color": "y", "expand": 4})");
  ASSERT_TRUE(elsr_y.ok()) << elsr_y.status().to_string();
  EXPECT_EQ(config_frame_channels(*elsr_y), 1);
  EXPECT_EQ(model_config_json(*elsr_y), R"({"channels":6,"color":"y","expand":4,"scale":4})");
  EXPECT_EQ(model_config_json(parse_model_config("elsr", R"({"color": "rgb"})").value()), R"({"channels":6,"scale":4})");
  const Result<ModelConfig> sam_y = parse_model_config("sam_sr", R"({"color": "y", "nf": 8, "n": 1})");
  ASSERT_TRUE(sam_y.ok()) << sam_y.status().to_string();
  EXPECT_EQ(config_frame_channels(*sam_y), 1);
  const Result<ModelConfig> bad = parse_model_config("elsr", R"({"color": "yuv"})");
  EXPECT_NE(bad.status().message().find("'color'"), std::string::npos) << bad.status().message();
  for (const char* arch : {"espcn", "fsrcnn"}) {
    SCOPED_TRACE(arch);
    const Result<ModelConfig> y = parse_model_config(arch, R"({"channels": 1})");
    ASSERT_TRUE(y.ok()) << y.status().to_string();
    EXPECT_EQ(config_frame_channels(*y), 1);
    EXPECT_EQ(config_frame_channels(parse_model_config(arch, R"({"channels": 3})").value()), 3);
  }
}

// Every shipped model file's config reads back to exactly its `litesr.config` text.
TEST(ModelConfig, ShippedModelFilesRoundTripByteForByte) {
  int checked = 0;
  for (const std::string& name : models::builtin_model_names()) {
    const Result<ModelFile> file = models::load_builtin_model(name);
    ASSERT_TRUE(file.ok()) << name;
    const std::string arch = file->metadata.at("litesr.arch");
    if (!trainable(arch)) continue;
    const std::string stored = file->metadata.at("litesr.config");
    const Result<ModelConfig> c = parse_model_config(arch, stored);
    ASSERT_TRUE(c.ok()) << name << ": " << c.status().to_string();
    EXPECT_EQ(model_config_json(*c), stored) << name;
    EXPECT_EQ(std::to_string(config_frames(*c)), file->metadata.at("litesr.frames")) << name;
    EXPECT_EQ(std::to_string(config_scale(*c)), file->metadata.at("litesr.scale")) << name;
    ++checked;
  }
  EXPECT_GE(checked, 1);
}

// The configs the shipped recipes train (and write into checkpoints and model files), one per family.
TEST(ModelConfig, RecipeConfigsAreUnchanged) {
  const std::map<std::string, std::string> expected = {
      {"elsr_x2_cpu.toml", R"({"channels":6,"scale":2})"},
      {"elsr_x4_cpu_expand_p192.toml", R"({"channels":6,"expand":512,"scale":4})"},
      {"espcn_x4_cpu.toml", R"({"channels":3,"scale":4})"},
      {"evsrnet_x4_cpu.toml", R"({"frames":10,"mode":"recurrent","nb":5,"nc":8,"scale":4})"},
      {"fsrcnn_x4_cpu.toml", R"({"channels":3,"d":56,"m":4,"s":12,"scale":4})"},
      {"sam_sr_lite_paper.toml", R"({"bicubic_a":-0.75,"bn":true,"n":16,"nf":72,"scale":4,"se":true,)"
                                 R"("se_gate":"hard_sigmoid","upsampler":"candidate_a"})"},
      {"sam_sr_xlite_x4_cpu_continue.toml", R"({"bicubic_a":-0.75,"bn":false,"n":8,"nf":16,"scale":4,"se":true,)"
                                            R"("se_gate":"hard_sigmoid","upsampler":"candidate_a"})"},
  };
  for (const auto& [file, json] : expected) {
    const Result<Recipe> r = load_recipe(litesr::testing::source_dir() / "recipes" / file);
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().to_string();
    EXPECT_EQ(model_config_json(r->model), json) << file;
  }
}

}  // namespace
}  // namespace litesr::train
