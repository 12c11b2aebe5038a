#include "train/trainer.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "calibration/quantize_model.h"
#include "io/atomic_file.h"
#include "train/batch_loader.h"
#include "train/checkpoint.h"
#include "train/cpu_speedups.h"
#include "train/distributed.h"
#include "train/elsr_network.h"
#include "train/evsrnet_search.h"
#include "train/loss.h"
#include "train/model_export.h"
#include "train/qat_network.h"
#include "train/recipe.h"
#include "train/sr_network.h"
#include "train/teacher.h"
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
// The model's parameters: a QAT network's learned activation ranges (2 trainable values each) are not the model's.
int64_t model_parameters(const SrNetwork& net) {
  const auto* qat = dynamic_cast<const QatNetwork*>(&net);
  return parameter_count(net) - (qat != nullptr ? 2 * qat->learned_ranges() : 0);
}

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
  for (int x : v) {
    if (!out.empty()) out += ' ';
    out += std::to_string(x);
  }
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

// Samples [first, first + count) of a batch of `batch` for `rank` of `world`: contiguous, sizes differ by ≤ 1.
std::pair<int, int> shard_of(int batch, int world, int rank) {
  const int base = batch / world, extra = batch % world;
  return {rank * base + std::min(rank, extra), base + (rank < extra ? 1 : 0)};
}

// Each rank needs at least one sample of every batch.
Status check_world_size(const Recipe& recipe, int world) {
  for (const StageSpec& s : recipe.stages) {
    if (s.qat && world > 1) {
      return unsupported("stage " + s.name +
                         " is quantization-aware (qat = true), which runs in one process: "
                         "train it without --nproc / a launcher");
    }
    if (s.batch < world) {
      return invalid_argument("a run of " + std::to_string(world) + " ranks needs batches of at least " +
                              std::to_string(world) + " samples, and stage " + s.name + " has batch " +
                              std::to_string(s.batch) + ": use fewer ranks");
    }
  }
  return {};
}

// What every rank of a data-parallel run must agree on (Distributed::connect compares it across ranks).
std::string run_fingerprint(const TrainOptions& o, const Result<Recipe>& recipe, const Status& ready) {
  if (!ready.ok()) return Json{{"error", ready.message()}, {"code", static_cast<int>(ready.code())}}.dump();
  char hash[32];
  std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(recipe_hash(recipe->text)));
  return Json{{"protocol", 1},
              {"recipe", recipe->name},
              {"recipe_hash", hash},
              {"resume", o.resume},
              {"stop_after", o.stop_after_iterations},
              {"channels_last", o.channels_last},
              {"bf16", o.bf16},
              {"bucket_bytes", o.distributed.bucket_bytes},
              {"timeout_s", o.distributed.timeout_s},
              {"heartbeat_timeout_s", o.distributed.heartbeat_timeout()}}
      .dump();
}

std::string exception_text(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
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
  std::unique_ptr<TrainingLog> log;  // rank 0 only (null on the other ranks)
  double last_psnr = 0.0;
  bool luma_network = false;         // the network's frames are luma (config_frame_channels 1)
  int loader_threads = 1;
  Distributed* dist = nullptr;       // a data-parallel run, else null
  std::unique_ptr<Teacher> teacher;  // the current stage's (knowledge distillation), else null
  double last_teacher_loss = 0.0;    // loss(student, teacher) of the last step (this rank's shard)

  bool primary() const { return dist == nullptr || dist->primary(); }
  int world() const { return dist == nullptr ? 1 : dist->world_size(); }
  int rank() const { return dist == nullptr ? 0 : dist->rank(); }
  Status append(const Json& j) const { return log ? log->append(j.dump()) : Status(); }

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

  // Every rank calls it at the same iterations: the ranks first check that they hold the same weights, then
  // rank 0 writes; a failure elsewhere waits for the write to complete (exit_guard).
  Status checkpoint() {
    if (dist != nullptr) LITESR_RETURN_IF_ERROR(dist->check_replicas(*net));
    if (!primary()) return {};
    std::unique_lock<std::mutex> guard;
    if (dist != nullptr) guard = dist->exit_guard();
    state.world_size = world();
    LITESR_RETURN_IF_ERROR(save_checkpoint(out / "checkpoint.pt", state, *net, *optimizer));
    LITESR_RETURN_IF_ERROR(export_network(out / "model_latest.safetensors", *exportable(), export_info()));
    Json j = {{"event", "checkpoint"}, {"stage_index", state.stage}, {"iteration", state.iteration},
              {"global_iteration", state.global_iteration}};
    LITESR_RETURN_IF_ERROR(log->append(j.dump()));
    return log->write_svg(recipe->name);
  }

  // Validation; a data-parallel run splits the images over the ranks and sums their scores.
  Result<ValidationResult> score() {
    ValidationCrops crops;  // RUN/val_crops/<global iteration>/ for `litesr train --compare --report`
    crops.dir = out / "val_crops";
    crops.iteration = state.global_iteration;
    if (dist == nullptr) return validate_network(*net, recipe->validation, &crops);
    LITESR_ASSIGN_OR_RETURN(ValidationSums part,
                            validate_network_shard(*net, recipe->validation, rank(), world(), &crops));
    torch::Tensor sums = torch::tensor({static_cast<double>(part.images), part.sum.psnr_y, part.sum.ssim_y,
                                        part.sum.psnr_rgb, part.sum.ssim_rgb},
                                       torch::kDouble);
    try {
      sums = dist->start_all_reduce_sum(sums)();
    } catch (const std::exception& e) {
      return dist->failure(exception_text(e));
    }
    ValidationResult v;
    v.images = static_cast<int>(sums[0].item<double>());
    const double n = std::max(1, v.images);
    v.mean.psnr_y = sums[1].item<double>() / n;
    v.mean.ssim_y = sums[2].item<double>() / n;
    v.mean.psnr_rgb = sums[3].item<double>() / n;
    v.mean.ssim_rgb = sums[4].item<double>() / n;
    return v;
  }

  Status validate() {
    if (!recipe->validation.enabled()) return {};
    LITESR_ASSIGN_OR_RETURN(ValidationResult v, score());
    last_psnr = v.mean.psnr_y;
    if (!primary()) return {};
    const StageSpec& s = recipe->stages[state.stage];
    Json j = {{"event", "val"}, {"stage", s.name}, {"stage_index", state.stage}, {"scale", s.scale},
              {"iteration", state.iteration}, {"global_iteration", state.global_iteration},
              {"dataset", recipe->validation.label()}, {"images", v.images},
              {"psnr_y", v.mean.psnr_y}, {"ssim_y", v.mean.ssim_y}, {"psnr_rgb", v.mean.psnr_rgb},
              {"ssim_rgb", v.mean.ssim_rgb}};
    log->add_psnr(state.global_iteration, v.mean.psnr_y);
    std::printf("[%s] stage %s it %lld (global %lld): %s x%d PSNR-Y %.3f dB, SSIM-Y %.4f\n", recipe->name.c_str(),
                s.name.c_str(), static_cast<long long>(state.iteration),
                static_cast<long long>(state.global_iteration), recipe->validation.label().c_str(), s.scale,
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
    } else if (s.qat && dynamic_cast<QatNetwork*>(net.get()) == nullptr) {
      LITESR_RETURN_IF_ERROR(start_qat(s));
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
    return append(j);
  }

  // The stage's teacher (knowledge distillation, teacher.h): loaded when the stage names another one than the
  // last stage did (a fresh start, a new stage or a resume), dropped when it names none.
  Status use_teacher(const StageSpec& s) {
    if (s.teacher.empty()) {
      teacher.reset();
      return {};
    }
    if (teacher && teacher->name() == s.teacher) return {};
    Result<std::unique_ptr<Teacher>> loaded = Teacher::load(s.teacher, s.scale, luma_network);
    if (!loaded.ok()) return loaded.status().with_context("stage " + s.name);
    teacher = std::move(*loaded);
    if (!primary()) return {};
    std::printf("[%s] stage %s distils from %s (%lld parameters), weight %g\n", recipe->name.c_str(), s.name.c_str(),
                s.teacher.c_str(), static_cast<long long>(teacher->parameters()), s.distill_weight);
    std::fflush(stdout);
    return append({{"event", "teacher"},
                   {"stage", s.name},
                   {"stage_index", state.stage},
                   {"teacher", s.teacher},
                   {"distill_weight", s.distill_weight},
                   {"teacher_parameters", teacher->parameters()}});
  }

  // The first quantization-aware stage: quantizes the network trained so far (post-training quantization on the
  // stage's calibration images, calibration/quantize_model.h) and continues with its INT8 form (qat_network.h)
  // at those ranges. Logs {"event":"qat", ...}.
  Status start_qat(const StageSpec& s) {
    LITESR_ASSIGN_OR_RETURN(const ModelFile float_model, network_to_model_file(*exportable(), export_info()));
    QuantizeOptions q;
    q.calib_dir = s.qat_calib;
    q.method = s.qat_method;
    if (primary()) {
      q.on_progress = [&](const std::string& line) {
        std::printf("[%s] %s\n", recipe->name.c_str(), line.c_str());
        std::fflush(stdout);
      };
    }
    Result<QuantizeResult> ptq = quantize_model(float_model, q);
    if (!ptq.ok()) return ptq.status().with_context("stage " + s.name + " (qat_calib " + s.qat_calib.string() + ")");
    LITESR_ASSIGN_OR_RETURN(ModelQuantization quantization, read_model_quantization(ptq->model));
    quantization.calibration += std::string("; then quantization-aware training ") +
                                (s.qat_learn_ranges ? "with learned ranges" : "at these ranges") + " (recipe " +
                                recipe->name + ")";
    const std::string& arch = ptq->model.metadata.at(std::string(kMetaArch));
    LITESR_ASSIGN_OR_RETURN(const ModelConfig deployed,
                            parse_model_config(arch, ptq->model.metadata.at(std::string(kMetaConfig))));
    LITESR_ASSIGN_OR_RETURN(std::shared_ptr<QatNetwork> qat,
                            QatNetwork::create(deployed, quantization, ptq->model.tensors, s.qat_learn_ranges));
    net = qat;
    double ptq_psnr = 0.0;  // the chosen method's held-out PSNR-Y
    for (const MethodScore& m : ptq->scores) {
      if (m.method == ptq->method) ptq_psnr = m.psnr_y;
    }
    Json j = {{"event", "qat"},
              {"stage", s.name},
              {"stage_index", state.stage},
              {"global_iteration", state.global_iteration},
              {"method", std::string(range_method_name(ptq->method))},
              {"learn_ranges", s.qat_learn_ranges},
              {"calibration_images", ptq->calibration_images},
              {"held_out_images", ptq->held_out_images},
              {"ptq_psnr_y", ptq_psnr},
              {"float_psnr_y", ptq->float_psnr_y}};
    if (!primary()) return {};
    const std::string ranges =
        qat->learned_ranges() > 0 ? " + " + std::to_string(qat->learned_ranges()) + " learned activation ranges" : "";
    std::printf(
        "[%s] quantization-aware training from %s ranges (calibration held-out PSNR-Y: INT8 %.3f dB, float "
        "%.3f dB); %lld parameters%s\n",
        recipe->name.c_str(), std::string(range_method_name(ptq->method)).c_str(), ptq_psnr, ptq->float_psnr_y,
        static_cast<long long>(model_parameters(*net)), ranges.c_str());
    std::fflush(stdout);
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
    net = derived;
    if (!primary()) return {};
    std::printf("[%s] FGNAS (lambda %g): %zu of %d trunk channels open, %d of %d blocks kept (inner widths %s)\n"
                "[%s] found architecture: EVSRNet nc = %d, nb = %d (%s): %lld MACs per LR pixel (%.1f M per "
                "320x180 frame), %lld parameters\n",
                recipe->name.c_str(), search_stage.nas.lambda, a.trunk_channels.size(), search_stage.nas.max_channels,
                a.nb, search_stage.nas.max_blocks, join_ints(a.inner_widths()).c_str(), recipe->name.c_str(), c.nc,
                c.nb, models::evsrnet_mode_name(c.mode),
                static_cast<long long>(macs), static_cast<double>(macs) * 320 * 180 / 1e6,
                static_cast<long long>(parameter_count(*derived)));
    std::fflush(stdout);
    return log->append(j.dump());
  }

  // Trains the rest of the current stage; returns false in `stopped` when interrupted or stopped early.
  // One optimisation step on this rank's shard of the batch. Single process: loss.backward(), Adam. Data-parallel:
  // the rank back-propagates its share of the global objective (shard / batch), the reducer sums the gradients
  // over the ranks during the backward pass, and one small all-reduce — launched before the backward pass, so it
  // overlaps it — sums the loss, the FGNAS penalty and the ranks' stop requests (Ctrl-C on any rank stops every
  // rank at the same iteration). Returns the global loss and penalty.
  Status step(const StageSpec& s, Batch& b, double lr, double& loss_value, double& penalty_value, bool& stop_request) {
    const auto t_start = Clock::now();
    const int c = 3 * b.frames;
    const int hr_size = b.lr_size * b.scale;
    torch::Tensor x = torch::from_blob(b.lr.data(), {b.batch, c, b.lr_size, b.lr_size}, torch::kFloat);
    torch::Tensor y = torch::from_blob(b.hr.data(), {b.batch, c, hr_size, hr_size}, torch::kFloat);
    const torch::Tensor taught = teacher ? teacher->targets(x) : torch::Tensor();  // from the RGB batch
    if (luma_network) {  // the batches are RGB; a luma network learns Y of the LR -> Y of the HR
      x = sr_luma(x);
      y = sr_luma(y);
    }
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
    if (taught.defined()) {
      const torch::Tensor from_teacher =
          pixel_loss(s.loss, prediction.to(torch::kFloat), taught, s.charbonnier_eps, s.luma_weight);
      objective = (1.0 - s.distill_weight) * loss + s.distill_weight * from_teacher;
      last_teacher_loss = from_teacher.item<double>();
    }
    if (EvsrnetSearchNetwork* searching = search()) {
      // FGNAS: L_task + λ · MACs(gate probabilities) / MACs(all open).
      const torch::Tensor penalty = searching->macs_penalty();
      objective = loss + s.nas.lambda * penalty;
      penalty_value = penalty.item<double>();
    }
    if (dist == nullptr) {
      objective.backward();
      optimizer->step();
      loss_value = loss.item<double>();
      return {};
    }
    StepTiming& timing = dist->timing();
    const double share = static_cast<double>(b.batch) / s.batch;
    const bool cancelled = options.cancel != nullptr && options.cancel->cancelled();
    auto sums = dist->start_all_reduce_sum(torch::tensor(
        {share * loss.item<double>(), share * penalty_value, cancelled ? 1.0 : 0.0}, torch::kDouble));
    const auto t_forward = Clock::now();
    dist->prepare_for_backward(objective);
    (objective * share).backward();
    dist->backward_done();
    const auto t_backward = Clock::now();
    optimizer->step();
    const auto t_optimizer = Clock::now();
    const torch::Tensor global = sums();
    loss_value = global[0].item<double>();
    penalty_value = global[1].item<double>();
    stop_request = global[2].item<double>() > 0.0;
    auto ms = [](Clock::time_point from, Clock::time_point to) {
      return std::chrono::duration<double, std::milli>(to - from).count();
    };
    timing.forward_ms += ms(t_start, t_forward);
    timing.backward_ms += ms(t_forward, t_backward);
    timing.optimizer_ms += ms(t_backward, t_optimizer);
    ++timing.steps;
    return {};
  }

  // "dist_*" keys of a train log line: the mean per step of where a data-parallel step's time went.
  void add_timing(Json& j) {
    if (dist == nullptr || !dist->options().step_timing) return;
    const StepTiming t = dist->take_timing();
    if (t.steps == 0) return;
    const double n = static_cast<double>(t.steps);
    j["dist_world_size"] = world();
    j["dist_step_ms"] = t.step_ms / n;
    j["dist_forward_ms"] = t.forward_ms / n;
    j["dist_backward_ms"] = t.backward_ms / n;
    j["dist_optimizer_ms"] = t.optimizer_ms / n;
    j["dist_allreduce_exposed_ms"] = t.exposed_ms() / n;
    j["dist_grad_exposed_ms"] = t.grad_exposed_ms / n;
    j["dist_grad_busy_ms"] = t.grad_busy_ms / n;
    j["dist_bn_sync_ms"] = t.batch_norm_sync_ms / n;
    j["dist_loss_sync_ms"] = t.loss_sync_ms / n;
    j["dist_buckets"] = static_cast<double>(t.buckets) / n;
  }

  // Trains the rest of the current stage; returns false in `stopped` when interrupted or stopped early.
  Status train_stage(bool& stopped) {
    const StageSpec& s = recipe->stages[state.stage];
    LITESR_RETURN_IF_ERROR(use_teacher(s));
    LITESR_RETURN_IF_ERROR(data->prepare_scale(s.scale, loader_threads));
    BatchRequest q;
    q.seed = recipe->seed;
    q.stage = state.stage;
    q.scale = s.scale;
    q.patch = s.patch;
    q.batch = s.batch;
    q.flips = recipe->data.flips;
    q.rotations = recipe->data.rotations;
    if (dist != nullptr) std::tie(q.first, q.count) = shard_of(s.batch, world(), rank());
    BatchLoader loader(*data, q, state.iteration, s.iterations, loader_threads, kPrefetchBatches);
    Progress progress(primary() ? options.progress : ProgressMode::kNone, recipe->name + " " + s.name, s.iterations);
    progress.set_done(state.iteration);
    net->train();
    if (options.channels_last) to_channels_last(*net);
    if (dist != nullptr && dist->attached() != net.get()) {
      // A new network (the run's first, ELSR x2 -> x4, the end of a search): rank 0's weights, a new reducer.
      LITESR_RETURN_IF_ERROR(dist->attach(*net, search() != nullptr));
      if (dist->options().step_timing) (void)dist->take_timing();
    }
    double loss_sum = 0.0;
    int64_t loss_count = 0;
    auto window_start = Clock::now();
    const auto stage_start = Clock::now();
    while (state.iteration < s.iterations) {
      const auto step_start = Clock::now();
      LITESR_ASSIGN_OR_RETURN(Batch b, loader.next());
      const double lr = learning_rate_at(s.schedule, s.lr, state.iteration, s.iterations);
      double loss_value = 0.0;
      double penalty_value = 0.0;
      bool stop_request = false;
      try {
        LITESR_RETURN_IF_ERROR(step(s, b, lr, loss_value, penalty_value, stop_request));
      } catch (const c10::Error& e) {
        return internal_error("stage " + s.name + " iteration " + std::to_string(state.iteration) + ": " +
                              e.what_without_backtrace());
      } catch (const std::exception& e) {
        if (dist == nullptr) throw;
        return dist->failure(exception_text(e));  // Gloo: a rank died, stopped or failed
      }
      if (dist != nullptr) {
        dist->timing().step_ms += std::chrono::duration<double, std::milli>(Clock::now() - step_start).count();
      }
      if (!std::isfinite(loss_value)) {
        return internal_error("stage " + s.name + ": the loss became " + std::to_string(loss_value) +
                              " at iteration " + std::to_string(state.iteration) + " (lower the learning rate)");
      }
      ++state.iteration;
      ++state.global_iteration;
      if (dist != nullptr) dist->set_progress(state.global_iteration);
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
        if (teacher) j["teacher_loss"] = last_teacher_loss;
        if (const EvsrnetSearchNetwork* searching = search()) {
          // After this iteration's update: the gates as they are now. "loss" stays the task loss alone.
          const NasArchitecture a = searching->architecture();
          j["nas_expected_macs_per_pixel"] = searching->expected_macs_per_pixel().item<double>();
          j["nas_macs_per_pixel"] = searching->hard_macs_per_pixel();
          j["nas_open_channels"] = a.trunk_channels.size();
          j["nas_open_blocks"] = a.nb;
          j["nas_inner_widths"] = a.inner_widths();
          j["nas_penalty"] = penalty_value;
          if (options.verbose && primary()) {
            std::printf("[%s] %s FGNAS: %zu trunk channels open, %d blocks (inner %s), expected %.0f MACs/pixel\n",
                        recipe->name.c_str(), s.name.c_str(), a.trunk_channels.size(), a.nb,
                        join_ints(a.inner_widths()).c_str(), j["nas_expected_macs_per_pixel"].get<double>());
          }
        }
        add_timing(j);
        if (log) log->add_loss(state.global_iteration, loss_sum / loss_count);
        LITESR_RETURN_IF_ERROR(append(j));
        if (options.verbose && primary()) {
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
      // Data-parallel: the ranks' stop requests of this step, summed (every rank stops at the same iteration).
      const bool cancelled = dist != nullptr ? stop_request : options.cancel != nullptr && options.cancel->cancelled();
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
    progress.finish();
    return {};
  }
};

// Rank 0's checks of the output folder before anything is written (and, with --resume, of its checkpoint).
struct OutputFolderCheck {
  fs::path out;
  fs::path checkpoint;
  CheckpointState resumed;  // --resume: the checkpoint's state
};

Result<OutputFolderCheck> check_output_folder(const TrainOptions& options, const Recipe& recipe) {
  OutputFolderCheck c;
  c.out = options.out_dir.empty() ? fs::path("runs") / recipe.name : options.out_dir;
  LITESR_RETURN_IF_ERROR(check_output_dir(c.out));
  c.checkpoint = c.out / "checkpoint.pt";
  std::error_code ec;
  if (!options.resume && fs::exists(c.checkpoint, ec)) {
    return already_exists(c.out.string() + " already holds a training run (checkpoint.pt): use --resume to continue "
                          "it or choose another --out folder");
  }
  if (options.resume) {
    LITESR_ASSIGN_OR_RETURN(c.resumed, read_checkpoint_state(c.checkpoint));
    if (c.resumed.recipe_hash != recipe_hash(recipe.text)) {
      return invalid_argument(c.checkpoint.string() + " was written by a different recipe; refusing to resume with " +
                              options.recipe.string() +
                              (recipe.search_stage() >= 0 ? " (a run started with --nas-lambda resumes only with the "
                                                            "same --nas-lambda)"
                                                          : ""));
    }
    if (c.resumed.stage < 0 || c.resumed.stage >= static_cast<int>(recipe.stages.size())) {
      return corrupt_data(c.checkpoint.string() + ": stage index out of range");
    }
  }
  return c;
}

// The run after the recipe is loaded (and, data-parallel, after the rendezvous). Data-parallel steps that can
// fail on one rank only are followed by Distributed::agree, so that every rank stops with the reason.
Result<TrainSummary> run_loaded(const Recipe& recipe, const TrainOptions& options, Distributed* dist) {
  Run r;
  r.recipe = &recipe;
  r.luma_network = config_frame_channels(recipe.model) == 1;
  r.options = options;
  r.dist = dist;
  const bool primary = r.primary();
  auto agree = [&](const std::string& what, const Status& local, const std::string& value = "") -> Status {
    return dist != nullptr ? dist->agree(what, local, value) : local;
  };
  r.out = options.out_dir.empty() ? fs::path("runs") / recipe.name : options.out_dir;
  torch::set_num_threads(std::max(1, options.threads));
  r.loader_threads = options.loader_threads > 0 ? options.loader_threads : recipe.data.loader_threads;
  const uint64_t hash = recipe_hash(recipe.text);

  // Rank 0: the init weights, the output folder, the checkpoint, the log. (The other ranks may not even see
  // those paths: rank 0 broadcasts what they need.)
  ModelFile init;  // the recipe's init weights, checked before anything is written
  CheckpointState resumed;
  std::string checkpoint_bytes;
  const fs::path ckpt = r.out / "checkpoint.pt";
  Status prepared = [&]() -> Status {
    if (!primary) return {};
    if (!recipe.init.empty() && !options.resume) {
      LITESR_ASSIGN_OR_RETURN(init, read_init_model_file(recipe.init, with_scale(recipe.model, recipe.stages[0].scale)));
    }
    LITESR_ASSIGN_OR_RETURN(OutputFolderCheck folder, check_output_folder(options, recipe));
    resumed = folder.resumed;
    if (options.resume && dist != nullptr) {
      LITESR_ASSIGN_OR_RETURN(checkpoint_bytes, read_file(ckpt));
    }
    LITESR_ASSIGN_OR_RETURN(TrainingLog l, TrainingLog::open(r.out / "train_log.jsonl", r.out / "curves.svg",
                                                             options.resume ? resumed.global_iteration : -1));
    r.log = std::make_unique<TrainingLog>(std::move(l));
    return write_file_atomically(r.out / "recipe.toml", recipe.text);
  }();
  LITESR_RETURN_IF_ERROR(agree("preparing the output folder", prepared));
  Status opened = [&]() -> Status {
    LITESR_ASSIGN_OR_RETURN(r.data, open_training_data(recipe.data, r.loader_threads));
    return {};
  }();
  // Every rank reads the data itself: they must all see the same images (a sample is picked by index).
  LITESR_RETURN_IF_ERROR(agree("reading the training data", opened,
                               opened.ok() ? std::to_string(r.data->size()) + " training items" : ""));

  torch::manual_seed(recipe.seed);
  if (options.resume) {
    if (dist != nullptr) {
      LITESR_RETURN_IF_ERROR(dist->broadcast_bytes(checkpoint_bytes));
      LITESR_ASSIGN_OR_RETURN(resumed, parse_checkpoint_state(checkpoint_bytes, ckpt.string()));
    }
    const StageSpec& stage = recipe.stages[resumed.stage];
    if (stage.nas.enabled) {
      r.net = make_search_network(recipe, stage);
    } else if (stage.qat) {
      // The INT8 network at the checkpoint's ranges; its tensors come from the checkpoint below.
      if (resumed.quantization.empty()) return corrupt_data(ckpt.string() + ": a qat stage without its quantization");
      LITESR_ASSIGN_OR_RETURN(const ModelConfig config,
                              parse_model_config(arch_name(recipe.model), resumed.model_config));
      LITESR_ASSIGN_OR_RETURN(const ModelQuantization quantization, parse_model_quantization(resumed.quantization));
      LITESR_ASSIGN_OR_RETURN(SrNetworkPtr shape_source, make_network(config));
      LITESR_ASSIGN_OR_RETURN(const ModelFile shapes, network_to_model_file(*shape_source));
      LITESR_ASSIGN_OR_RETURN(r.net, QatNetwork::create(config, quantization, shapes.tensors, stage.qat_learn_ranges));
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
    if (dist != nullptr) {
      LITESR_RETURN_IF_ERROR(restore_checkpoint_bytes(checkpoint_bytes, ckpt.string(), *r.net, *r.optimizer));
    } else {
      LITESR_RETURN_IF_ERROR(restore_checkpoint(ckpt, *r.net, *r.optimizer));
    }
    r.state = resumed;
    if (primary) {
      std::printf("[%s] resuming at stage %s, iteration %lld (global %lld)\n", recipe.name.c_str(),
                  recipe.stages[resumed.stage].name.c_str(), static_cast<long long>(resumed.iteration),
                  static_cast<long long>(resumed.global_iteration));
      if (resumed.world_size != r.world()) {
        std::printf("[%s] the checkpoint was written by a run of %d rank%s, this run has %d: the batches and the "
                    "update are the same, the floating-point sums are not, so the weights will differ slightly "
                    "from a run that keeps %d (docs/training.md)\n",
                    recipe.name.c_str(), resumed.world_size, resumed.world_size == 1 ? "" : "s", r.world(),
                    resumed.world_size);
      }
    }
  } else if (recipe.stages[0].nas.enabled) {
    r.net = make_search_network(recipe, recipe.stages[0]);
    r.state.recipe_hash = hash;
    LITESR_RETURN_IF_ERROR(r.enter_stage(0));
  } else {
    LITESR_ASSIGN_OR_RETURN(r.net, make_network(with_scale(recipe.model, recipe.stages[0].scale)));
    if (!recipe.init.empty() && primary) {  // the other ranks receive rank 0's weights when training starts
      LITESR_RETURN_IF_ERROR(load_network_tensors(*r.net, init).with_context(recipe.init.string()));
      std::printf("[%s] initialised from %s\n", recipe.name.c_str(), recipe.init.c_str());
    }
    r.state.recipe_hash = hash;
    LITESR_RETURN_IF_ERROR(r.enter_stage(0));
  }
  if (primary) {
    std::printf("[%s] %s, %lld parameters, %zu training items, %lld iterations in %zu stages -> %s\n",
                recipe.name.c_str(), std::string(arch_name(recipe.model)).c_str(),
                static_cast<long long>(model_parameters(*r.net)), r.data->size(),
                static_cast<long long>(recipe.total_iterations()), recipe.stages.size(), r.out.c_str());
    if (dist != nullptr) {
      const DistributedOptions& d = dist->options();
      std::printf("[%s] data-parallel: %d ranks (rendezvous %s:%d), each computes its shard of every batch; "
                  "gradient buckets of %lld KiB\n",
                  recipe.name.c_str(), r.world(), d.master_addr.c_str(), d.master_port,
                  static_cast<long long>(d.bucket_bytes / 1024));
    }
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
  }

  TrainSummary summary;
  summary.out_dir = r.out;
  summary.primary = primary;
  summary.world_size = r.world();
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
  if (recipe.search_stage() >= 0) {
    const auto& found = std::get<EvsrnetConfig>(r.net->config());
    summary.nas_nc = found.nc;
    summary.nas_nb = found.nb;
  }
  if (primary) {
    std::unique_lock<std::mutex> guard;
    if (dist != nullptr) guard = dist->exit_guard();
    LITESR_RETURN_IF_ERROR(export_network(summary.model_path, *r.net, r.export_info()));
    Json done = {{"event", "done"}, {"global_iteration", r.state.global_iteration}, {"psnr_y", r.last_psnr},
                 {"model", summary.model_path.string()}};
    LITESR_RETURN_IF_ERROR(r.log->append(done.dump()));
    LITESR_RETURN_IF_ERROR(r.log->write_svg(recipe.name));
  }
  summary.iterations = r.state.global_iteration;
  summary.finished = true;
  summary.last_psnr_y = r.last_psnr;
  return summary;
}

Result<Recipe> load_checked_recipe(const TrainOptions& options, int world) {
  RecipeOverrides overrides;
  overrides.nas_lambda = options.nas_lambda;
  overrides.seed = options.seed;
  LITESR_ASSIGN_OR_RETURN(Recipe recipe, load_recipe(options.recipe, overrides));
  LITESR_RETURN_IF_ERROR(check_recipe_inputs(recipe));
  LITESR_RETURN_IF_ERROR(check_world_size(recipe, world));
  for (const StageSpec& s : recipe.stages) {  // every teacher loads and fits its stage before anything trains
    if (s.teacher.empty()) continue;
    Result<std::unique_ptr<Teacher>> t = Teacher::load(s.teacher, s.scale, config_frame_channels(recipe.model) == 1);
    if (!t.ok()) return t.status().with_context("stage " + s.name);
  }
  return recipe;
}

Result<TrainSummary> run(const TrainOptions& options) {
  const DistributedOptions& d = options.distributed;
  if (!d.enabled()) {
    LITESR_ASSIGN_OR_RETURN(Recipe recipe, load_checked_recipe(options, 1));
    return run_loaded(recipe, options, nullptr);
  }
  // Data-parallel: a rank whose recipe cannot be used still joins the rendezvous, to tell the others why.
  Result<Recipe> recipe = load_checked_recipe(options, d.world_size);
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<Distributed> dist,
                          Distributed::connect(d, run_fingerprint(options, recipe, recipe.status())));
  if (!recipe.ok()) return recipe.status();  // (connect has already failed on every rank)
  Result<TrainSummary> result = [&]() -> Result<TrainSummary> {
    try {
      return run_loaded(*recipe, options, dist.get());
    } catch (const c10::Error& e) {
      return internal_error(std::string("training: ") + e.what_without_backtrace());
    }
  }();
  if (result.ok() || result.status().code() == StatusCode::kCancelled) {
    // Finished, stopped (--stop-after) or interrupted on every rank at the same iteration: the orderly end.
    LITESR_RETURN_IF_ERROR(dist->finish());
    return result;
  }
  // This rank failed (the others stop, naming it), or it stops because another one did.
  const Status failed = result.status();
  const std::string me = rank_label(d.rank);
  const bool labelled = failed.message().compare(0, me.size() + 1, me + ":") == 0;
  return dist->fail(labelled ? failed : failed.with_context(me));
}

}  // namespace

Result<TrainSummary> run_training(const TrainOptions& options) {
  try {
    return run(options);
  } catch (const c10::Error& e) {
    return internal_error(std::string("training: ") + e.what_without_backtrace());
  }
}

Result<std::filesystem::path> check_training_can_start(const TrainOptions& options, int world_size, bool output_folder) {
  try {
    LITESR_ASSIGN_OR_RETURN(Recipe recipe, load_checked_recipe(options, std::max(1, world_size)));
    const fs::path out = options.out_dir.empty() ? fs::path("runs") / recipe.name : options.out_dir;
    if (!output_folder) return out;
    if (!recipe.init.empty() && !options.resume) {
      LITESR_RETURN_IF_ERROR(
          read_init_model_file(recipe.init, with_scale(recipe.model, recipe.stages[0].scale)).status());
    }
    LITESR_RETURN_IF_ERROR(check_output_folder(options, recipe).status());
    return out;
  } catch (const c10::Error& e) {
    return internal_error(std::string("training: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
