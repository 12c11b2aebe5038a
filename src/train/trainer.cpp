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

std::unique_ptr<torch::optim::Adam> make_optimizer(SrNetwork& net, const StageSpec& s) {
  return std::make_unique<torch::optim::Adam>(
      net.parameters(),
      torch::optim::AdamOptions(s.lr).betas({s.beta1, s.beta2}).weight_decay(s.weight_decay));
}

void configure_optimizer(torch::optim::Adam& opt, const StageSpec& s, double lr) {
  for (auto& group : opt.param_groups()) {
    auto& o = static_cast<torch::optim::AdamOptions&>(group.options());
    o.lr(lr);
    o.betas({s.beta1, s.beta2});
    o.weight_decay(s.weight_decay);
  }
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
    LITESR_RETURN_IF_ERROR(export_network(out / "model_latest.safetensors", *net, export_info()));
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
    if (current != s.scale) {
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
        torch::Tensor loss = pixel_loss(s.loss, prediction.to(torch::kFloat), y, s.charbonnier_eps);
        loss.backward();
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
  LITESR_ASSIGN_OR_RETURN(Recipe recipe, load_recipe(options.recipe));
  LITESR_RETURN_IF_ERROR(check_recipe_inputs(recipe));
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
                              options.recipe.string());
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
    LITESR_ASSIGN_OR_RETURN(r.net, make_network(with_scale(recipe.model, resumed.scale)));
    r.optimizer = make_optimizer(*r.net, recipe.stages[resumed.stage]);
    LITESR_RETURN_IF_ERROR(restore_checkpoint(ckpt, *r.net, *r.optimizer));
    r.state = resumed;
    std::printf("[%s] resuming at stage %s, iteration %lld (global %lld)\n", recipe.name.c_str(),
                recipe.stages[resumed.stage].name.c_str(), static_cast<long long>(resumed.iteration),
                static_cast<long long>(resumed.global_iteration));
  } else {
    LITESR_ASSIGN_OR_RETURN(r.net, make_network(with_scale(recipe.model, recipe.stages[0].scale)));
    r.state.recipe_hash = hash;
    LITESR_RETURN_IF_ERROR(r.enter_stage(0));
  }
  std::printf("[%s] %s, %lld parameters, %zu training items, %lld iterations in %zu stages -> %s\n",
              recipe.name.c_str(), std::string(arch_name(recipe.model)).c_str(),
              static_cast<long long>(parameter_count(*r.net)), r.data->size(),
              static_cast<long long>(recipe.total_iterations()), recipe.stages.size(), r.out.c_str());
  std::fflush(stdout);

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
  summary.model_path = r.out / "model.safetensors";
  LITESR_RETURN_IF_ERROR(export_network(summary.model_path, *r.net, r.export_info()));
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
