// run_training: `litesr train` as a library call. Torch-free interface (the CLI includes only this).
//
// Output folder (TrainOptions::out_dir):
//   checkpoint.pt          latest checkpoint (checkpoint.h), every `checkpoint_every` iterations and at the end
//                          of every stage; written atomically
//   model_latest.safetensors  the network at the latest checkpoint (its stage's scale)
//   model.safetensors      the final model (DESIGN §3 metadata, SAM-SR BN folded), written at the end
//   train_log.jsonl        training_log.h;   curves.svg: loss and validation PSNR-Y
//   recipe.toml            a copy of the recipe
// Everything that can be checked before training is (recipe, data folders, output folder writable).
//
// Data-parallel training (TrainOptions::distributed, docs/training.md "Data-parallel training"): every rank runs
// run_training with its own DistributedOptions; each computes its shard of every batch (samples are the same
// whatever the world size), the gradients are summed over the ranks (train/distributed.h), and rank 0 alone
// writes the output folder. Validation images are split over the ranks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "base/cancel.h"
#include "base/progress.h"
#include "base/status.h"
#include "train/distributed_env.h"

namespace litesr::train {

struct TrainOptions {
  std::filesystem::path recipe;
  std::filesystem::path out_dir;             // empty: runs/<recipe name>
  bool resume = false;                       // continue from out_dir/checkpoint.pt
  int threads = 1;                           // LibTorch intra-op threads (1 = bit-reproducible)
  int loader_threads = 0;                    // 0: the recipe's [data] loader_threads
  ProgressMode progress = ProgressMode::kAuto;
  const CancelToken* cancel = nullptr;       // Ctrl-C: checkpoint, then return kCancelled
  int64_t stop_after_iterations = 0;         // > 0: checkpoint and stop after this many global iterations
  bool verbose = false;
  // LibTorch speed-ups (docs/training.md has their measured effect): conv weights and batches in NHWC
  // (oneDNN's preferred layout); forward pass under CPU autocast to bfloat16 (AMX / AVX512-BF16 where the CPU
  // has them; the loss stays float32). Off by default: results then differ slightly from the fp32 run, but a
  // run is still reproducible and resumable with the same flags.
  bool channels_last = false;
  bool bf16 = false;
  // Replaces the search stage's nas_lambda (the λ sweep of FGNAS; recipe.h RecipeOverrides): the stored
  // recipe text carries the value that ran, so --resume needs the same option.
  std::optional<double> nas_lambda;
  // Replaces the recipe's seed (`litesr train --seed`), stored like nas_lambda.
  std::optional<int64_t> seed;
  // world_size > 1: this process is one rank of a data-parallel run (distributed_env.h reads it from the
  // launcher's environment). Every rank must be given the same recipe and options.
  DistributedOptions distributed;
};

struct TrainSummary {
  std::filesystem::path out_dir;
  std::filesystem::path model_path;  // model.safetensors ("" when stopped early)
  int64_t iterations = 0;            // global iterations done
  bool finished = false;             // all stages done
  double last_psnr_y = 0.0;          // latest validation (0 when none)
  int nas_nc = 0;                    // recipes with an FGNAS search stage: the found nc, nb (0 otherwise)
  int nas_nb = 0;
  bool primary = true;               // rank 0 (or a single-process run): the one that wrote the output folder
  int world_size = 1;
};

Result<TrainSummary> run_training(const TrainOptions& options);

// What a data-parallel launcher checks once before it starts `world_size` ranks: the recipe and its data and
// validation folders, every stage's batch against the world size (each rank needs a sample), and, when
// `output_folder` (the machine of rank 0), the init model file and the output folder (writable; an existing run
// needs --resume; --resume needs its checkpoint and the same recipe). Returns the output folder.
Result<std::filesystem::path> check_training_can_start(const TrainOptions& options, int world_size, bool output_folder);

}  // namespace litesr::train
