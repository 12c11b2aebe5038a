// FGNAS for EVSRNet (train/evsrnet_search.h): binary straight-through gates, the MAC count of the gates against
// the runtime's profile of the derived model, exact derivation of the uniform EVSRNet, the λ trade-off, the
// search stage in recipes (keys, errors, --nas-lambda), a search + train run whose model file runs in the
// runtime, and bit-identical --resume through the search stage.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "train_test_data.h"
#include "io/image_file.h"
#include "models/registry.h"
#include "profile/complexity.h"
#include "runtime/model_file.h"
#include "runtime/multi_frame_session.h"
#include "testing/test_env.h"
#include "train/evsrnet_search.h"
#include "train/model_export.h"
#include "train/recipe.h"
#include "train/trainer.h"
#include "train/training_log.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;
using litesr::testing::write_text_file;
using litesr::testing::TempDir;
using Json = nlohmann::json;

// Sets gate logits: +3 (open) at `open`, −3 (closed) elsewhere.
void set_gates(torch::Tensor logits, const std::vector<int64_t>& open) {
  torch::NoGradGuard no_grad;
  logits.fill_(-3.0);
  for (int64_t i : open) logits[i] = 3.0;
}

// A copy of torch's global CPU generator state.
torch::Tensor global_rng_state() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

EvsrnetSearchBlock& block(EvsrnetSearchNetwork& net, size_t i) { return *net.body->ptr(i)->as<EvsrnetSearchBlock>(); }

NasSpec space(int channels, int blocks) {
  NasSpec nas;
  nas.enabled = true;
  nas.max_channels = channels;
  nas.max_blocks = blocks;
  return nas;
}

TEST(NasGates, BinaryForwardStraightThroughGradient) {
  const torch::Tensor logits = torch::tensor({-2.0f, -0.1f, 0.3f, 5.0f}).requires_grad_(true);
  const torch::Tensor g = straight_through_gate(logits);
  EXPECT_TRUE(torch::equal(g.detach(), torch::tensor({0.0f, 0.0f, 1.0f, 1.0f})));  // exactly binary
  const torch::Tensor weights = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f});
  (g * weights).sum().backward();
  const torch::Tensor sig = torch::sigmoid(logits.detach());
  EXPECT_TRUE(torch::allclose(logits.grad(), weights * sig * (1 - sig)));  // sigmoid'(ψ), closed gates included

  // In the supernet every gate gets a gradient from the task loss, and the MAC penalty pushes every logit down.
  torch::manual_seed(3);
  EvsrnetSearchNetwork net(EvsrnetConfig{2, 8, 5, 2, EvsrnetMode::kRecurrent}, space(4, 2));
  set_gates(net.trunk_gate, {0, 1, 3});
  set_gates(block(net, 0).gate, {2});
  set_gates(block(net, 1).gate, {});  // a removed block: its gates still learn whether to reopen
  const torch::Tensor x = torch::rand({2, 6, 5, 4});
  const torch::Tensor y = net.forward(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 6, 10, 8}));
  torch::l1_loss(y, torch::rand_like(y)).backward();
  for (const torch::Tensor& gate : net.gate_parameters()) {
    ASSERT_TRUE(gate.grad().defined());
    EXPECT_GT(gate.grad().abs().sum().item<double>(), 0.0);
  }
  for (torch::Tensor& gate : net.gate_parameters()) gate.mutable_grad().zero_();
  net.macs_penalty().backward();
  for (const torch::Tensor& gate : net.gate_parameters()) EXPECT_TRUE((gate.grad() > 0).all().item<bool>());
  EXPECT_EQ(net.gate_parameters().size(), 3u);
  EXPECT_EQ(net.weight_parameters().size() + 3, net.parameters().size());
}

// FLOPs of the hard gates = MACs of the derived uniform model, as the runtime's profile counts its graph, and
// the closed form of seeds_facts §2.3 (14,400 params / 821 M MACs per 320x180 frame for nc 8, nb 5 recurrent).
TEST(NasMacs, HardGatesEqualTheRuntimeProfileOfTheDerivedModel) {
  for (const EvsrnetMode mode : {EvsrnetMode::kRecurrent, EvsrnetMode::kFrameParallel}) {
    const bool recurrent = mode == EvsrnetMode::kRecurrent;
    SCOPED_TRACE(recurrent ? "recurrent" : "frame_parallel");
    torch::manual_seed(5);
    EvsrnetSearchNetwork net(EvsrnetConfig{4, 8, 5, 10, mode}, space(32, 8));  // Table 2: 0..32 x 0..8
    set_gates(net.trunk_gate, {1, 4, 5, 9, 13, 20, 27, 31});
    const std::vector<int64_t> inner = {0, 3, 6, 7, 10, 17, 18, 30};
    for (size_t b : {0u, 2u, 3u, 5u, 7u}) set_gates(block(net, b).gate, inner);
    for (size_t b : {1u, 4u, 6u}) set_gates(block(net, b).gate, {});
    const int64_t per_pixel = recurrent ? 14256 : 9432;
    EXPECT_EQ(net.hard_macs_per_pixel(), static_cast<double>(per_pixel));
    EXPECT_EQ(net.full_macs_per_pixel(), recurrent ? 9.0 * (6 + 32 + 48) * 32 + 8 * 18 * 1024 + 9 * 1024 + 9 * 32 * 48
                                                   : 9.0 * 3 * 32 + 8 * 18 * 1024 + 9 * 32 * 48);
    // Gate probabilities at ±3 are 0.047 / 0.953: the expected count lies near the hard one, and equals it
    // when the logits saturate.
    EXPECT_NEAR(net.expected_macs_per_pixel().item<double>() / per_pixel, 1.0, 0.5);
    {
      torch::NoGradGuard no_grad;
      for (torch::Tensor g : net.gate_parameters()) g.mul_(20.0);  // ±60: sigmoid is 0 / 1 in float
    }
    EXPECT_NEAR(net.expected_macs_per_pixel().item<double>(), static_cast<double>(per_pixel), 1e-3);

    const EvsrnetConfig found = net.derived_config();
    EXPECT_EQ(found.nc, 8);
    EXPECT_EQ(found.nb, 5);
    EXPECT_EQ(net.architecture().inner_widths(), (std::vector<int>{8, 8, 8, 8, 8}));
    EXPECT_EQ(evsrnet_macs_per_pixel(found), per_pixel);
    std::shared_ptr<EvsrnetNetwork> derived = net.derive();
    Result<ModelFile> file = network_to_model_file(*derived);
    ASSERT_TRUE(file.ok()) << file.status().to_string();
    Result<Graph> graph = models::build_graph(*file);
    ASSERT_TRUE(graph.ok()) << graph.status().to_string();
    ComplexityOptions options;
    options.input_width = 320;  // the challenge's 180 x 320 LR frames
    options.input_height = 180;
    options.convention = CountingConvention::kMacs;
    Result<ComplexityReport> report = profile_complexity(*graph, file->tensors, options);
    ASSERT_TRUE(report.ok()) << report.status().to_string();
    EXPECT_EQ(report->macs, per_pixel * 320 * 180);
    EXPECT_EQ(report->macs, recurrent ? 821145600 : 543283200);  // seeds_facts §2.3: 821 M / 543 M
    EXPECT_EQ(report->params, recurrent ? 14400 : 9568);
  }
}

// The derived EVSRNet inherits the kept channels and computes the hard-gated supernet's function exactly
// when every surviving block has at most nc open inner channels; derivation leaves torch's RNG alone. RGB and
// luma ("color": "y": 1-channel frames, the head's input columns shift) alike.
TEST(NasDerive, DerivedNetworkComputesTheHardGatedSupernet) {
  for (const auto& [mode, k] : {std::pair(EvsrnetMode::kRecurrent, 3), std::pair(EvsrnetMode::kFrameParallel, 3),
                                std::pair(EvsrnetMode::kRecurrent, 1)}) {
    SCOPED_TRACE((mode == EvsrnetMode::kRecurrent ? "recurrent, K " : "frame_parallel, K ") + std::to_string(k));
    torch::manual_seed(11);
    EvsrnetSearchNetwork net(EvsrnetConfig{2, 8, 5, 3, mode, k}, space(6, 4));
    set_gates(net.trunk_gate, {0, 2, 3, 5});         // nc = 4
    set_gates(block(net, 0).gate, {1, 4});           // 2 open: 2 closed ones reopen with zero conv2 inputs
    set_gates(block(net, 1).gate, {});               // removed (its conv2 bias must not leak into the trunk)
    set_gates(block(net, 2).gate, {0, 1, 2, 5});     // exactly nc
    set_gates(block(net, 3).gate, {3});
    const NasArchitecture a = net.architecture();
    EXPECT_EQ(a.trunk_channels, (std::vector<int64_t>{0, 2, 3, 5}));
    EXPECT_EQ(a.inner_widths(), (std::vector<int>{2, 4, 1}));
    const torch::Tensor rng_before = global_rng_state();
    std::shared_ptr<EvsrnetNetwork> derived = net.derive();
    EXPECT_TRUE(torch::equal(rng_before, global_rng_state()));
    const auto& c = std::get<EvsrnetConfig>(derived->config());
    EXPECT_EQ(c.nc, 4);
    EXPECT_EQ(c.nb, 3);
    EXPECT_EQ(c.mode, mode);
    EXPECT_EQ(c.color_channels, k);
    const torch::Tensor x = torch::rand({2, 3 * k, 7, 5});  // 3 frames
    torch::NoGradGuard no_grad;
    const torch::Tensor expected = net.forward(x), got = derived->forward(x);
    EXPECT_LT((expected - got).abs().max().item<float>(), 1e-5f);
    // The removed block really mattered: with its branch on, the output differs (so the check above can fail).
    set_gates(block(net, 1).gate, {0});
    EXPECT_GT((net.forward(x) - got).abs().max().item<float>(), 1e-4f);

    // More open inner channels than nc: the nc strongest are kept (the function changes; it still runs).
    set_gates(block(net, 1).gate, {0, 1, 2, 3, 4, 5});
    EXPECT_EQ(net.derived_config().nb, 4);
    EXPECT_EQ(net.derive()->forward(x).sizes(), expected.sizes());
    // Every trunk gate closed: the strongest channel is kept (nc = 1).
    set_gates(net.trunk_gate, {});
    net.trunk_gate[4] = -0.5;
    EXPECT_EQ(net.derived_config().nc, 1);
    EXPECT_EQ(net.derive()->head->weight.size(0), 1);
  }
}

// ---- The search stage in the trainer ----

using testing::make_data;
using testing::make_image;

// A search stage (supernet 6 channels x 3 blocks, x2, recurrent, 3-frame synthetic sequences) then training
// of the found architecture. `search` / `nas` are appended to the search stage.
std::string nas_recipe(const fs::path& root, int search_iterations, const std::string& nas) {
  return "name = \"tiny_nas\"\nseed = 5\ncheckpoint_every = 3\nlog_every = 1\n"
         "[model]\narch = \"evsrnet\"\nscale = 2\nframes = 3\nmode = \"recurrent\"\n"
         "[data]\nkind = \"video_synthetic\"\nhr_dirs = [\"" + (root / "hr").string() + "\"]\nframes = 3\n"
         "loader_threads = 1\n"
         "[validation]\ndir = \"" + (root / "val").string() + "\"\nevery = 100\n"
         "[[stages]]\nname = \"search\"\npatch = 16\nbatch = 2\niterations = " + std::to_string(search_iterations) +
         "\nlr = 1e-3\nnas = true\nnas_max_channels = 6\nnas_max_blocks = 3\n" + nas +
         "[[stages]]\nname = \"train\"\niterations = 3\nlr = 5e-4\n";
}

std::vector<Json> read_log(const fs::path& p) {
  std::vector<Json> lines;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

// The last "train" event of the search stage.
Json last_search_log(const fs::path& out) {
  Json last;
  for (const Json& j : read_log(out / "train_log.jsonl")) {
    if (j["event"] == "train" && j["stage"] == "search") last = j;
  }
  return last;
}

TrainOptions options_for(const fs::path& recipe, const fs::path& out) {
  TrainOptions o;
  o.recipe = recipe;
  o.out_dir = out;
  o.progress = ProgressMode::kNone;
  return o;
}

TEST(NasSearch, LargeLambdaClosesChannelsZeroLambdaKeepsThem) {
  TempDir dir;
  make_data(dir.path());
  // Adam moves a logit by about nas_gate_lr per iteration when its gradient keeps its sign: from logit 2,
  // 10 steps of 0.25 close a gate that is pushed down all the time (every gate under λ = 100), while the task
  // gradient alone (λ = 0) closes a gate only if it points the same way in nearly every step.
  const std::string gates = "nas_gate_lr = 0.25\nnas_gate_init = 2.0\n";
  std::map<std::string, Json> last;
  std::map<std::string, TrainSummary> summary;
  for (const std::string lambda : {"0.0", "100.0"}) {
    const fs::path recipe = write_text_file(dir / ("l" + lambda + ".toml"),
                                            nas_recipe(dir.path(), 10, "nas_lambda = " + lambda + "\n" + gates));
    Result<TrainSummary> s = run_training(options_for(recipe, dir / ("run" + lambda)));
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    summary[lambda] = *s;
    last[lambda] = last_search_log(dir / ("run" + lambda));
    ASSERT_TRUE(last[lambda].contains("nas_expected_macs_per_pixel")) << last[lambda].dump();
  }
  // Full supernet (x2 recurrent, C 6, B 3): head 9·(6+6+12)·6 + blocks 3·18·36 + hidden 9·36 + tail 9·6·12.
  const double full = 9.0 * 24 * 6 + 3 * 18 * 36 + 9 * 36 + 9 * 6 * 12;
  const double kept = last["0.0"]["nas_macs_per_pixel"].get<double>();
  const double pruned = last["100.0"]["nas_macs_per_pixel"].get<double>();
  std::printf("[ nas      ] MACs/pixel after 10 search iterations: lambda 0 -> %.0f, lambda 100 -> %.0f (full %.0f)\n",
              kept, pruned, full);
  EXPECT_GE(kept, 0.6 * full);
  EXPECT_GE(last["0.0"]["nas_open_channels"].get<int>(), 4);
  EXPECT_LE(pruned, 0.1 * full);
  EXPECT_LT(last["100.0"]["nas_expected_macs_per_pixel"].get<double>(),
            0.5 * last["0.0"]["nas_expected_macs_per_pixel"].get<double>());
  EXPECT_LT(summary["100.0"].nas_nc, summary["0.0"].nas_nc);
  EXPECT_LT(summary["100.0"].nas_nb, summary["0.0"].nas_nb);
  EXPECT_EQ(summary["0.0"].nas_nc, last["0.0"]["nas_open_channels"].get<int>());
}

// Search + train end to end: the log, the found architecture in the model file, and the runtime running the
// exported model like LibTorch does.
TEST(NasSearch, SearchThenTrainExportsAModelTheRuntimeRuns) {
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(
      dir / "nas.toml", nas_recipe(dir.path(), 6, "nas_lambda = 0.01\nnas_gate_lr = 0.1\nnas_gate_init = 0.3\n"));
  Result<TrainSummary> s = run_training(options_for(recipe, dir / "run"));
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  ASSERT_TRUE(s->finished);
  EXPECT_EQ(s->iterations, 9);
  EXPECT_TRUE(std::isfinite(s->last_psnr_y) && s->last_psnr_y > 0.0);
  ASSERT_GE(s->nas_nc, 2);  // a non-trivial architecture, so the parity below covers inherited blocks
  ASSERT_GE(s->nas_nb, 1);

  // Log: every search iteration carries the gate statistics; one "nas" event names the found architecture.
  int search_lines = 0, nas_events = 0;
  for (const Json& j : read_log(dir / "run" / "train_log.jsonl")) {
    if (j["event"] == "train" && j["stage"] == "search") {
      ++search_lines;
      EXPECT_GT(j["nas_expected_macs_per_pixel"].get<double>(), 0.0);
      EXPECT_TRUE(j.contains("nas_open_channels") && j.contains("nas_open_blocks") && j.contains("nas_inner_widths"));
    }
    if (j["event"] == "train" && j["stage"] == "train") {
      EXPECT_FALSE(j.contains("nas_open_channels"));
    }
    if (j["event"] == "nas") {
      ++nas_events;
      EXPECT_EQ(j["architecture"]["nc"].get<int>(), s->nas_nc);
      EXPECT_EQ(j["architecture"]["nb"].get<int>(), s->nas_nb);
      EXPECT_EQ(j["macs_per_pixel"].get<int64_t>(), evsrnet_macs_per_pixel({2, s->nas_nc, s->nas_nb, 3}));
    }
  }
  EXPECT_EQ(search_lines, 6);
  EXPECT_EQ(nas_events, 1);

  Result<ModelFile> file = read_model_file(dir / "run" / "model.safetensors");
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  EXPECT_EQ(file->metadata.at("litesr.arch"), "evsrnet");
  EXPECT_EQ(file->metadata.at("litesr.frames"), "3");
  const std::string config = file->metadata.at("litesr.config");
  EXPECT_EQ(config, model_config_json(EvsrnetConfig{2, s->nas_nc, s->nas_nb, 3, EvsrnetMode::kRecurrent}));
  EXPECT_NE(file->metadata.at("litesr.recipe").find("nas = true"), std::string::npos);
  EXPECT_FALSE(file->tensors.count("trunk_gate"));

  // LibTorch (the exported weights in a fresh EvsrnetNetwork) vs the runtime's MultiFrameSession on a window.
  Result<ModelConfig> parsed = parse_model_config("evsrnet", config);
  ASSERT_TRUE(parsed.ok());
  Result<SrNetworkPtr> net = make_network(*parsed);
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE(load_network_tensors(**net, *file).ok());
  (*net)->eval();
  const int w = 11, h = 7, frames = 3, scale = 2;
  torch::manual_seed(17);
  const torch::Tensor x = torch::rand({1, 3 * frames, h, w});
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = (*net)->forward(x).clamp(0.0, 1.0).squeeze(0).permute({1, 2, 0}).contiguous();  // [sH, sW, 3T]
  }
  Result<MultiFrameSession> session = models::create_multi_frame_session(*file);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  const torch::Tensor lr = x.squeeze(0).permute({1, 2, 0}).contiguous();  // [H, W, 3T] (challenge layout)
  std::vector<float> sr(static_cast<size_t>(y.numel()), -1.0f);
  const Status ran = session->run_stacked({lr.data_ptr<float>(), w, h, 3 * frames, w * 3 * frames},
                                          {sr.data(), scale * w, scale * h, 3 * frames, scale * w * 3 * frames});
  ASSERT_TRUE(ran.ok()) << ran.to_string();
  float diff = 0.0f;
  for (size_t i = 0; i < sr.size(); ++i) diff = std::max(diff, std::abs(sr[i] - y.data_ptr<float>()[i]));
  std::printf("[ parity   ] evsrnet found by FGNAS (nc %d, nb %d) MultiFrameSession max |torch - runtime| = %.3g\n",
              s->nas_nc, s->nas_nb, static_cast<double>(diff));
  EXPECT_LE(diff, 1e-5f);
}

TEST(NasSearch, ResumeThroughTheSearchStageIsBitIdentical) {
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(
      dir / "nas.toml", nas_recipe(dir.path(), 4, "nas_lambda = 0.01\nnas_gate_lr = 0.1\nnas_gate_init = 0.3\n"));
  Result<TrainSummary> full = run_training(options_for(recipe, dir / "full"));
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  // Stopped inside the search (iteration 2), at its last iteration (the stage boundary), then to the end.
  TrainOptions part = options_for(recipe, dir / "part");
  part.stop_after_iterations = 2;
  ASSERT_TRUE(run_training(part).ok());
  // The checkpoint's model_latest is the architecture derived so far, a normal EVSRNet model file.
  Result<ModelFile> latest = read_model_file(dir / "part" / "model_latest.safetensors");
  ASSERT_TRUE(latest.ok());
  EXPECT_TRUE(models::build_graph(*latest).ok());
  part.resume = true;
  part.stop_after_iterations = 4;
  ASSERT_TRUE(run_training(part).ok());
  part.stop_after_iterations = 5;  // one iteration into the trained stage: the checkpoint holds the found model
  ASSERT_TRUE(run_training(part).ok());
  part.stop_after_iterations = 0;
  Result<TrainSummary> resumed = run_training(part);
  ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
  EXPECT_TRUE(resumed->finished);
  EXPECT_EQ(resumed->nas_nc, full->nas_nc);
  EXPECT_EQ(resumed->nas_nb, full->nas_nb);
  Result<ModelFile> a = read_model_file(dir / "full" / "model.safetensors");
  Result<ModelFile> b = read_model_file(dir / "part" / "model.safetensors");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->tensors.size(), b->tensors.size());
  for (const auto& [name, t] : a->tensors) {
    ASSERT_TRUE(b->tensors.count(name)) << name;
    EXPECT_EQ(t.data, b->tensors.at(name).data) << name;
  }
  EXPECT_EQ(a->metadata.at("litesr.config"), b->metadata.at("litesr.config"));
  // The resumed log holds each event once (the stage-boundary resume does not repeat "nas" or "stage").
  auto count_events = [](const fs::path& out, const std::string& event) {
    int n = 0;
    for (const Json& j : read_log(out / "train_log.jsonl")) n += j["event"] == event;
    return n;
  };
  EXPECT_EQ(count_events(dir / "part", "nas"), 1);
  EXPECT_EQ(count_events(dir / "part", "stage"), 2);
  EXPECT_EQ(count_events(dir / "part", "train"), count_events(dir / "full", "train"));
  // The gates' trajectory is part of the state: the search lines of both logs agree.
  EXPECT_EQ(last_search_log(dir / "full")["nas_expected_macs_per_pixel"],
            last_search_log(dir / "part")["nas_expected_macs_per_pixel"]);
}

// A run that crashed after a stage boundary resumes from the boundary checkpoint: the events logged after that
// checkpoint (the "nas" event of the finished search, the next "stage", later iterations) are dropped, since
// the resumed run writes them again.
TEST(NasSearch, ResumedLogCutsAfterTheBoundaryCheckpoint) {
  TempDir dir;
  const fs::path jsonl = dir / "train_log.jsonl";
  write_text_file(jsonl,
                  "{\"event\":\"train\",\"global_iteration\":4,\"loss\":0.5}\n"
                  "{\"event\":\"checkpoint\",\"global_iteration\":4}\n"
                  "{\"event\":\"nas\",\"global_iteration\":4}\n"
                  "{\"event\":\"stage\",\"global_iteration\":4}\n"
                  "{\"event\":\"train\",\"global_iteration\":5,\"loss\":0.4}\n");
  Result<TrainingLog> log = TrainingLog::open(jsonl, dir / "curves.svg", 4);
  ASSERT_TRUE(log.ok()) << log.status().to_string();
  const std::vector<Json> kept = read_log(jsonl);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1]["event"], "checkpoint");
  EXPECT_EQ(log->loss().size(), 1u);
}

TEST(NasRecipe, BadNasKeysGiveClearErrors) {
  TempDir dir;
  const std::string model = "[model]\narch = \"evsrnet\"\nscale = 4\n[data]\nkind = \"video_synthetic\"\nhr_dirs = [\"x\"]\n";
  const std::string stage = "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {model + stage + "nas_lambda = 0.1\n", "'nas_lambda' is only valid in a search stage (nas = true)"},
      {model + stage + "nas = true\n", "'nas_lambda' is required"},
      {model + stage + "nas = true\nnas_lambda = -1.0\n", "'nas_lambda' = -1"},
      {model + stage + "nas = true\nnas_lambda = \"big\"\n", "'nas_lambda' must be a number"},
      {model + stage + "nas = true\nnas_lambda = 0.1\nnas_max_channels = 0\n", "'nas_max_channels' = 0 is outside [1, 256]"},
      {model + stage + "nas = true\nnas_lambda = 0.1\nnas_max_blocks = 65\n", "'nas_max_blocks' = 65 is outside [0, 64]"},
      {model + stage + "nas = true\nnas_lambda = 0.1\nnas_gate_init = 0.0\n", "'nas_gate_init' must be positive"},
      {model + stage + "nas = true\nnas_lambda = 0.1\nnas_gate_lr = 0.0\n", "'nas_gate_lr' must be positive"},
      {model + stage + "nas = 1\nnas_lambda = 0.1\n", "'nas' must be true or false"},
      {model + stage + stage + "nas = true\nnas_lambda = 0.1\n", "only allowed in the first stage"},
      {"init = \"m.safetensors\"\n" + model + stage + "nas = true\nnas_lambda = 0.1\n", "remove init"},
      {"[model]\narch = \"evsrnet\"\nnc = 8\n[data]\nkind = \"video_synthetic\"\nhr_dirs = [\"x\"]\n" + stage +
           "nas = true\nnas_lambda = 0.1\n",
       "key 'nc' is chosen by the search stage"},
      {"[model]\narch = \"elsr\"\n[data]\nhr_dirs = [\"x\"]\n" + stage + "nas = true\nnas_lambda = 0.1\n",
       "[model] arch must be \"evsrnet\""},
  };
  for (const auto& c : cases) {
    Result<Recipe> r = parse_recipe(c.text, dir.path());
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  // A valid search stage: the keys are read, defaults filled, and the next stage inherits none of them.
  Result<Recipe> ok = parse_recipe(model + stage + "nas = true\nnas_lambda = 0.25\nnas_gate_lr = 0.05\n" + stage, dir.path());
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->search_stage(), 0);
  EXPECT_TRUE(ok->stages[0].nas.enabled);
  EXPECT_EQ(ok->stages[0].nas.lambda, 0.25);
  EXPECT_EQ(ok->stages[0].nas.gate_lr, 0.05);
  EXPECT_EQ(ok->stages[0].nas.max_channels, 32);
  EXPECT_EQ(ok->stages[0].nas.max_blocks, 8);
  EXPECT_FALSE(ok->stages[1].nas.enabled);
}

TEST(NasRecipe, NasLambdaOverrideRewritesTheStoredRecipe) {
  TempDir dir;
  const std::string text =
      "# sweep me\n[model]\narch = \"evsrnet\"\n[data]\nkind = \"video_synthetic\"\nhr_dirs = [\"x\"]\n"
      "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nnas = true\nnas_lambda =  0.5   # λ\n"
      "[[stages]]\niterations = 5\n";
  Result<std::string> changed = override_nas_lambda(text, 0.03);
  ASSERT_TRUE(changed.ok()) << changed.status().to_string();
  EXPECT_NE(changed->find("nas_lambda =  0.03   # λ\n"), std::string::npos) << *changed;
  EXPECT_NE(changed->find("# sweep me\n"), std::string::npos);
  EXPECT_NE(changed->find("--nas-lambda"), std::string::npos);
  Result<Recipe> r = parse_recipe(*changed, dir.path());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->stages[0].nas.lambda, 0.03);
  Result<std::string> integer = override_nas_lambda(text, 2.0);  // still a TOML float
  ASSERT_TRUE(integer.ok());
  EXPECT_EQ(parse_recipe(*integer, dir.path())->stages[0].nas.lambda, 2.0);
  // load_recipe applies it; a recipe without a search stage refuses it.
  const fs::path file = write_text_file(dir / "r.toml", text);
  RecipeOverrides o;
  o.nas_lambda = 0.125;
  Result<Recipe> loaded = load_recipe(file, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->stages[0].nas.lambda, 0.125);
  EXPECT_NE(loaded->text.find("0.125"), std::string::npos);
  Result<std::string> none = override_nas_lambda("[model]\narch = \"elsr\"\n[[stages]]\nlr = 1e-3\n", 0.1);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("needs a recipe with a search stage"), std::string::npos);
  EXPECT_FALSE(override_nas_lambda(text, -1.0).ok());
}

TEST(NasRecipe, ShippedSearchRecipes) {
  for (const char* name : {"evsrnet_nas_cpu.toml", "evsrnet_x4_paper.toml"}) {
    Result<Recipe> r = load_recipe(litesr::testing::source_dir() / "recipes" / name);
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().to_string();
    EXPECT_EQ(r->search_stage(), 0) << name;
    EXPECT_GT(r->stages[0].nas.lambda, 0.0) << name;
    EXPECT_EQ(r->stages[0].nas.max_channels, 32) << name;  // Table 2
    EXPECT_EQ(r->stages[0].nas.max_blocks, 8) << name;
    EXPECT_GE(r->stages.size(), 2u) << name;
  }
}

}  // namespace
}  // namespace litesr::train
