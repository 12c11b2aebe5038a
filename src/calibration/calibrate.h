// Calibration: the int8 parameters of every activation of a float model, from the values it takes on images
// (post-training quantization, docs/quantization.md "Calibration").
//
//   ActivationStats stats = *observe_activations(program, lr_images);       // the float program, every step
//   ModelQuantization q = *quantization_from_stats(program, stats, RangeMethod::kMse);
//
// Ranges per step come from a histogram of its outputs (quant/calibration.h) by the chosen method, then:
//   - the input and the output are the image's range [0, 1] (u8 pixels in and out with no conversion: scale
//     1/255, zero point −128; the float model's output is clamped to [0, 1] anyway); for a recurrent step
//     (runtime/multi_frame_session.h) the frame inputs x_prev, x_t and output 0, the frame;
//   - a recurrent step's state outputs are calibrated like any step (never shared with a reader: the graph
//     output is a reader too), and each state input takes the parameters of the state output fed back into it;
//   - sigmoid outputs take TFLite's fixed (1/256, −128), tanh outputs (1/128, 0);
//   - a squeeze-excite's internal activations (runtime/int8_program.h: "<name>/pooled", "<name>/hidden") are
//     calibrated like steps, from the channel means of its input and its fc1 + ReLU of them;
//   - a step read only by one relu, pixel_shuffle or slice takes that step's parameters, so the consumer
//     requantizes nothing (TFLite fuses the relu into the conv; depth-to-space and slices keep parameters).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/image.h"
#include "base/status.h"
#include "quant/calibration.h"
#include "runtime/model_quantization.h"
#include "runtime/program.h"

namespace litesr {

enum class RangeMethod { kMinMax, kPercentile, kMse };
std::string_view range_method_name(RangeMethod method);  // "minmax", "percentile", "mse"
Result<RangeMethod> parse_range_method(std::string_view name);

struct ActivationStats {
  std::vector<HistogramObserver> steps;  // [program.steps.size()]: every value each step's output took
  std::map<std::string, HistogramObserver> internal;  // int8_internal_activations' keys: the values they took
  int images = 0;
};

// Runs the float program (the reference layer executor) on each image and records every step's outputs. Images
// have the input's channels (3: RGB, 1: a luma model's Y/255), u8 (read as v / 255) or f32 samples. A recurrent
// step runs each image as a static window (Program::input_frames steps, x_prev = x_t = the image, states zero at
// the first step and fed back after each, as a video model upscales a still image) and records every step of it.
// kInvalidArgument for no images or an image of other channels or type.
Result<ActivationStats> observe_activations(const Program& program, std::span<const Image> lr_images);

// Where a step's int8 parameters come from, by the rules above: one definition for calibration and for
// quantization-aware training's learned ranges (train/qat_network.h), which must keep the same ties.
struct ActivationSource {
  enum class Kind {
    kFixed,        // `params`: the image's (the input; a recurrent step's frames), sigmoid's, tanh's
    kCalibrated,   // its own range
    kReader,       // the parameters of its only reader `step` (a relu, pixel_shuffle or slice)
    kStateOutput,  // a recurrent state input: those of the state output `step` fed back into it
  };
  Kind kind = Kind::kCalibrated;
  int step = -1;            // kReader, kStateOutput
  QuantParams params = {};  // kFixed
};
// Per node of a graph or program (`nodes[i].inputs` index `nodes`; `inputs`, `outputs` as Graph's).
std::vector<ActivationSource> activation_sources(std::span<const Node> nodes, std::span<const int> inputs,
                                                 std::span<const int> outputs);
// The step whose own range (kCalibrated) or fixed parameters step `i` ends up with, following kReader and
// kStateOutput links.
int activation_root(std::span<const ActivationSource> sources, int i);

// The parameters of every step by `method` (percentile: `percentile` in (50, 100], e.g. 99.99) and the rules above.
Result<ModelQuantization> quantization_from_stats(const Program& program, const ActivationStats& stats,
                                                  RangeMethod method, double percentile = 99.99);

}  // namespace litesr
