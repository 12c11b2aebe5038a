// The model `litesr profile` measures, and its timed forward pass: a shipped or file model, or an architecture's
// untrained configuration (the architecture table's defaults with a JSON patch merged over them; random weights
// when it is to be timed). Keeps model loading and session building out of cli/.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "profile/timing.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"

namespace litesr {

struct ProfiledModelSpec {
  std::string model;                // a built-in name or .safetensors file; "" when `arch` is given
  std::string arch;                 // instead of `model`: a row of models/architectures.h
  std::string config_patch = "{}";  // JSON object merged over the architecture's default config (`arch` only)
  int scale = 0;                    // `arch`: required; `model`: 0 = its own (bicubic: its scale)
  bool weights = false;             // `arch`: make random weights (what timing needs)
  uint64_t seed = 1;                // of the random weights
};

struct ProfiledModel {
  Graph graph;
  ModelFile file;  // tensors: the model's, random ones for `arch` with `weights`, else none
};

// kInvalidArgument for a bad spec (both or neither of model/arch, unknown architecture, a patch that is not a JSON
// object, a config out of range), kNotFound for an unknown model.
Result<ProfiledModel> load_profiled_model(const ProfiledModelSpec& spec);

// "bicubic, elsr, ...": the architectures `arch` takes.
std::string profiled_architecture_names();

struct ForwardTiming {
  TimingResult timing;
  std::string engine;  // "fused_bands, avx3", "int8_bands, avx3": the execution mode and kernel ISA
};

// Times whole forward passes of `model` with `threads` threads on a `input_width` x `input_height` LR input of
// uniform random values in [0, 1] (`seed`), per `options` (DESIGN §5 protocol), on the engine users get: a
// Session (an INT8 model file: the integer engine), or for a multi-frame model a MultiFrameSession, where one
// run is one frame pushed (a recurrent step; the window restarts every input_frames frames, as in a video).
Result<ForwardTiming> time_forward(const ProfiledModel& model, int input_width, int input_height, int threads,
                                   TimingOptions options, uint64_t seed);

}  // namespace litesr
