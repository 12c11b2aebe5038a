// Training checkpoints: one file (LibTorch archive, written atomically: temporary file + rename) holding
// everything a bit-identical resume needs:
//   state    stage index, iterations done in the stage, global iteration, the network's current scale,
//            a hash of the recipe text (resuming with a different recipe is refused), the network's
//            config (litesr.config JSON: after an FGNAS search stage it is the found architecture)
//   model    every tensor of network_state() (names checked on load)
//   optimizer  Adam's moments and step counts (torch::optim::Optimizer::save)
//   rng      torch's default CPU generator state
//   world_size  the number of data-parallel ranks that wrote it (informational: a run may resume with another)
//   quantization  the fixed activation ranges of a quantization-aware training stage (its network is rebuilt
//            from them on resume)
// The data sampler needs no state of its own: batches are functions of (seed, stage, iteration).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "train/sr_network.h"

namespace litesr::train {

struct CheckpointState {
  int stage = 0;
  int64_t iteration = 0;         // iterations done in `stage`
  int64_t global_iteration = 0;  // iterations done in the whole run
  int scale = 0;                 // the network's scale at this point
  uint64_t recipe_hash = 0;
  std::string model_config;  // model_config_json(net.config()) when saved; "" in checkpoints written before it
  int world_size = 1;        // data-parallel ranks of the run that saved it (1 in checkpoints written before it)
  // A quantization-aware training stage (qat_network.h): the network's litesr.quantization JSON; "" otherwise.
  std::string quantization;
};

Status save_checkpoint(const std::filesystem::path& path, const CheckpointState& state, const SrNetwork& net,
                       torch::optim::Optimizer& optimizer);
Result<CheckpointState> read_checkpoint_state(const std::filesystem::path& path);
// Restores model, optimizer and RNG (the network must already have the checkpoint's scale).
Status restore_checkpoint(const std::filesystem::path& path, SrNetwork& net, torch::optim::Optimizer& optimizer);

// The same from the checkpoint file's bytes (data-parallel resume: rank 0 reads the file and broadcasts it);
// `name` labels errors.
Result<CheckpointState> parse_checkpoint_state(const std::string& bytes, const std::string& name);
Status restore_checkpoint_bytes(const std::string& bytes, const std::string& name, SrNetwork& net,
                                torch::optim::Optimizer& optimizer);

uint64_t recipe_hash(const std::string& text);  // FNV-1a 64

}  // namespace litesr::train
