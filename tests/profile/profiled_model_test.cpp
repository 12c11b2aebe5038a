// The model `litesr profile` measures (profile/profiled_model.h): an architecture's defaults with a JSON patch,
// a shipped model, the errors a user can cause, and a timed forward pass on the runtime.
#include "profile/profiled_model.h"

#include <gtest/gtest.h>

#include <string>

#include "models/builtin_models.h"
#include "runtime/model_quantization.h"

namespace litesr {
namespace {

TEST(ProfiledModel, ArchitectureDefaultsWithAPatch) {
  ProfiledModelSpec spec;
  spec.arch = "sam_sr";
  spec.scale = 4;
  spec.config_patch = R"({"nf": 24, "n": 2})";
  Result<ProfiledModel> m = load_profiled_model(spec);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->graph.scale, 4);
  EXPECT_TRUE(m->file.tensors.empty()) << "no weights unless asked for";
  spec.weights = true;
  m = load_profiled_model(spec);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_FALSE(m->file.tensors.empty());
  EXPECT_NE(profiled_architecture_names().find("sam_sr"), std::string::npos);
}

TEST(ProfiledModel, BadSpecsAreInvalidArguments) {
  ProfiledModelSpec both;
  both.model = "elsr-x4";
  both.arch = "elsr";
  EXPECT_EQ(load_profiled_model(both).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(load_profiled_model({}).status().code(), StatusCode::kInvalidArgument);
  ProfiledModelSpec spec;
  spec.arch = "elsr";
  EXPECT_EQ(load_profiled_model(spec).status().code(), StatusCode::kInvalidArgument) << "no scale";
  spec.scale = 4;
  spec.config_patch = "[1, 2]";
  EXPECT_EQ(load_profiled_model(spec).status().code(), StatusCode::kInvalidArgument);
  spec.config_patch = "{nope";
  EXPECT_EQ(load_profiled_model(spec).status().code(), StatusCode::kInvalidArgument);
  spec.config_patch = R"({"channels": 0})";
  EXPECT_EQ(load_profiled_model(spec).status().code(), StatusCode::kInvalidArgument);
  spec.arch = "nope";
  spec.config_patch = "{}";
  const Status unknown = load_profiled_model(spec).status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("elsr"), std::string::npos) << "lists the architectures: " << unknown.message();
  ProfiledModelSpec missing;
  missing.model = "no-such-model";
  EXPECT_EQ(load_profiled_model(missing).status().code(), StatusCode::kNotFound);
}

TEST(ProfiledModel, TimesAShippedModelOnTheFusedEngine) {
  ProfiledModelSpec spec;
  spec.model = "elsr-x4";
  const ProfiledModel m = load_profiled_model(spec).value();
  TimingOptions options;
  options.warmup_runs = 1;
  options.timed_runs = 3;
  Result<ForwardTiming> t = time_forward(m, 32, 24, 2, options, 7);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->timing.timed_runs, 3);
  EXPECT_EQ(t->timing.threads, 2);
  EXPECT_GT(t->timing.median_ms, 0.0);
  EXPECT_EQ(t->engine.rfind("fused_bands, ", 0), 0u) << t->engine;
}

// Every shipped model is timed on the engine users get (issues #17 and #22): INT8 files on the integer engine,
// the video models one frame (recurrent step) per run on a MultiFrameSession — never the float graph of an INT8
// model, never an error.
TEST(ProfiledModel, TimesEveryShippedModelOnTheEngineUsersGet) {
  for (const std::string& name : models::builtin_model_names()) {
    SCOPED_TRACE(name);
    ProfiledModelSpec spec;
    spec.model = name;
    spec.weights = true;
    Result<ProfiledModel> m = load_profiled_model(spec);
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    TimingOptions options;
    options.warmup_runs = 1;
    options.timed_runs = 1;
    Result<ForwardTiming> t = time_forward(*m, 20, 12, 2, options, 7);
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    const char* engine = is_quantized_model(m->file) ? "int8_bands, " : "fused_bands, ";
    EXPECT_EQ(t->engine.rfind(engine, 0), 0u) << t->engine;
    const bool video = m->graph.input_frames > 1;
    EXPECT_EQ(t->engine.find("one frame per run") != std::string::npos, video) << t->engine;
  }
}

}  // namespace
}  // namespace litesr
