// QatNetwork: quantization-aware training (issue #17, docs/quantization.md "Quantization-aware training").
// The deployed network of an INT8 model (its graph, config_graph, with the model file's tensors as trainable
// parameters named exactly as in the file: conv1.weight, ...) run through GraphForward with TFLite's integer
// rounding simulated by fake quantization. Gradients use the straight-through estimator: they pass unchanged
// where a value lies inside the representable range and are zero outside it.
//   conv2d weights   per output channel, symmetric: scale = max|w| / 127 (1 for an all-zero channel), q in
//                    [−127, 127] (quant/quant_params.h quantize_weights_per_channel)
//   prelu slopes     per tensor over their own range (activation_params_from_range(min, max), int8_program.cpp)
//   every output     of every node at its (scale, zero point) from `quantization`, q in [−128, 127]; the ranges are
//                    the calibrated ones and stay fixed while the weights adapt to them — or, with `learn_ranges`,
//                    trained with them (below)
//   biases           float: the int32 bias (scale = input scale × weight scale) is finer than any output step
//   squeeze-excite   its fc weights per output channel like conv weights (fc2 / 6 quantizes to the same grid / 6),
//                    its pooled and hidden values at "<name>/pooled" and "<name>/hidden", its hard-sigmoid gate at
//                    the image parameters (1/255, −128) — the INT8 form's roundings (runtime/int8_program.h)
//   bicubic skip     its output at its parameters (the float taps: the int8 phase filters differ by < 1/K a tap)
// Learned ranges (`learn_ranges`, LSQ+: Bhalgat et al. 2020): every range calibration chose from data (kCalibrated
// in calibration/calibrate.h, a squeeze-excite's pooled and hidden values too) becomes [lo, hi] = the calibrated
// [lo0, hi0] + kMaxRangeShift·(hi0 − lo0)·tanh(t) with t a trainable pair (parameter "qat_ranges.r<k>", starting at
// 0) — each end moves by at most a quarter of the calibrated width, so no range collapses (unbounded, a recurrent
// EVSRNet diverged within 6 k iterations at its recipe's lr 1e-4); scale =
// (hi − lo) / 255, zero point = −128 − lo / scale, rounded and clamped to [−128, 127] inside the fake quantization,
// whose gradient reaches scale and zero point (at::_fake_quantize_learnable_per_tensor_affine). Fixed parameters
// (the image's, sigmoid's, tanh's, the gate's) stay fixed, and a step that shares another's parameters (its only
// reader's, a state input's state output's) shares the learned ones, so the INT8 program's ties hold.
// Exporting it (model_export.h) writes the trained tensors with the same litesr.quantization, so the INT8 runtime
// runs the fine-tuned weights at exactly the ranges they were trained for. Graphs take the ops of the INT8
// runtime (conv2d, relu, leaky_relu, prelu, tanh, sigmoid, add, concat, slice, pixel_shuffle, squeeze_excite,
// bicubic_upsample). Video networks
// (Graph::input_frames T > 1) run as the runtime runs them (runtime/multi_frame_session.h): a frame-parallel graph
// on each frame alone; a recurrent step frame by frame, x_prev = x_t and zero states at t = 0, each step's
// (fake-quantized) state outputs fed back as the next step's state inputs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model_quantization.h"
#include "runtime/tensor.h"
#include "train/graph_forward.h"
#include "train/sr_network.h"

namespace litesr::train {

class QatNetwork : public SrNetwork {
 public:
  // `config` is the deployed network (ELSR collapsed, no batch norm), `tensors` its model-file tensors (copied
  // into parameters). kUnsupported naming the node for an op without an INT8 form or a node without parameters in
  // `quantization` (a graph whose compiled program renames steps: batch norm, conv_transpose2d); kInvalidArgument
  // for tensors that do not fit the graph.
  static Result<std::shared_ptr<QatNetwork>> create(const ModelConfig& config, const ModelQuantization& quantization,
                                                    const TensorMap& tensors, bool learn_ranges = false);

  // x: [B, K·T, h, w] in [0, 1] -> [B, K·T, s·h, s·w] (T = 1 but for video networks, any T there: training
  // sequences), fake-quantized at the output's parameters.
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return config_; }
  // The parameters the network runs at now (the learned ones; with fixed ranges the calibrated ones): what the
  // exported model file holds.
  ModelQuantization quantization() const;
  // The calibrated parameters it started from (a checkpoint's: its range parameters hold what was learned since).
  const ModelQuantization& calibrated_quantization() const { return quantization_; }
  static constexpr double kMaxRangeShift = 0.25;  // of the calibrated width, per end of a learned range
  int learned_ranges() const { return static_cast<int>(ranges_.size()); }  // 0 with fixed ranges; 2 parameters each
  // Whether a network_state() name is a learned range (not a model-file tensor).
  static bool is_range_parameter(const std::string& name);

 private:
  QatNetwork(const ModelConfig& config, const Graph& graph, const ModelQuantization& quantization);
  torch::Tensor parameter(const Node& node, const std::string& name) const;

  // One step of the graph on its inputs (fake-quantized at every node's output).
  std::vector<torch::Tensor> step(const std::vector<torch::Tensor>& inputs);

  // A fake quantization: fixed parameters, or learned range `range` (≥ 0, an index into ranges_).
  struct Quantizer {
    QuantParams fixed;
    int range = -1;
  };
  struct LearnedRange {
    std::string key;          // its quantization.activations key
    double lo0 = 0, hi0 = 0;  // the calibrated range
    torch::Tensor t;          // [2], trainable: lo = lo0 + shift·tanh(t[0]), hi = hi0 + shift·tanh(t[1])
  };
  torch::Tensor fake_quantize(const torch::Tensor& x, const Quantizer& q) const;
  // The learned range's scale and (unrounded) zero point, [1] each.
  std::pair<torch::Tensor, torch::Tensor> range_scale_and_zero_point(const LearnedRange& r) const;
  Quantizer quantizer(const QuantParams& calibrated, const std::string& key, bool learnable);

  ModelConfig config_;
  int frames_ = 1;          // Graph::input_frames (1: a one-frame network)
  int frame_channels_ = 3;  // K
  std::vector<int64_t> state_channels_;  // recurrent: the channels of the inputs after x_prev, x_t (else empty)
  ModelQuantization quantization_;
  GraphForward ops_;
  std::vector<Quantizer> output_params_;                 // per graph node
  std::vector<std::vector<Quantizer>> internal_params_;  // per graph node: a squeeze-excite's pooled, hidden, gate
  std::vector<LearnedRange> ranges_;                     // learn_ranges only
  std::shared_ptr<torch::nn::Module> range_holder_;      // "qat_ranges": the ranges' parameters
  std::map<std::string, torch::Tensor> params_;                        // model-file name -> registered parameter
  std::map<std::string, std::shared_ptr<torch::nn::Module>> holders_;  // "a.b" -> the module holding a.b.*
};

}  // namespace litesr::train
