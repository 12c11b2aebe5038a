#include "models/registry.h"

#include <cmath>
#include <map>

#include "models/architectures.h"

namespace litesr::models {
namespace {

Result<int> parse_int(const std::string& text, const char* what) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return invalid_argument(std::string(what) + " '" + text + "' is not an integer");
}

// SplitMix64 -> uniform doubles in [0, 1): identical on every platform (std distributions are not).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform(double lo, double hi) { return static_cast<float>(lo + (hi - lo) * (next() >> 11) * 0x1.0p-53); }
};

}  // namespace

std::vector<std::string> registered_architectures() {
  std::vector<std::string> names;
  for (const ArchitectureInfo& a : architectures()) names.emplace_back(a.name);
  return names;
}

Result<Graph> build_graph(std::string_view arch, int scale, std::string_view config_json) {
  const ArchitectureInfo* row = find_architecture(arch);
  if (row == nullptr) return unsupported("unknown architecture '" + std::string(arch) + "'");
  nlohmann::json config = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return invalid_argument(std::string(arch) + ": litesr.config is not valid JSON");
  try {
    return row->build_graph(scale, config);
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(std::string(arch) + ": bad config: " + e.what());
  }
}

Result<Graph> build_graph(const ModelFile& model) {
  auto get = [&](std::string_view key) -> Result<std::string> {
    const auto it = model.metadata.find(std::string(key));
    if (it == model.metadata.end()) return invalid_argument("model metadata lacks '" + std::string(key) + "'");
    return it->second;
  };
  LITESR_ASSIGN_OR_RETURN(const std::string arch, get(kMetaArch));
  LITESR_ASSIGN_OR_RETURN(const std::string scale_text, get(kMetaScale));
  LITESR_ASSIGN_OR_RETURN(const std::string config, get(kMetaConfig));
  LITESR_ASSIGN_OR_RETURN(const int scale, parse_int(scale_text, "litesr.scale"));
  LITESR_ASSIGN_OR_RETURN(Graph graph, build_graph(arch, scale, config));
  const auto frames = model.metadata.find(std::string(kMetaFrames));
  if (frames != model.metadata.end()) {
    LITESR_ASSIGN_OR_RETURN(const int f, parse_int(frames->second, "litesr.frames"));
    if (f != graph.input_frames) {
      return invalid_argument("litesr.frames = " + frames->second + " but " + arch + " takes " +
                              std::to_string(graph.input_frames) + " frame(s)");
    }
  }
  // litesr.color names what the network sees; a file that says otherwise would get the wrong pixels.
  const auto color = model.metadata.find(std::string(kMetaColor));
  if (color != model.metadata.end() && color->second != frame_color(graph)) {
    return invalid_argument("litesr.color = \"" + color->second + "\" but this " + arch + " network takes " +
                            std::to_string(frame_channels(graph)) + "-channel frames (\"" +
                            std::string(frame_color(graph)) + "\")");
  }
  return graph;
}

Result<ModelFile> make_random_model(std::string_view arch, int scale, std::string_view config_json, uint64_t seed) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, build_graph(arch, scale, config_json));
  LITESR_ASSIGN_OR_RETURN(const std::vector<TensorSpec> specs, expected_tensors(graph));
  ModelFile model;
  model.metadata[std::string(kMetaArch)] = std::string(arch);
  model.metadata[std::string(kMetaScale)] = std::to_string(scale);
  model.metadata[std::string(kMetaConfig)] = nlohmann::json::parse(config_json).dump();
  model.metadata[std::string(kMetaColor)] = std::string(frame_color(graph));
  model.metadata[std::string(kMetaRange)] = "0..1";
  model.metadata[std::string(kMetaFrames)] = std::to_string(graph.input_frames);
  model.metadata[std::string(kMetaFormatVersion)] = "1";
  Rng rng{seed};
  // fan_in per weight tensor name, so a bias uses its weight's bound.
  std::map<std::string, double> bound;
  for (const Node& n : graph.nodes) {
    double fan_in = 0;
    if (n.op == OpKind::kConv2d) {
      for (const TensorSpec& s : specs) {
        if (s.name == n.weight) fan_in = static_cast<double>(s.shape[1]) * n.kernel * n.kernel;
      }
    } else if (n.op == OpKind::kConvTranspose2d) {
      for (const TensorSpec& s : specs) {
        if (s.name == n.weight) fan_in = static_cast<double>(s.shape[0]) * n.kernel * n.kernel / (n.stride * n.stride);
      }
    }
    if (fan_in > 0) {
      bound[n.weight] = bound[n.bias] = 1.0 / std::sqrt(fan_in);
    } else if (n.op == OpKind::kSqueezeExcite) {
      for (const TensorSpec& s : specs) {
        if (s.name == n.weight || s.name == n.bias) bound[s.name] = 1.0 / std::sqrt(static_cast<double>(n.se_hidden * 2));
        if (s.name == n.weight2 || s.name == n.bias2) bound[s.name] = 1.0 / std::sqrt(static_cast<double>(n.se_hidden));
      }
    }
  }
  for (const TensorSpec& s : specs) {
    Tensor t;
    t.shape = s.shape;
    t.data.resize(static_cast<std::size_t>(t.numel()));
    const std::string& name = s.name;
    auto ends_with = [&](std::string_view suffix) {
      return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    for (float& v : t.data) {
      if (s.op == OpKind::kPrelu) {
        v = rng.uniform(0.2, 0.3);
      } else if (s.op == OpKind::kBatchNorm) {
        v = ends_with("running_var") || ends_with("weight") ? rng.uniform(0.5, 1.5) : rng.uniform(-0.1, 0.1);
      } else {
        const double b = bound.count(name) ? bound[name] : 0.1;
        v = rng.uniform(-b, b);
      }
    }
    model.tensors[name] = std::move(t);
  }
  return model;
}

Result<Session> create_session(const ModelFile& model, const SessionOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, build_graph(model));
  if (graph.input_frames > 1) {
    const auto shapes = infer_shapes(graph);
    const bool stacked_input = shapes.ok() && graph.inputs.size() == 1 &&
                               (*shapes)[graph.inputs[0]].channels == 3 * graph.input_frames;
    if (!stacked_input) {
      return invalid_argument(graph.arch + " is a multi-frame model (" + std::to_string(graph.input_frames) +
                              " frames per window) whose graph runs one frame per call: use MultiFrameSession "
                              "(runtime/multi_frame_session.h, models::create_multi_frame_session)");
    }
  }
  if (is_quantized_model(model)) {
    LITESR_ASSIGN_OR_RETURN(const ModelQuantization quantization, read_model_quantization(model));
    return Session::create(graph, model.tensors, options, quantization);
  }
  return Session::create(graph, model.tensors, options);
}

bool runs_on_multi_frame_session(const Graph& graph) { return graph.input_frames > 1 || graph.inputs.size() > 1; }

Result<MultiFrameSession> create_multi_frame_session(const ModelFile& model, const SessionOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const Graph graph, build_graph(model));
  if (is_quantized_model(model)) {
    LITESR_ASSIGN_OR_RETURN(const ModelQuantization quantization, read_model_quantization(model));
    return MultiFrameSession::create(graph, model.tensors, options, quantization);
  }
  return MultiFrameSession::create(graph, model.tensors, options);
}

}  // namespace litesr::models

namespace litesr {

// The runtime declares this overload; models defines it so the runtime never links the builders.
Result<Session> Session::create(const ModelFile& model, const SessionOptions& options) {
  return models::create_session(model, options);
}

Result<MultiFrameSession> MultiFrameSession::create(const ModelFile& model, const SessionOptions& options) {
  return models::create_multi_frame_session(model, options);
}

}  // namespace litesr
