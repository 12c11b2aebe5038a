#include "calibration/calibrate.h"

#include <algorithm>
#include <string>

#include "runtime/int8_program.h"
#include "runtime/reference_executor.h"
#include "runtime/squeeze_excite.h"

namespace litesr {

std::string_view range_method_name(RangeMethod method) {
  switch (method) {
    case RangeMethod::kMinMax: return "minmax";
    case RangeMethod::kPercentile: return "percentile";
    case RangeMethod::kMse: return "mse";
  }
  return "unknown";
}

Result<RangeMethod> parse_range_method(std::string_view name) {
  for (RangeMethod m : {RangeMethod::kMinMax, RangeMethod::kPercentile, RangeMethod::kMse}) {
    if (name == range_method_name(m)) return m;
  }
  return invalid_argument("range method must be minmax, percentile or mse, got '" + std::string(name) + "'");
}

namespace {

// A squeeze-excite's internal activations on one image: its input's channel means ("/pooled") and fc1 + ReLU of
// them ("/hidden"), the float values its INT8 form quantizes.
Status observe_squeeze_excite(const Step& se, const FeatureMap& input, ActivationStats& stats) {
  const int c = se.shape.channels;
  std::vector<float> pooled(c), hidden(se.node.se_hidden), gates(c);
  const double count = static_cast<double>(input.height) * input.width;
  for (int ch = 0; ch < c; ++ch) {
    double sum = 0.0;
    for (int y = 0; y < input.height; ++y) sum += row_sum_f64(input.plane(ch) + y * input.width, input.width);
    pooled[ch] = static_cast<float>(sum / count);
  }
  squeeze_excite_gates_from_pooled(se, pooled.data(), hidden.data(), gates.data());
  const std::vector<std::string> keys = int8_internal_activations(se);
  LITESR_RETURN_IF_ERROR(stats.internal[keys[0]].observe(pooled));
  return stats.internal[keys[1]].observe(hidden);
}

}  // namespace

Result<ActivationStats> observe_activations(const Program& program, std::span<const Image> lr_images) {
  if (lr_images.empty()) return invalid_argument("calibration needs at least one image");
  const std::size_t states = program.inputs.size() >= 2 ? program.inputs.size() - 2 : 0;
  const bool recurrent = program.inputs.size() >= 2;
  if (recurrent && program.outputs.size() != states + 1) {
    return unsupported(
        "calibration takes one-frame graphs and recurrent steps (x_prev, x_t, states -> frame, states')");
  }
  ActivationStats stats;
  stats.steps.resize(program.steps.size());
  const int channels = program.steps[program.inputs[recurrent ? 1 : 0]].node.channels;
  const int steps_per_image = recurrent ? std::max(program.input_frames, 1) : 1;
  LayerExecutor executor;
  for (const Image& image : lr_images) {
    if ((image.type() != PixelType::kU8 && image.type() != PixelType::kF32) || image.channels() != channels) {
      return invalid_argument("calibration images must be 8-bit or float with the model's " + std::to_string(channels) +
                              " input channels");
    }
    LITESR_RETURN_IF_ERROR(executor.prepare(program, image.width(), image.height()));
    FeatureMap& x = executor.input(recurrent ? 1 : 0);
    for (int c = 0; c < channels; ++c) {
      for (int y = 0; y < image.height(); ++y) {
        for (int xx = 0; xx < image.width(); ++xx) {
          x.at(c, y, xx) = image.type() == PixelType::kU8
                               ? static_cast<float>(image.view<uint8_t>().at(xx, y, c)) / 255.0f
                               : image.view<float>().at(xx, y, c);
        }
      }
    }
    if (recurrent) {  // a static window: x_prev = x_t = the image, zero states at t = 0
      FeatureMap& x_prev = executor.input(0);
      std::copy(x.data.begin(), x.data.end(), x_prev.data.begin());
      for (std::size_t i = 0; i < states; ++i) {
        FeatureMap& state = executor.input(static_cast<int>(2 + i));
        std::fill(state.data.begin(), state.data.end(), 0.0f);
      }
    }
    for (int t = 0; t < steps_per_image; ++t) {
      executor.run();
      for (std::size_t i = 0; i < program.steps.size(); ++i) {
        const Status s = stats.steps[i].observe(executor.step_output(static_cast<int>(i)).data);
        if (!s.ok()) return s.with_context("step '" + program.steps[i].node.name + "'");
        const Step& step = program.steps[i];
        if (step.node.op == OpKind::kSqueezeExcite && step.node.se_pool == SePool::kMean) {
          const Status se = observe_squeeze_excite(step, executor.step_output(step.node.inputs[0]), stats);
          if (!se.ok()) return se.with_context("step '" + step.node.name + "'");
        }
      }
      for (std::size_t i = 0; i < states; ++i) {  // the next step's state inputs
        const FeatureMap& out = executor.output(static_cast<int>(1 + i));
        FeatureMap& in = executor.input(static_cast<int>(2 + i));
        std::copy(out.data.begin(), out.data.end(), in.data.begin());
      }
    }
    ++stats.images;
  }
  return stats;
}

std::vector<ActivationSource> activation_sources(std::span<const Node> nodes, std::span<const int> inputs,
                                                 std::span<const int> outputs) {
  const int n = static_cast<int>(nodes.size());
  // Readers of each step (graph outputs count as a reader the step cannot share parameters with).
  std::vector<std::vector<int>> readers(n);
  for (int i = 0; i < n; ++i) {
    for (int in : nodes[i].inputs) readers[in].push_back(i);
  }
  std::vector<bool> is_output(n, false);
  for (int o : outputs) is_output[o] = true;
  using Kind = ActivationSource::Kind;
  std::vector<ActivationSource> sources(n);
  for (int i = 0; i < n; ++i) {
    const Node& node = nodes[i];
    if (node.op == OpKind::kInput || i == outputs[0]) {  // state inputs: below
      sources[i] = {Kind::kFixed, -1, image_quant_params()};
    } else if (node.op == OpKind::kSigmoid) {
      sources[i] = {Kind::kFixed, -1, kSigmoidOutputParams};
    } else if (node.op == OpKind::kTanh) {
      sources[i] = {Kind::kFixed, -1, QuantParams{1.0f / 128.0f, 0}};
    } else if (readers[i].size() == 1 && !is_output[i] &&
               (nodes[readers[i][0]].op == OpKind::kRelu || nodes[readers[i][0]].op == OpKind::kPixelShuffle ||
                nodes[readers[i][0]].op == OpKind::kSlice)) {
      sources[i] = {Kind::kReader, readers[i][0], {}};
    }
  }
  // A recurrent step's state input i + 1 takes the parameters of state output i, which is fed back into it.
  for (std::size_t i = 1; i < outputs.size() && i + 1 < inputs.size(); ++i) {
    sources[inputs[i + 1]] = {Kind::kStateOutput, outputs[i], {}};
  }
  return sources;
}

int activation_root(std::span<const ActivationSource> sources, int i) {
  while (sources[i].kind == ActivationSource::Kind::kReader ||
         sources[i].kind == ActivationSource::Kind::kStateOutput) {
    i = sources[i].step;
  }
  return i;
}

Result<ModelQuantization> quantization_from_stats(const Program& program, const ActivationStats& stats,
                                                  RangeMethod method, double percentile) {
  const int n = static_cast<int>(program.steps.size());
  if (static_cast<int>(stats.steps.size()) != n || stats.images == 0) {
    return invalid_argument("activation statistics do not belong to this program");
  }
  auto calibrated = [&](const HistogramObserver& h, const std::string& what) -> Result<QuantParams> {
    Result<CalibrationRange> range = method == RangeMethod::kMinMax       ? h.min_max_range()
                                     : method == RangeMethod::kPercentile ? h.percentile_range(percentile)
                                                                          : h.mse_range();
    if (!range.ok()) return range.status().with_context(what);
    return activation_params_from_range(range->min, range->max);
  };
  std::vector<Node> nodes;
  for (const Step& st : program.steps) nodes.push_back(st.node);
  const std::vector<ActivationSource> sources = activation_sources(nodes, program.inputs, program.outputs);
  std::vector<QuantParams> params(n);
  for (int i = 0; i < n; ++i) {
    if (sources[i].kind == ActivationSource::Kind::kFixed) params[i] = sources[i].params;
    if (sources[i].kind == ActivationSource::Kind::kCalibrated) {
      LITESR_ASSIGN_OR_RETURN(params[i], calibrated(stats.steps[i], "step '" + nodes[i].name + "'"));
    }
  }
  for (int i = 0; i < n; ++i) params[i] = params[activation_root(sources, i)];
  ModelQuantization q;
  for (int i = 0; i < n; ++i) q.activations[program.steps[i].node.name] = params[i];
  for (const auto& [key, h] : stats.internal) {
    LITESR_ASSIGN_OR_RETURN(q.activations[key], calibrated(h, "'" + key + "'"));
  }
  return q;
}

}  // namespace litesr
