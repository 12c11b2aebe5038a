#include "profile/profiled_model.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "models/architectures.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"

namespace litesr {

std::string profiled_architecture_names() {
  std::string names;
  for (const models::ArchitectureInfo& a : models::architectures()) {
    names += (names.empty() ? "" : ", ") + std::string(a.name);
  }
  return names;
}

Result<ProfiledModel> load_profiled_model(const ProfiledModelSpec& spec) {
  if (spec.model.empty() == spec.arch.empty()) return invalid_argument("give either a model or an architecture");
  ProfiledModel m;
  if (spec.model.empty()) {
    if (spec.scale < 1) return invalid_argument("an architecture needs a scale (-s)");
    const models::ArchitectureInfo* row = models::find_architecture(spec.arch);
    if (row == nullptr) {
      return invalid_argument("unknown architecture '" + spec.arch + "' (" + profiled_architecture_names() + ")");
    }
    nlohmann::json config = row->default_config();
    config["scale"] = spec.scale;
    nlohmann::json patch;
    try {
      patch = nlohmann::json::parse(spec.config_patch);
    } catch (const nlohmann::json::exception& e) {
      return invalid_argument(std::string("the config is not valid JSON: ") + e.what());
    }
    if (!patch.is_object()) return invalid_argument("the config must be a JSON object");
    config.merge_patch(patch);
    const std::string text = config.dump();
    LITESR_ASSIGN_OR_RETURN(m.graph, models::build_graph(spec.arch, spec.scale, text));
    if (spec.weights) {
      LITESR_ASSIGN_OR_RETURN(m.file, models::make_random_model(spec.arch, spec.scale, text, spec.seed));
    }
    return m;
  }
  LITESR_ASSIGN_OR_RETURN(m.file, models::resolve_model(spec.model, spec.scale));
  LITESR_ASSIGN_OR_RETURN(m.graph, models::build_graph(m.file));
  return m;
}

Result<ForwardTiming> time_forward(const ProfiledModel& model, int input_width, int input_height, int threads,
                                   TimingOptions options, uint64_t seed) {
  SessionOptions so;
  so.threads = threads;
  // The session users get (as ModelUpscaler opens a model): a multi-frame model on a MultiFrameSession, anything
  // else on a Session; an INT8 model file on the integer engine (models/registry.h).
  const bool multi_frame = models::runs_on_multi_frame_session(model.graph);
  std::unique_ptr<Session> session;
  std::unique_ptr<MultiFrameSession> frames;
  if (multi_frame) {
    LITESR_ASSIGN_OR_RETURN(MultiFrameSession created, models::create_multi_frame_session(model.file, so));
    frames = std::make_unique<MultiFrameSession>(std::move(created));
  } else {
    LITESR_ASSIGN_OR_RETURN(Session created, models::create_session(model.file, so));
    session = std::make_unique<Session>(std::move(created));
  }
  // The network alone (a luma model: its Y channel); a multi-frame model: one frame of the window.
  const int channels = multi_frame ? frames->channels() : session->image_channels();
  const int s = multi_frame ? frames->scale() : session->scale();
  std::vector<float> lr(static_cast<std::size_t>(input_width) * input_height * channels);
  std::vector<float> sr(static_cast<std::size_t>(input_width) * s * input_height * s * channels);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& v : lr) v = uniform(rng);
  const ImageView<const float> lr_view{lr.data(), input_width, input_height, channels,
                                       static_cast<std::ptrdiff_t>(input_width) * channels};
  const ImageView<float> sr_view{sr.data(), input_width * s, input_height * s, channels,
                                 static_cast<std::ptrdiff_t>(input_width) * s * channels};
  ForwardTiming result;
  if (multi_frame) {
    result.engine = std::string(execution_mode_name(frames->mode())) + ", " + active_isa() + ", one frame per run";
    options.threads = frames->threads();
    LITESR_ASSIGN_OR_RETURN(result.timing, time_runs(options, [&] { return frames->push_frame(lr_view, sr_view); }));
    return result;
  }
  LITESR_RETURN_IF_ERROR(session->prepare(input_width, input_height));
  result.engine = std::string(execution_mode_name(session->mode())) + ", " + session->isa();
  options.threads = session->threads();
  LITESR_ASSIGN_OR_RETURN(result.timing, time_runs(options, [&] { return session->run(lr_view, sr_view); }));
  return result;
}

}  // namespace litesr
