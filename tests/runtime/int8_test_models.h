// Small models with random weights and their min/max INT8 quantization, shared by the INT8 runtime tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "base/image.h"
#include "runtime/graph.h"
#include "runtime/int8_program.h"
#include "runtime/model_quantization.h"
#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "runtime/squeeze_excite.h"

namespace litesr::int8_testing {

struct Model {
  Graph graph;
  TensorMap tensors;
};

inline Model with_random_tensors(Graph graph, uint32_t seed) {
  Model m{std::move(graph), {}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  const std::vector<TensorSpec> specs = expected_tensors(m.graph).value();
  for (const TensorSpec& spec : specs) {
    Tensor t;
    t.shape = spec.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    const bool conv_weight = spec.shape.size() == 4;
    const float bound =
        conv_weight ? 1.0f / std::sqrt(static_cast<float>(spec.shape[1] * spec.shape[2] * spec.shape[3])) : 1.0f;
    for (float& v : t.data) v = u(rng) * bound + (conv_weight ? 0.0f : 0.1f);
    m.tensors[spec.name] = std::move(t);
  }
  return m;
}

inline Model elsr_like(int s) {
  GraphBuilder b("elsr", s);
  const int x = b.input("x", 3);
  const int f1 = b.conv(x, "conv1", 6, 3);
  const int t = b.prelu(b.conv(f1, "conv2", 6, 3), "prelu");
  const int r = b.add({b.conv(t, "conv3", 6, 3), f1});
  b.output(b.pixel_shuffle(b.conv(r, "conv4", 3 * s * s, 3), s));
  return with_random_tensors(std::move(b).finish(), 21 + s);
}

inline Image random_rgb(int w, int h, uint32_t seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y) {
    for (int i = 0; i < w * 3; ++i) img.view<uint8_t>().row(y)[i] = static_cast<uint8_t>((rng() % 200) + 20);
  }
  return img;
}

// Min/max ranges of every step of the float program on `image` (input and output: the image's [0, 1]).
inline ModelQuantization min_max_quantization(const Program& program, const Image& image) {
  LayerExecutor ex;
  EXPECT_TRUE(ex.prepare(program, image.width(), image.height()).ok());
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < image.height(); ++y) {
      for (int x = 0; x < image.width(); ++x) {
        ex.input(0).at(c, y, x) = image.view<uint8_t>().at(x, y, c) / 255.0f;
      }
    }
  }
  ex.run();
  ModelQuantization q;
  auto min_max = [](const std::vector<float>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return activation_params_from_range(*lo, *hi).value();
  };
  for (std::size_t i = 0; i < program.steps.size(); ++i) {
    const Step& step = program.steps[i];
    const bool image_range = step.node.op == OpKind::kInput || std::find(program.outputs.begin(), program.outputs.end(),
                                                                         static_cast<int>(i)) != program.outputs.end();
    q.activations[step.node.name] =
        image_range ? image_quant_params() : min_max(ex.step_output(static_cast<int>(i)).data);
    if (step.node.op == OpKind::kSqueezeExcite) {  // its channel means and fc1 + ReLU of them
      const FeatureMap& x = ex.step_output(step.node.inputs[0]);
      std::vector<float> pooled(x.channels), hidden(step.node.se_hidden), gates(x.channels);
      for (int c = 0; c < x.channels; ++c) {
        double sum = 0;
        for (std::size_t j = 0; j < x.plane_size(); ++j) sum += x.plane(c)[j];
        pooled[c] = static_cast<float>(sum / static_cast<double>(x.plane_size()));
      }
      squeeze_excite_gates_from_pooled(step, pooled.data(), hidden.data(), gates.data());
      const std::vector<std::string> keys = int8_internal_activations(step);
      q.activations[keys[0]] = min_max(pooled);
      q.activations[keys[1]] = min_max(hidden);
    }
  }
  return q;
}

// SAM-SR-shaped (x4, RGB): a head conv, two inverted residual blocks (1x1 expand, depthwise 3x3, LeakyReLU,
// squeeze-excite with a hard-sigmoid gate, 1x1 project, residual add), a global skip, a two-step x2·x2 upsampler,
// and the bicubic global skip of the input (`kind`).
inline Model sam_sr_like(BicubicKind kind = BicubicKind::kMatlab) {
  GraphBuilder b("sam_sr", 4);
  const int x = b.input("x", 3);
  const int head = b.conv(x, "head", 4, 3);
  int body = head;
  for (int i = 0; i < 2; ++i) {
    const std::string p = "b" + std::to_string(i);
    const int e = b.leaky_relu(b.conv(body, p + ".expand", 8, 1), 0.2f);
    const int d = b.leaky_relu(b.conv(e, p + ".dw", 8, 3, true, 8), 0.2f);
    const int se = b.squeeze_excite(d, p + ".se", 2, SeGate::kHardSigmoid, true);
    body = b.add({b.conv(se, p + ".project", 4, 1), body});
  }
  body = b.add({body, head});
  const int u1 = b.leaky_relu(b.pixel_shuffle(b.conv(body, "up1", 16, 3), 2), 0.2f);
  const int u2 = b.pixel_shuffle(b.conv(u1, "up2", 12, 3), 2);
  b.output(b.add({u2, b.bicubic_upsample(x, 4, kind, "bicubic")}, "skip"));
  return with_random_tensors(std::move(b).finish(), 11);
}

// Every op with an integer form: 1x1, depthwise and 5x5 convs, relu, leaky_relu, tanh, sigmoid, slices, a
// concat, a 3-input add, a final pixel shuffle by 2.
inline Model mixed_int8_ops() {
  GraphBuilder b("mixed", 2);
  const int x = b.input("x", 3);
  const int h = b.relu(b.conv(x, "head", 8, 3));
  const int e = b.leaky_relu(b.conv(h, "expand", 16, 1), 0.2f);
  const int d = b.relu(b.conv(e, "dw", 16, 3, true, 16));
  const int p = b.add({b.conv(d, "project", 8, 1), h});
  const int t = b.tanh(b.conv(p, "wide", 8, 5));
  const int g = b.sigmoid(b.conv(p, "gate", 8, 1));
  const int c = b.concat({b.slice(t, 0, 4), b.slice(g, 4, 8)});
  const int body = b.add({b.conv(c, "r1", 8, 3), c, p});
  b.output(b.pixel_shuffle(b.conv(body, "tail", 12, 3), 2));
  return with_random_tensors(std::move(b).finish(), 5);
}

}  // namespace litesr::int8_testing
