// ModelConfig: the hyper-parameters of every trainable architecture, exactly the JSON object stored in a
// model file's `litesr.config` (docs/architectures.md). Torch-free, so the CLI and tests can use it.
//
// JSON shapes (every key written out on output; on input missing keys take the defaults below):
//   elsr     {"scale": 2|3|4, "channels": 6, "expand": 0}  ("expand", training only, is written only when > 0;
//            model files hold the collapsed network, whose config has no "expand")
//   evsrnet  {"scale": 4, "nc": 8, "nb": 5, "frames": 10, "mode": "recurrent"|"frame_parallel"}
//   sam_sr   {"scale": 4, "nf": 16, "n": 8, "se": true, "bn": true, "bicubic_a": -0.5|-0.75,
//             "se_gate": "hard_sigmoid"|"sigmoid", "upsampler": "candidate_a"}
//   espcn    {"scale": 4, "channels": 3}
//   fsrcnn   {"scale": 4, "d": 56, "s": 12, "m": 4, "channels": 3}
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"

namespace litesr::train {

struct ElsrConfig {
  int scale = 4;
  int channels = 6;  // intermediate feature channels (the paper: 6)
  int expand = 0;    // training-time linear over-parameterisation width p (train/collapsible_conv.h); 0 = plain
};

enum class EvsrnetMode { kRecurrent, kFrameParallel };

struct EvsrnetConfig {
  int scale = 4;
  int nc = 8;       // feature channels
  int nb = 5;       // residual blocks
  int frames = 10;  // T: frames per input window (channels = 3·T)
  EvsrnetMode mode = EvsrnetMode::kRecurrent;
};

enum class SeGate { kHardSigmoid, kSigmoid };

struct SamSrConfig {
  int scale = 4;  // the candidate_a upsampler is two ×2 pixel shuffles: 4 only
  int nf = 16;
  int n = 8;  // blocks after the first (N); the network has N + 1 blocks
  bool se = true;
  bool bn = true;
  double bicubic_a = -0.5;  // −0.5 MATLAB (symmetric borders), −0.75 PyTorch (clamped borders)
  SeGate se_gate = SeGate::kHardSigmoid;
  std::string upsampler = "candidate_a";
};

struct EspcnConfig {
  int scale = 4;
  int channels = 3;  // image channels: 3 RGB (1, the paper's Y-only variant, is not trainable here)
};

struct FsrcnnConfig {
  int scale = 4;
  int d = 56;
  int s = 12;
  int m = 4;
  int channels = 3;
};

using ModelConfig = std::variant<ElsrConfig, EvsrnetConfig, SamSrConfig, EspcnConfig, FsrcnnConfig>;

// "elsr", "evsrnet", "sam_sr", "espcn", "fsrcnn".
std::string_view arch_name(const ModelConfig& config);
int config_scale(const ModelConfig& config);
ModelConfig with_scale(const ModelConfig& config, int scale);
// Input frames of the model (litesr.frames): EVSRNet's T, otherwise 1.
int config_frames(const ModelConfig& config);

// Parses `json_text` (an object with the keys above) for architecture `arch`. Unknown keys, wrong
// types and out-of-range values are invalid_argument errors naming the key.
Result<ModelConfig> parse_model_config(std::string_view arch, std::string_view json_text);
// The config as a compact JSON object with every parameter written out (the `litesr.config` value).
std::string model_config_json(const ModelConfig& config);

}  // namespace litesr::train
