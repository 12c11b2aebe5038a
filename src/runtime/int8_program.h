// Int8Program: a compiled float Program (runtime/program.h) turned into TensorFlow Lite's full-integer form by
// its ModelQuantization (runtime/model_quantization.h): int8 per-channel weights and int32 biases derived from
// the float tensors, the int8 parameters of every step's output, and the per-op integer parameters of
// quant/reference_ops.h. run_int8_reference() is the INT8 oracle: it runs the steps one after the other on
// whole int8 maps with the scalar reference ops, so its integers are the ones an exported INT8 TFLite file
// computes (docs/quantization.md). Later INT8 kernels are tested against it bit for bit.
//
// Ops with an integer form: input, conv2d (stride 1, "same" padding, any groups), relu, leaky_relu, prelu, tanh
// and sigmoid (256-entry tables), add, concat, slice, pixel_shuffle (conv_transpose2d after lowering),
// squeeze_excite (mean pooling, hard-sigmoid gate) and bicubic_upsample, each spelled with TFLite's int8 ops:
//   squeeze_excite x -> y:  pooled = MEAN(x)                          at "<name>/pooled"
//                           hidden = CONV 1x1(pooled; fc1) + ReLU     at "<name>/hidden"
//                           gate   = CONV 1x1(hidden; fc2 / 6, (b2 + 3) / 6) at the image parameters (1/255, −128),
//                                    whose int8 range is exactly [0, 1]: its clamp is the hard-sigmoid's
//                                    (hard_sigmoid(v) = clamp((v + 3) / 6, 0, 1))
//                           y      = MUL(x, gate[c])                  at the step's parameters
//   bicubic_upsample x:     the input mirror-padded by the phase filters' radius (runtime/phase_filter.h; MATLAB:
//                           symmetric, PyTorch: replicated), a depthwise conv of the int8 phase filters
//                           (quantize_phase_filter: taps summing exactly to 1) without padding, pixel shuffle.
// Any other op (or squeeze-excite with another pooling or gate) is kUnsupported naming the op and the step. Any number
// of inputs and outputs: one frame's graph, or a recurrent step (runtime/multi_frame_session.h: x_prev, x_t, states ->
// frame, states'), whose state inputs must have the parameters of the state outputs fed back into them, so the int8
// state maps go round unconverted.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/image.h"
#include "base/status.h"
#include "quant/quantized_map.h"
#include "quant/reference_ops.h"
#include "runtime/kernel_int8_rows.h"
#include "runtime/model_quantization.h"
#include "runtime/program.h"

namespace litesr {

struct Int8Step {
  OpKind op = OpKind::kInput;
  std::string name;
  std::vector<int> inputs;  // step ids
  int channels = 0;         // output channels
  QuantParams output;       // the step's output parameters
  QuantizedConv2d conv;     // conv2d; squeeze_excite: fc1; bicubic_upsample: the phase filters
  QuantizedConv2d conv2;    // squeeze_excite: fc2 with the hard-sigmoid folded in (above)
  QuantParams pooled, hidden;  // squeeze_excite: the internal activations' parameters
  int radius = 0;              // bicubic_upsample: padding
  bool mirror = false;         // bicubic_upsample: symmetric (MATLAB) padding, else replicated
  std::vector<int8_t> alpha;  // prelu: slopes [C] or [1], quantized per tensor with alpha_params
  QuantParams alpha_params;
  float leaky_alpha = 0.0f;   // leaky_relu
  LookupTable table{};        // tanh, sigmoid: indexed by the input's bit pattern
  int scale = 1;              // pixel_shuffle, bicubic_upsample
  int begin = 0, end = 0;     // slice
};

struct Int8Program {
  std::string arch;
  int scale = 1;
  std::vector<Int8Step> steps;
  std::vector<int> inputs;   // step ids, Program::inputs' order
  std::vector<int> outputs;  // step ids, Program::outputs' order
};

// Whether `op` has an integer form (the list above): what an INT8 model can hold.
bool has_int8_form(OpKind op);

// The internal activations of `step` whose parameters an INT8 model stores besides the step's output (keys of
// ModelQuantization::activations): squeeze_excite "<name>/pooled" and "<name>/hidden"; none for other ops.
std::vector<std::string> int8_internal_activations(const Step& step);

// kUnsupported for an op without an integer form; kCorruptData when `quantization` lacks a step, names a step the
// program does not have, or gives a recurrent step's state input other parameters than its state output;
// kInvalidArgument for parameters the integer ops cannot take (e.g. an add whose output multiplier is >= 1).
Result<Int8Program> compile_int8_program(const Program& program, const ModelQuantization& quantization);

// A squeeze_excite step's gates (above) from its input's per-channel sums Σ(q − zp_in) over `count` samples per
// plane (input: the input's parameters): [C] int8 at the image parameters. kUnsupported when a plane of `count`
// samples could overflow the MEAN's int32 sum. The reference run and the band executor both use it.
Result<std::vector<int8_t>> squeeze_excite_gates_int8(const Int8Step& se, QuantParams input,
                                                      std::span<const int32_t> sums, int64_t count);

// Runs every step on whole maps. `input` carries the input step's parameters and the graph's input channels.
// Single-input, single-output programs.
Result<QuantizedMap> run_int8_reference(const Int8Program& program, const QuantizedMap& input);
// The same for any program: inputs[i] for Int8Program::inputs[i] (its channels and parameters), the maps of
// Int8Program::outputs in order; all maps one size.
Result<std::vector<QuantizedMap>> run_int8_reference(const Int8Program& program, std::span<const QuantizedMap> inputs);

// Image <-> int8 map at the input / output parameters: u8 samples v mean v / 255 (exactly q = v − 128 when the
// parameters are the image's, 1/255 and −128); f32 samples are quantized (quantize_value). Outputs are
// dequantized, clamped to [0, 1] and, for u8, rounded half up (v = q + 128 for the image's parameters).
template <typename T>
QuantizedMap int8_map_from_image(ImageView<const T> image, QuantParams params);
template <typename T>
void int8_map_to_image(const QuantizedMap& map, ImageView<T> image);

// The parameters of 8-bit images: range [0, 1] (activation_params_from_range(0, 1)).
QuantParams image_quant_params();

// One sample of the conversions above (the same rules): an image sample at `params`, and back.
template <typename T>
int8_t int8_from_sample(T v, QuantParams params);
template <typename T>
T sample_from_int8(int8_t q, QuantParams params);
// The same rules as 256-entry tables (kernel_int8_rows.h): u8 samples -> int8 at `params`, and int8 at `params` ->
// u8 and f32.
ByteToInt8Table byte_to_int8_table(QuantParams params);
Int8ToByteTable int8_to_byte_table(QuantParams params);
Int8ToFloatTable int8_to_float_table(QuantParams params);

}  // namespace litesr
