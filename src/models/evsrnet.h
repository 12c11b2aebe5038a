// EVSRNet (seed 001; docs/architectures.md "evsrnet"; reference/seeds_facts.md §2.3).
//
// Config (`litesr.config`, every key required, unknown keys rejected):
//   {"scale": 4, "nc": 8, "nb": 5, "frames": 10, "mode": "recurrent" | "frame_parallel"} [+ "color": "y"]
//   scale 2..4 (= litesr.scale); nc feature channels 1..256; nb residual blocks 0..64;
//   frames T 1..64, the frames of one input window (= litesr.frames = Graph::input_frames);
//   color optional: "rgb" (K = 3, default) or "y" (K = 1: a luma network on Y frames; config_values.h).
//
// Below, frames have K channels: "3" in the shapes is K for a luma network (its head takes 2 + nc + s² maps,
// its tail gives s²; 9,472 params for nc 8, nb 5, x4 recurrent).
//
// THE GRAPH IS ONE FRAME (ONE STEP), NOT THE WHOLE T-FRAME WINDOW. Graph::input_frames is T (so
// build_graph checks litesr.frames), but the graph's inputs hold a single frame: whoever runs the model
// (session / video code) calls it T times per window, frame t = 0 .. T−1, where the window is the
// model-file contract's [3·T, H, W] input (channel = 3·t + colour) and its [3·T, sH, sW] output.
//
// mode "frame_parallel" (Reading S, 9,568 params for nc 8, nb 5, x4): every frame alone, shared weights.
//   inputs:  0 "x"      [3, H, W]        frame t
//   outputs: 0 "frame"  [3, sH, sW]      SR frame t
//   graph:   f = ReLU(head 3x3 3->nc (x)); nb × (f = f + body.i.conv2(ReLU(body.i.conv1(f))));
//            frame = PixelShuffle(s)(tail 3x3 nc->3s² (f))
//
// mode "recurrent" (Reading R, RRN without the bilinear skip, default; 14,400 params for nc 8, nb 5, x4):
//   inputs:  0 "x_prev" [3, H, W]        frame t−1 (frame 0 itself when t = 0)
//            1 "x_t"    [3, H, W]        frame t
//            2 "h_prev" [nc, H, W]       hidden state from step t−1 (output 1); ZEROS when t = 0
//            3 "o_prev" [3s², H, W]      pre-shuffle output from step t−1 (output 2); ZEROS when t = 0
//   outputs: 0 "frame"  [3, sH, sW]      SR frame t (the model's output)
//            1 "h"      [nc, H, W]       hidden state: feed to input 2 at step t+1
//            2 "o"      [3s², H, W]      tail output before the shuffle: feed to input 3 at step t+1
//   graph:   f = ReLU(head 3x3 (6+nc+3s²)->nc (concat(x_prev, x_t, h_prev, o_prev))); nb residual blocks;
//            h = ReLU(hidden 3x3 nc->nc (f)); o = tail 3x3 nc->3s² (f); frame = PixelShuffle(s)(o)
//   The state resets (zeros, x_prev = x_t) at the start of every T-frame window. All maps of a step share
//   the LR size H x W; h and o are LR-resolution feature maps, never clamped or quantized between steps.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "runtime/graph.h"

namespace litesr::models {

enum class EvsrnetMode { kRecurrent, kFrameParallel };

struct EvsrnetConfig {
  static constexpr const char* kArch = "evsrnet";  // litesr.arch
  int scale = 4;
  int nc = 8;
  int nb = 5;
  int frames = 10;
  EvsrnetMode mode = EvsrnetMode::kRecurrent;
  int color_channels = 3;  // K: 3 = RGB, 1 = luma ("color": "y")
  bool operator==(const EvsrnetConfig&) const = default;
};

// Graph input / output indices (Graph::inputs / Graph::outputs order) of the recurrent step graph.
inline constexpr int kEvsrnetInputPrevFrame = 0;
inline constexpr int kEvsrnetInputFrame = 1;
inline constexpr int kEvsrnetInputHidden = 2;
inline constexpr int kEvsrnetInputPrevOutput = 3;
inline constexpr int kEvsrnetOutputFrame = 0;
inline constexpr int kEvsrnetOutputHidden = 1;
inline constexpr int kEvsrnetOutputPreShuffle = 2;

Result<EvsrnetConfig> parse_evsrnet_config(const nlohmann::json& config);
nlohmann::json evsrnet_config_json(const EvsrnetConfig& config);
// The config's "mode" value: "recurrent" or "frame_parallel".
const char* evsrnet_mode_name(EvsrnetMode mode);
// Input channels of the head conv: 2K + nc + Ks² for the recurrent step (x_prev, x_t, h_prev, o_prev), K for
// frame-parallel. The one formula the runtime graph, the torch network and the FGNAS supernet share.
int evsrnet_head_input_channels(const EvsrnetConfig& config);

Result<Graph> build_evsrnet_graph(const EvsrnetConfig& config);

}  // namespace litesr::models
