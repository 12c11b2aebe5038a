#include "train/trainer.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "train/batch_loader.h"
#include "train/checkpoint.h"
#include "train/cpu_speedups.h"
#include "train/elsr_network.h"
#include "train/evsrnet_search.h"
#include "train/loss.h"
#include "train/model_export.h"
#include "train/recipe.h"
#include "train/sr_network.h"
#include "train/training_data.h"
#include "train/training_log.h"
#include "train/validation.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr int kPrefetchBatches = 4;

// Adam over the network's parameters. An FGNAS supernet gets two parameter groups: 0 = the conv weights
// (lr, weight decay), 1 = the gate logits (nas_gate_lr, no weight decay).
std::unique_ptr<torch::optim::Adam> make_optimizer(SrNetwork& net, const StageSpec& s) {
  const auto options = torch::optim::AdamOptions(s.lr).betas({s.beta1, s.beta2}).weight_decay(s.weight_decay);
  if (auto* search = dynamic_cast<EvsrnetSearchNetwork*>(&net)) {
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(search->weight_parameters(), std::make_unique<torch::optim::AdamOptions>(options));
    groups.emplace_back(search->gate_parameters(), std::make_unique<torch::optim::AdamOptions>(
                                                       torch::optim::AdamOptions(s.nas.gate_lr)
                                                           .betas({s.beta1, s.beta2})
                                                           .weight_decay(0.0)));
    return std::make_unique<torch::optim::Adam>(std::move(groups), options);
  }
  return std::make_unique<torch::optim::Adam>(net.parameters(), options);
}

// Sets the learning rate of the iteration: `lr` for the weights; the gate group (search stages) follows the
// same schedule, nas_gate_lr · lr / s.lr.
void configure_optimizer(torch::optim::Adam& opt, const StageSpec& s, double lr) {
  auto& groups = opt.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    auto& o = static_cast<torch::optim::AdamOptions&>(groups[i].options());
    const bool gates = i == 1 && s.nas.enabled;
    o.lr(gates ? s.nas.gate_lr * lr / s.lr : lr);
    o.betas({s.beta1, s.beta2});
    o.weight_decay(gates ? 0.0 : s.weight_decay);
  }
}

// The FGNAS supernet of a search stage (the recipe guarantees arch = evsrnet).
SrNetworkPtr make_search_network(const Recipe& recipe, const StageSpec& stage) {
  return std::make_shared<EvsrnetSearchNetwork>(std::get<EvsrnetConfig>(recipe.model), stage.nas);
}

Json nas_architecture_json(const NasArchitecture& a) {
  return {{"nc", a.nc}, {"nb", a.nb}, {"open_channels", a.trunk_channels.size()},
          {"inner_widths", a.inner_widths()}, {"trunk_channels", a.trunk_channels}};
}

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : " ") + std::to_string(x);
  return out.empty() ? "-" : out;
}

Status check_output_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return io_error(dir.string() + ": cannot create the output folder" +
                                                    (ec ? ": " + ec.message() : std::string()));
  const fs::path probe = dir / ".litesr_write_test";
  Status s = write_file_atomically(probe, "ok");
  if (!s.ok()) return io_error(dir.string() + ": the output folder is not writable (" + s.message() + ")");
  fs::remove(probe, ec);
  return {};
}

// The state of a run between iterations.
struct Run {
  const Recipe* recipe = nullptr;
  TrainOptions options;
  fs::path out;
  SrNetworkPtr net;
  std::unique_ptr<torch::optim::Adam> optimizer;
  CheckpointState state;
  std::unique_ptr<TrainingData> data;
  std::unique_ptr<TrainingLog> log;
  double last_psnr = 0.0;
  int loader_threads = 1;

  // The supernet while a search stage runs, else null.
  EvsrnetSearchNetwork* search() const { return dynamic_cast<EvsrnetSearchNetwork*>(net.get()); }
  // What a model file holds: the network, or during a search the uniform EVSRNet derived from it.
  SrNetworkPtr exportable() const {
    if (EvsrnetSearchNetwork* s = search()) return s->derive();
    return net;
  }

  ExportInfo export_info() const {
    ExportInfo info;
    info.recipe = recipe->text;
    std::string dirs;
    for (const auto& d : recipe->data.hr_dirs) dirs += (dirs.empty() ? "" : ", ") + d.filename().string();
    info.trained_on = dirs;
    info.description = recipe->description;
    return info;
  }

  Status checkpoint() {
    LITESR_RETURN_IF_ERROR(save_checkpoint(out / "checkpoint.pt", state, *net, *optimizer));
    LITESR_RETURN_IF_ERROR(export_network(out / "model_latest.safetensors", *exportable(), export_info()));
    Json j = {{"event", "checkpoint"}, {"stage_index", state.stage}, {"iteration", state.iteration},
              {"global_iteration", state.global_iteration}};
    LITESR_RETURN_IF_ERROR(log->append(j.dump()));
    return log->write_svg(recipe->name);
  }

  Status validate() {
    if (recipe->validation.dir.empty()) return {};
    LITESR_ASSIGN_OR_RETURN(ValidationResult v, validate_network(*net, recipe->validation.dir, recipe->validation.max_images));
    last_psnr = v.mean.psnr_y;
    const StageSpec& s = recipe->stages[state.stage];
    Json j = {{"event", "val"}, {"stage", s.name}, {"stage_index", state.stage}, {"scale", s.scale},
              {"iteration", state.iteration}, {"global_iteration", state.global_iteration},
              {"dataset", recipe->validation.dir.filename().string()}, {"images", v.images},
              {"psnr_y", v.mean.psnr_y}, {"ssim_y", v.mean.ssim_y}, {"psnr_rgb", v.mean.psnr_rgb},
              {"ssim_rgb", v.mean.ssim_rgb}};
    log->add_psnr(state.global_iteration, v.mean.psnr_y);
    std::printf("[%s] stage %s it %lld (global %lld): %s x%d PSNR-Y %.3f dB, SSIM-Y %.4f\n", recipe->name.c_str(),
                s.name.c_str(), static_cast<long long>(state.iteration),
                static_cast<long long>(state.global_iteration), recipe->validation.dir.filename().c_str(), s.scale,
                v.mean.psnr_y, v.mean.ssim_y);
    std::fflush(stdout);
    return log->append(j.dump());
  }

  // Moves from the end of stage `state.stage` (or a fresh start) into stage `index`.
  Status enter_stage(int index) {
    const StageSpec& s = recipe->stages[index];
    const int current = config_scale(net->config());
    if (EvsrnetSearchNetwork* searched = search(); searched != nullptr && !s.nas.enabled) {
      LITESR_RETURN_IF_ERROR(finish_search(*searched));
      optimizer = make_optimizer(*net, s);
    } else if (current != s.scale) {
      auto* elsr = dynamic_cast<ElsrNetwork*>(net.get());
      if (elsr == nullptr || current != 2 || s.scale != 4) {
        return invalid_argument("stage " + s.name + ": cannot change the scale from x" + std::to_string(current) +
                                " to x" + std::to_string(s.scale));
      }
      LITESR_ASSIGN_OR_RETURN(std::shared_ptr<ElsrNetwork> x4, elsr_x2_to_x4(*elsr));
      net = x4;
      optimizer = make_optimizer(*net, s);
    } else if (s.reset_optimizer || optimizer == nullptr) {
      optimizer = make_optimizer(*net, s);
    }
    state.stage = index;
    state.iteration = 0;
    state.scale = s.scale;
    Json j = {{"event", "stage"}, {"stage", s.name}, {"stage_index", index}, {"scale", s.scale},
              {"loss", loss_kind_name(s.loss)}, {"patch", s.patch}, {"batch", s.batch},
              {"iterations", s.iterations}, {"lr", s.lr}, {"global_iteration", state.global_iteration}};
    if (s.luma_weight > 0.0) j["luma_weight"] = s.luma_weight;
    if (s.nas.enabled) {
      j["nas"] = {{"lambda", s.nas.lambda}, {"max_channels", s.nas.max_channels},
                  {"max_blocks", s.nas.max_blocks}, {"gate_lr", s.nas.gate_lr}, {"gate_init", s.nas.gate_init}};
    }
    return log->append(j.dump());
  }

  // End of the search: replaces the supernet by the uniform EVSRNet it found (weights of the kept channels,
  // evsrnet_search.h), logs {"event":"nas", ...} and prints the architecture.
  Status finish_search(const EvsrnetSearchNetwork& searched) {
    const NasArchitecture a = searched.architecture();
    std::shared_ptr<EvsrnetNetwork> derived = searched.derive();
    const EvsrnetConfig& c = std::get<EvsrnetConfig>(derived->config());
    const int64_t macs = evsrnet_macs_per_pixel(c);
    const StageSpec& search_stage = recipe->stages[state.stage];
    Json j = {{"event", "nas"}, {"stage", search_stage.name}, {"stage_index", state.stage},
              {"global_iteration", state.global_iteration}, {"lambda", search_stage.nas.lambda},
              {"architecture", nas_architecture_json(a)}, {"searched_macs_per_pixel", searched.hard_macs_per_pixel()},
              {"macs_per_pixel", macs}, {"params", parameter_count(*derived)},
              {"config", Json::parse(model_config_json(c))}};
    std::printf("[%s] FGNAS (lambda %g): %zu of %d trunk channels open, %d of %d blocks kept (inner widths %s)\n"
                "[%s] found architecture: EVSRNet nc = %d, nb = %d (%s): %lld MACs per LR pixel (%.1f M per "
                "320x180 frame), %lld parameters\n",
                recipe->name.c_str(), search_stage.nas.lambda, a.trunk_channels.size(), search_stage.nas.max_channels,
                a.nb, search_stage.nas.max_blocks, join_ints(a.inner_widths()).c_str(), recipe->name.c_str(), c.nc,
                c.nb, models::evsrnet_mode_name(c.mode),
                static_cast<long long>(macs), static_cast<double>(macs) * 320 * 180 / 1e6,
                static_cast<long long>(parameter_count(*derived)));
    std::fflush(stdout);
    net = derived;
    return log->append(j.dump());
  }

  // Trains the rest of the current stage; returns false in `stopped` when interrupted or stopped early.
  Status train_stage(bool& stopped) {
    const StageSpec& s = recipe->stages[state.stage];
    LITESR_RETURN_IF_ERROR(data->prepare_scale(s.scale, loader_threads));
    BatchRequest q;
    q.seed = recipe->seed;
    q.stage = state.stage;
    q.scale = s.scale;
    q.patch = s.patch;
    q.batch = s.batch;
    q.flips = recipe->data.flips;
    q.rotations = recipe->data.rotations;
    BatchLoader loader(*data, q, state.iteration, s.iterations, loader_threads, kPrefetchBatches);
    Progress progress(options.progress, recipe->name + " " + s.name, s.iterations);
    progress.set_done(state.iteration);
    net->train();
    if (options.channels_last) to_channels_last(*net);
    double loss_sum = 0.0;
    int64_t loss_count = 0;
    auto window_start = Clock::now();
    const auto stage_start = Clock::now();
    const int64_t first = state.iteration;
    while (state.iteration < s.iterations) {
      LITESR_ASSIGN_OR_RETURN(Batch b, loader.next());
      const double lr = learning_rate_at(s.schedule, s.lr, state.iteration, s.iterations);
      double loss_value = 0.0;
      double penalty_value = 0.0;
      try {
        const int c = 3 * b.frames;
        const int hr_size = b.lr_size * b.scale;
        torch::Tensor x = torch::from_blob(b.lr.data(), {b.batch, c, b.lr_size, b.lr_size}, torch::kFloat);
        torch::Tensor y = torch::from_blob(b.hr.data(), {b.batch, c, hr_size, hr_size}, torch::kFloat);
        if (options.channels_last) {
          x = x.contiguous(torch::MemoryFormat::ChannelsLast);
          y = y.contiguous(torch::MemoryFormat::ChannelsLast);
        }
        configure_optimizer(*optimizer, s, lr);
        optimizer->zero_grad();
        torch::Tensor prediction;
        {
          AutocastScope autocast(options.bf16);
          prediction = net->forward(x);
        }
        torch::Tensor loss = pixel_loss(s.loss, prediction.to(torch::kFloat), y, s.charbonnier_eps, s.luma_weight);
        torch::Tensor objective = loss;
        if (EvsrnetSearchNetwork* searching = search()) {
          // FGNAS: L_task + λ · MACs(gate probabilities) / MACs(all open).
          const torch::Tensor penalty = searching->macs_penalty();
          objective = loss + s.nas.lambda * penalty;
          penalty_value = penalty.item<double>();
        }
        objective.backward();
        optimizer->step();
        loss_value = loss.item<double>();
      } catch (const c10::Error& e) {
        return internal_error("stage " + s.name + " iteration " + std::to_string(state.iteration) + ": " +
                              e.what_without_backtrace());
      }
      if (!std::isfinite(loss_value)) {
        return internal_error("stage " + s.name + ": the loss became " + std::to_string(loss_value) +
                              " at iteration " + std::to_string(state.iteration) + " (lower the learning rate)");
      }
      ++state.iteration;
      ++state.global_iteration;
      loss_sum += loss_value;
      ++loss_count;
      progress.set_fields({{"loss", loss_value}, {"lr", lr}});
      progress.set_done(state.iteration);
      if (state.iteration % recipe->log_every == 0 || state.iteration == s.iterations) {
        const double secs = std::chrono::duration<double>(Clock::now() - window_start).count();
        const double total_secs = std::chrono::duration<double>(Clock::now() - stage_start).count();
        const double rate = secs > 0 ? loss_count / secs : 0.0;
        Json j = {{"event", "train"}, {"stage", s.name}, {"stage_index", state.stage},
                  {"iteration", state.iteration}, {"global_iteration", state.global_iteration},
                  {"loss", loss_sum / loss_count}, {"lr", lr}, {"it_per_s", rate},
                  {"eta_s", rate > 0 ? (s.iterations - state.iteration) / rate : 0.0},
                  {"stage_elapsed_s", total_secs}};
        if (const EvsrnetSearchNetwork* searching = search()) {
          // After this iteration's update: the gates as they are now. "loss" stays the task loss alone.
          const NasArchitecture a = searching->architecture();
          j["nas_expected_macs_per_pixel"] = searching->expected_macs_per_pixel().item<double>();
          j["nas_macs_per_pixel"] = searching->hard_macs_per_pixel();
          j["nas_open_channels"] = a.trunk_channels.size();
          j["nas_open_blocks"] = a.nb;
          j["nas_inner_widths"] = a.inner_widths();
          j["nas_penalty"] = penalty_value;
          if (options.verbose) {
            std::printf("[%s] %s FGNAS: %zu trunk channels open, %d blocks (inner %s), expected %.0f MACs/pixel\n",
                        recipe->name.c_str(), s.name.c_str(), a.trunk_channels.size(), a.nb,
                        join_ints(a.inner_widths()).c_str(), j["nas_expected_macs_per_pixel"].get<double>());
          }
        }
        log->add_loss(state.global_iteration, loss_sum / loss_count);
        LITESR_RETURN_IF_ERROR(log->append(j.dump()));
        if (options.verbose) {
          std::printf("[%s] %s %lld/%lld loss %.5f lr %.3g %.1f it/s\n", recipe->name.c_str(), s.name.c_str(),
                      static_cast<long long>(state.iteration), static_cast<long long>(s.iterations),
                      loss_sum / loss_count, lr, rate);
          std::fflush(stdout);
        }
        loss_sum = 0.0;
        loss_count = 0;
        window_start = Clock::now();
      }
      const bool stage_end = state.iteration == s.iterations;
      if (state.iteration % recipe->validation.every == 0 || stage_end) LITESR_RETURN_IF_ERROR(validate());
      const bool stop_now = options.stop_after_iterations > 0 &&
                            state.global_iteration >= options.stop_after_iterations;
      const bool cancelled = options.cancel != nullptr && options.cancel->cancelled();
      if (state.global_iteration % recipe->checkpoint_every == 0 || stage_end || stop_now || cancelled) {
        LITESR_RETURN_IF_ERROR(checkpoint());
      }
      if (cancelled) {
        progress.finish();
        return litesr::cancelled("training interrupted at global iteration " +
                                 std::to_string(state.global_iteration) + "; checkpoint saved in " + out.string() +
                                 " (continue with --resume)");
      }
      if (stop_now && !stage_end) {
        stopped = true;
        return {};
      }
      if (stop_now) stopped = true;
    }
    (void)first;
    progress.finish();
    return {};
  }
};

Result<TrainSummary> run(const TrainOptions& options) {
  RecipeOverrides overrides;
  overrides.nas_lambda = options.nas_lambda;
  LITESR_ASSIGN_OR_RETURN(Recipe recipe, load_recipe(options.recipe, overrides));
  LITESR_RETURN_IF_ERROR(check_recipe_inputs(recipe));
  ModelFile init;  // the recipe's init weights, checked before anything is written
  if (!recipe.init.empty() && !options.resume) {
    LITESR_ASSIGN_OR_RETURN(init, read_init_model_file(recipe.init, with_scale(recipe.model, recipe.stages[0].scale)));
  }
  Run r;
  r.recipe = &recipe;
  r.options = options;
  r.out = options.out_dir.empty() ? fs::path("runs") / recipe.name : options.out_dir;
  LITESR_RETURN_IF_ERROR(check_output_dir(r.out));
  const fs::path ckpt = r.out / "checkpoint.pt";
  std::error_code ec;
  if (!options.resume && fs::exists(ckpt, ec)) {
    return already_exists(r.out.string() + " already holds a training run (checkpoint.pt): use --resume to continue "
                          "it or choose another --out folder");
  }
  torch::set_num_threads(std::max(1, options.threads));
  r.loader_threads = options.loader_threads > 0 ? options.loader_threads : recipe.data.loader_threads;

  const uint64_t hash = recipe_hash(recipe.text);
  CheckpointState resumed;
  if (options.resume) {
    LITESR_ASSIGN_OR_RETURN(resumed, read_checkpoint_state(ckpt));
    if (resumed.recipe_hash != hash) {
      return invalid_argument(ckpt.string() + " was written by a different recipe; refusing to resume with " +
                              options.recipe.string() +
                              (recipe.search_stage() >= 0 ? " (a run started with --nas-lambda resumes only with the "
                                                            "same --nas-lambda)"
                                                          : ""));
    }
    if (resumed.stage < 0 || resumed.stage >= static_cast<int>(recipe.stages.size())) {
      return corrupt_data(ckpt.string() + ": stage index out of range");
    }
  }
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<TrainingLog> log_ptr, ([&]() -> Result<std::unique_ptr<TrainingLog>> {
    LITESR_ASSIGN_OR_RETURN(TrainingLog l, TrainingLog::open(r.out / "train_log.jsonl", r.out / "curves.svg",
                                                             options.resume ? resumed.global_iteration : -1));
    return std::make_unique<TrainingLog>(std::move(l));
  }()));
  r.log = std::move(log_ptr);
  LITESR_RETURN_IF_ERROR(write_file_atomically(r.out / "recipe.toml", recipe.text));
  LITESR_ASSIGN_OR_RETURN(r.data, open_training_data(recipe.data, r.loader_threads));

  torch::manual_seed(recipe.seed);
  if (options.resume) {
    const StageSpec& stage = recipe.stages[resumed.stage];
    if (stage.nas.enabled) {
      r.net = make_search_network(recipe, stage);
    } else {
      // The checkpoint's own config: after a search stage that is the found architecture, not [model].
      ModelConfig config = recipe.model;
      if (!resumed.model_config.empty()) {
        Result<ModelConfig> stored = parse_model_config(arch_name(recipe.model), resumed.model_config);
        if (!stored.ok()) return stored.status().with_context(ckpt.string());
        config = *stored;
      }
      LITESR_ASSIGN_OR_RETURN(r.net, make_network(with_scale(config, resumed.scale)));
    }
    r.optimizer = make_optimizer(*r.net, recipe.stages[resumed.stage]);
    LITESR_RETURN_IF_ERROR(restore_checkpoint(ckpt, *r.net, *r.optimizer));
    r.state = resumed;
    std::printf("[%s] resuming at stage %s, iteration %lld (global %lld)\n", recipe.name.c_str(),
                recipe.stages[resumed.stage].name.c_str(), static_cast<long long>(resumed.iteration),
                static_cast<long long>(resumed.global_iteration));
  } else if (recipe.stages[0].nas.enabled) {
    r.net = make_search_network(recipe, recipe.stages[0]);
    r.state.recipe_hash = hash;
    LITESR_RETURN_IF_ERROR(r.enter_stage(0));
  } else {
    LITESR_ASSIGN_OR_RETURN(r.net, make_network(with_scale(recipe.model, recipe.stages[0].scale)));
    if (!recipe.init.empty()) {
      LITESR_RETURN_IF_ERROR(load_network_tensors(*r.net, init).with_context(recipe.init.string()));
      std::printf("[%s] initialised from %s\n", recipe.name.c_str(), recipe.init.c_str());
    }
    r.state.recipe_hash = hash;
    LITESR_RETURN_IF_ERROR(r.enter_stage(0));
  }
  std::printf("[%s] %s, %lld parameters, %zu training items, %lld iterations in %zu stages -> %s\n",
              recipe.name.c_str(), std::string(arch_name(recipe.model)).c_str(),
              static_cast<long long>(parameter_count(*r.net)), r.data->size(),
              static_cast<long long>(recipe.total_iterations()), recipe.stages.size(), r.out.c_str());
  if (const auto* elsr = dynamic_cast<const ElsrNetwork*>(r.net.get());
      elsr != nullptr && std::get<ElsrConfig>(elsr->config()).expand > 0) {
    LITESR_ASSIGN_OR_RETURN(std::shared_ptr<ElsrNetwork> plain, collapse_elsr(*elsr));
    std::printf("[%s] over-parameterised training (expand = %d): the model file holds the collapsed network, %lld "
                "parameters\n",
                recipe.name.c_str(), std::get<ElsrConfig>(elsr->config()).expand,
                static_cast<long long>(parameter_count(*plain)));
  }
  if (const EvsrnetSearchNetwork* searching = r.search()) {
    const StageSpec& s = recipe.stages[r.state.stage];
    std::printf("[%s] FGNAS search stage %s: supernet of %d trunk channels and %d blocks, lambda %g "
                "(%.0f MACs per LR pixel with every gate open)\n",
                recipe.name.c_str(), s.name.c_str(), s.nas.max_channels, s.nas.max_blocks, s.nas.lambda,
                searching->full_macs_per_pixel());
  }
  std::fflush(stdout);  // the header lines reach a redirected log before the first validation does

  TrainSummary summary;
  summary.out_dir = r.out;
  for (;;) {
    const StageSpec& s = recipe.stages[r.state.stage];
    if (r.state.iteration >= s.iterations) {
      if (r.state.stage + 1 >= static_cast<int>(recipe.stages.size())) break;
      LITESR_RETURN_IF_ERROR(r.enter_stage(r.state.stage + 1));
      continue;
    }
    bool stopped = false;
    LITESR_RETURN_IF_ERROR(r.train_stage(stopped));
    if (stopped) {
      summary.iterations = r.state.global_iteration;
      summary.last_psnr_y = r.last_psnr;
      return summary;
    }
  }
  if (EvsrnetSearchNetwork* searching = r.search()) {
    LITESR_RETURN_IF_ERROR(r.finish_search(*searching));  // a recipe that ends with its search stage
  }
  summary.model_path = r.out / "model.safetensors";
  LITESR_RETURN_IF_ERROR(export_network(summary.model_path, *r.net, r.export_info()));
  if (recipe.search_stage() >= 0) {
    const auto& found = std::get<EvsrnetConfig>(r.net->config());
    summary.nas_nc = found.nc;
    summary.nas_nb = found.nb;
  }
  Json done = {{"event", "done"}, {"global_iteration", r.state.global_iteration}, {"psnr_y", r.last_psnr},
               {"model", summary.model_path.string()}};
  LITESR_RETURN_IF_ERROR(r.log->append(done.dump()));
  LITESR_RETURN_IF_ERROR(r.log->write_svg(recipe.name));
  summary.iterations = r.state.global_iteration;
  summary.finished = true;
  summary.last_psnr_y = r.last_psnr;
  return summary;
}

}  // namespace

Result<TrainSummary> run_training(const TrainOptions& options) {
  try {
    return run(options);
  } catch (const c10::Error& e) {
    return internal_error(std::string("training: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
