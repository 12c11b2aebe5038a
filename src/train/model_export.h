// Export of a trained network to the LiteSR model file (safetensors via runtime/model_file.h, DESIGN §3):
// tensors = named_parameters() + named_buffers() (no num_batches_tracked) as float32; metadata
// litesr.arch, litesr.scale, litesr.config (every parameter), litesr.color = rgb or y (frame_color), litesr.range =
// 0..1, litesr.frames, litesr.format_version = 1, plus litesr.recipe / litesr.trained_on / litesr.description when
// given. SAM-SR with BN is exported BN-folded (config "bn": false), as inference runs it; an over-parameterised ELSR
// (config "expand" > 0) is exported collapsed (train/elsr_network.h collapse_elsr). A quantization-aware training
// network (qat_network.h) adds litesr.quantization: the file is an INT8 model.
#pragma once

#include <filesystem>
#include <string>

#include "runtime/model_file.h"
#include "train/sr_network.h"

namespace litesr::train {

struct ExportInfo {
  std::string recipe;       // litesr.recipe (the recipe TOML), "" = omitted
  std::string trained_on;   // litesr.trained_on, "" = omitted
  std::string description;  // litesr.description, "" = omitted
  bool fold_batch_norm = true;
};

Result<ModelFile> network_to_model_file(SrNetwork& net, const ExportInfo& info = {});
Status export_network(const std::filesystem::path& path, SrNetwork& net, const ExportInfo& info = {});

// Loads tensors by name from a model file into `net` (shapes must match; every tensor of net must be present).
Status load_network_tensors(SrNetwork& net, const ModelFile& file);

// A recipe's `init`: reads the model file at `path` and checks that it holds the architecture and config
// (litesr.arch, litesr.config) of `expected`, the network the first stage builds; load it with
// load_network_tensors. Model files hold inference networks (SAM-SR with BN folded, ELSR collapsed), so a
// network that trains BN or over-parameterised convs cannot start from one; the error says which key to change.
Result<ModelFile> read_init_model_file(const std::filesystem::path& path, const ModelConfig& expected);

}  // namespace litesr::train
