// Recipe: a multi-stage training plan read from TOML (recipes/*.toml; every key is documented in
// docs/training.md). Torch-free.
//
//   name = "elsr_x4_cpu"            description = "…"        seed = 1
//   base_dir = ".."                 # relative data paths resolve against it (itself relative to the file)
//   init = "models/elsr-x4.safetensors"   # optional: start from a model file's weights (fine-tuning)
//   checkpoint_every = 500          log_every = 50
//   [model]       arch = "elsr", then the architecture's config keys (model_config.h); scale = final scale
//   [data]        kind = "hr_folders"|"paired_folders"|"video_synthetic"|"reds"; hr_dirs = [...];
//                 lr_dirs = [...]; lr_border = "replicate"|"symmetric"; flips, rotations; loader_threads;
//                 frames, max_shift (video)
//   [validation]  dir = "…/Set5" (benchmark layout: HR/ [+ LR_bicubic/X<s>]) or images = ["…/BSD200/x.jpg", …]
//                 (held-out images: the trainer drops them from the training data); every = 1000; max_images = 0
//   [[stages]]    name, scale, loss = "l1"|"mse"|"charbonnier", charbonnier_eps, luma_weight, patch (HR side), batch,
//                 iterations, lr, schedule, step_size, milestones, gamma, min_lr, warmup, betas,
//                 weight_decay, reset_optimizer;  FGNAS search stage (evsrnet, first stage only): nas = true,
//                 nas_lambda (required), nas_max_channels, nas_max_blocks, nas_gate_lr, nas_gate_init;
//                 quantization-aware training (the last stages only): qat = true, qat_calib (calibration images,
//                 required), qat_method = "auto"|"minmax"|"percentile"|"mse", qat_learn_ranges;
//                 knowledge distillation: teacher (a built-in model name or a .safetensors path), distill_weight
// A stage key that is absent is inherited from the previous stage (stage 1 needs patch, batch, iterations
// and lr). Each stage initialises from the previous stage's weights; ELSR stages may go ×2 → ×4 (the
// last-layer repeat of elsr_network.h). The nas_* keys are never inherited; the stage after a search stage
// trains the architecture the search found (evsrnet_search.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/resample_weights.h"
#include "base/status.h"
#include "train/lr_schedule.h"
#include "train/model_config.h"

namespace litesr::train {

enum class LossKind { kL1, kMse, kCharbonnier };
std::string_view loss_kind_name(LossKind kind);

enum class DataKind {
  kHrFolders,       // still HR images; LR = MATLAB imresize(HR, 1/s) made once per image and scale
  kPairedFolders,   // still HR + LR folders, paired by file stem ("x.png" ↔ "x.png" or "x" + "x<s>")
  kVideoSynthetic,  // still HR images; T-frame sequences of a crop window moving a few LR pixels per frame
  kReds,            // REDS layout: hr_dirs[0]/<clip>/<frame>.png and lr_dirs[0]/<clip>/<frame>.png
};

// FGNAS (fine-grained channel search, seeds_facts §2.4) settings of a search stage. The supernet is EVSRNet with
// max_channels trunk channels and max_blocks residual blocks of max_channels inner channels (seeds_facts §2.1
// Table 2: channels 0..32, blocks 0..8), every searchable channel behind a learnable binary gate; the stage
// minimises L_task + lambda · MACs(gates) / MACs(all gates open) (evsrnet_search.h).
struct NasSpec {
  bool enabled = false;    // nas = true: this stage is the architecture search
  double lambda = 0.0;     // nas_lambda: weight of the normalised MAC penalty (required; >= 0)
  int max_channels = 32;   // nas_max_channels: supernet trunk and inner channels
  int max_blocks = 8;      // nas_max_blocks: supernet residual blocks
  double gate_lr = 0.02;   // nas_gate_lr: Adam learning rate of the gate logits (scaled by the stage schedule)
  double gate_init = 2.0;  // nas_gate_init: initial gate logit, > 0 (every gate starts open; sigmoid(2) = 0.88)
};

struct StageSpec {
  std::string name;
  int scale = 0;
  LossKind loss = LossKind::kL1;
  double charbonnier_eps = 1e-3;
  // luma_weight w in [0, 1]: loss = (1 − w)·loss(RGB) + w·loss(luma), luma = BT.601 Y without offset, scaled
  // to [0, 1] ((65.481·R + 128.553·G + 24.966·B) / 219): the channel the SR literature's PSNR-Y measures.
  double luma_weight = 0.0;
  int patch = 0;           // HR patch side in pixels (a multiple of scale)
  int batch = 0;
  int64_t iterations = 0;
  double lr = 0.0;
  ScheduleSpec schedule;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 0.0;
  bool reset_optimizer = true;  // fresh Adam moments at the start of the stage
  NasSpec nas;                  // nas.enabled: an FGNAS search stage
  // qat: quantization-aware training (train/qat_network.h). The first QAT stage quantizes the network it starts
  // from (calibration/quantize_model.h on qat_calib's images, range method qat_method) and trains the INT8 model
  // at those fixed ranges; every later stage is QAT too (inherited; the model file written is an INT8 model).
  bool qat = false;
  std::filesystem::path qat_calib;
  std::string qat_method = "auto";
  // qat_learn_ranges: the activation ranges train with the weights (QatNetwork's learned ranges) instead of
  // staying the calibrated ones; the same in every QAT stage of a recipe (the network is built once).
  bool qat_learn_ranges = false;
  // Knowledge distillation (train/teacher.h): teacher = a built-in model name or a model file path
  // (models::is_model_path; resolved against base_dir), "" = none; the objective is (1 − distill_weight)·loss(HR) +
  // distill_weight·loss(teacher).
  std::string teacher;
  double distill_weight = 0.5;
};

struct DataSpec {
  DataKind kind = DataKind::kHrFolders;
  std::vector<std::filesystem::path> hr_dirs;
  std::vector<std::filesystem::path> lr_dirs;   // paired_folders / reds
  BorderMode lr_border = BorderMode::kReplicate;  // generated LR (the sr_benchmark files' rule)
  bool flips = true;                              // random horizontal and vertical flips
  bool rotations = true;                          // random 90° rotation (transpose)
  int loader_threads = 2;
  int frames = 10;    // video: frames per sample
  int max_shift = 2;  // video_synthetic: max LR pixels the window moves per frame, per axis
  // Files of hr_dirs never trained on: the recipe's held-out validation images (ValidationSpec::images).
  std::vector<std::filesystem::path> exclude;
};

// Validation images: a benchmark folder (`dir`) or a list of held-out HR files (`images`, LR generated with
// MATLAB bicubic and replicate borders) — one or the other. Held-out images are removed from the training data,
// so a recipe can validate on images that are neither trained on nor reported (Set5/Set14/BSD100 are reported).
struct ValidationSpec {
  std::filesystem::path dir;                   // benchmark layout (eval/sr_dataset.h)
  std::vector<std::filesystem::path> images;   // held-out HR files
  int64_t every = 1000;       // iterations between validations (and at the end of each stage)
  int max_images = 0;         // 0 = all

  bool enabled() const { return !dir.empty() || !images.empty(); }
  // What the log and progress lines call the set: the folder's name, or "held-out (N images)".
  std::string label() const;
};

struct Recipe {
  std::filesystem::path file;  // where it was read from ("" for in-memory text)
  std::string text;            // the TOML source (stored in the model file as litesr.recipe)
  std::string name;
  std::string description;
  uint64_t seed = 1;
  // A LiteSR model file whose weights initialise the first stage (fine-tuning), "" = PyTorch's default
  // initialisation. Its arch and config must be the first stage's network (trainer.cpp checks).
  std::filesystem::path init;
  int64_t checkpoint_every = 500;
  int64_t log_every = 50;
  ModelConfig model;  // final scale
  DataSpec data;
  ValidationSpec validation;
  std::vector<StageSpec> stages;

  int64_t total_iterations() const;
  // The index of the search stage (nas = true), or -1. At most one stage searches, and it is the first.
  int search_stage() const;
};

// Command-line changes applied to the recipe TEXT before parsing, so the stored recipe (recipe.toml, the model
// file's litesr.recipe, the resume hash) is the recipe that actually ran.
struct RecipeOverrides {
  // `litesr train --nas-lambda X`: replaces the search stage's nas_lambda value (the λ sweep of EVSRNet's
  // Table 3). An error when the recipe has no search stage.
  std::optional<double> nas_lambda;
  // `litesr train --seed N`: replaces the top-level seed (runs of one recipe with several seeds).
  std::optional<int64_t> seed;
};

// `text` with the search stage's `nas_lambda = ...` value replaced by `lambda` (the rest of the text, comments
// included, unchanged; a closing comment line records the override). Errors: TOML syntax, no search stage.
Result<std::string> override_nas_lambda(std::string_view text, double lambda);

// `text` with the top-level `seed = ...` replaced by `seed` (added first when absent), recorded the same way.
// Errors: TOML syntax, a seed outside [0, 2^62].
Result<std::string> override_seed(std::string_view text, int64_t seed);

// Parses TOML text. Relative paths resolve against `base_dir` (the recipe's `base_dir` key, itself relative
// to `file_dir`). Errors are invalid_argument with the key and, for syntax errors, the line.
Result<Recipe> parse_recipe(std::string_view text, const std::filesystem::path& file_dir,
                            const std::filesystem::path& file = {});
Result<Recipe> load_recipe(const std::filesystem::path& path, const RecipeOverrides& overrides = {});

// Checks, before any training, that every data and validation folder exists and holds images. (The init model
// file is read and checked by the trainer, and only when a run starts: --resume does not need it.)
Status check_recipe_inputs(const Recipe& recipe);

}  // namespace litesr::train
