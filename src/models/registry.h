// Model registry: graphs from model files and from (architecture name, scale, config JSON) through the
// architecture table (models/architectures.h; one builder per file, models/<arch>.cpp), plus random-weight
// models for tests and benchmarks. docs/architectures.md is the spec.
//
// Random initialisation (make_random_model, deterministic for a seed, SplitMix64-driven):
//   conv / linear weights and biases: uniform(−1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default bound),
//     fan_in = in/groups · k · k (conv2d), in · k · k / stride² (conv_transpose2d);
//   prelu: 0.25 ± 0.05; batch_norm: weight U(0.5, 1.5), bias U(−0.1, 0.1), running_mean U(−0.1, 0.1),
//   running_var U(0.5, 1.5) (non-trivial so folding is exercised).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"

namespace litesr::models {

// Names accepted in litesr.arch, sorted.
std::vector<std::string> registered_architectures();

// From explicit hyper-parameters; config_json is the litesr.config object (e.g. {"scale": 4, "channels": 6}).
Result<Graph> build_graph(std::string_view arch, int scale, std::string_view config_json);
// From a model file's metadata (litesr.arch, litesr.scale, litesr.config; litesr.frames must match).
Result<Graph> build_graph(const ModelFile& model);

// A model file with metadata written out and random weights of the right names and shapes.
Result<ModelFile> make_random_model(std::string_view arch, int scale, std::string_view config_json, uint64_t seed);

// build_graph(model) + Session::create(graph, model.tensors, options). A multi-frame model whose graph
// runs one frame per call (EVSRNet: Graph::input_frames > 1 but a [3]-channel input) is kInvalidArgument
// pointing at create_multi_frame_session / MultiFrameSession.
Result<Session> create_session(const ModelFile& model, const SessionOptions& options = {});

// build_graph(model) + MultiFrameSession::create(graph, model.tensors, options): video models (evsrnet).
Result<MultiFrameSession> create_multi_frame_session(const ModelFile& model, const SessionOptions& options = {});

// The one rule for which of the two a model runs on: a MultiFrameSession for a multi-frame model (a window of
// frames, Graph::input_frames > 1, or a recurrent step with several inputs), a Session otherwise.
bool runs_on_multi_frame_session(const Graph& graph);

}  // namespace litesr::models
