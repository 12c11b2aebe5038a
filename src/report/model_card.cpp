#include "report/model_card.h"

#include <cstring>
#include <random>
#include <vector>

#include "io/atomic_file.h"
#include "models/builtin_models.h"
#include "models/embedded_file.h"
#include "models/registry.h"
#include "profile/builtin_catalog.h"
#include "profile/complexity.h"
#include "report/sha256.h"
#include "runtime/session.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

// resolve_model's rule: a path contains '/' or ends in ".safetensors".
bool is_model_path(const std::string& name) {
  return name.find('/') != std::string::npos || (name.size() > 12 && name.ends_with(".safetensors"));
}

// One upscaled 720p frame per call, on the upscale/video path.
Status time_model(ModelCard& card, const ModelCardOptions& options) {
  UpscalerOptions uo;
  uo.model = card.name;
  uo.scale = card.scale;
  uo.threads = options.threads;
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler upscaler, ModelUpscaler::open(uo));
  const int s = upscaler.scale();
  const int lw = kCatalogOutputWidth / s, lh = kCatalogOutputHeight / s;
  std::vector<uint8_t> lr(static_cast<std::size_t>(lw) * lh * 3);
  std::vector<uint8_t> sr(static_cast<std::size_t>(lw) * s * lh * s * 3);
  std::mt19937 rng(1);
  for (uint8_t& v : lr) v = static_cast<uint8_t>(rng() & 0xff);
  const ImageView<const uint8_t> lr_view{lr.data(), lw, lh, 3, static_cast<std::ptrdiff_t>(lw) * 3};
  const ImageView<uint8_t> sr_view{sr.data(), lw * s, lh * s, 3, static_cast<std::ptrdiff_t>(lw) * s * 3};
  TimingOptions to;
  to.warmup_runs = options.warmup_runs;
  to.timed_runs = options.timed_runs;
  to.threads = upscaler.threads();
  const bool frames = upscaler.multi_frame();
  LITESR_ASSIGN_OR_RETURN(card.timing, time_runs(to, [&]() -> Status {
                            return frames ? upscaler.push_frame_u8(lr_view, sr_view)
                                          : upscaler.upscale_rgb8_into(lr_view, sr_view);
                          }));
  card.engine = execution_mode_name(upscaler.mode());
  card.timed = true;
  return {};
}

}  // namespace

Result<ModelCard> describe_model(const std::string& name_or_path, const ModelCardOptions& options) {
  ModelCard card;
  card.name = name_or_path;
  LITESR_ASSIGN_OR_RETURN(ModelFile model, models::resolve_model(name_or_path, options.scale));
  LITESR_ASSIGN_OR_RETURN(Graph graph, models::build_graph(model));
  card.scale = graph.scale;
  card.frames = graph.input_frames;
  auto arch = model.metadata.find(std::string(kMetaArch));
  card.arch = arch == model.metadata.end() ? std::string() : arch->second;
  if (is_model_path(name_or_path)) {
    LITESR_ASSIGN_OR_RETURN(const std::string bytes, read_file(name_or_path));
    card.source = name_or_path;
    card.sha256 = sha256_hex(bytes);
    card.file_bytes = static_cast<int64_t>(bytes.size());
  } else {
    card.source = "built-in";
    for (std::size_t i = 0; i < kEmbeddedModelCount; ++i) {
      if (name_or_path == kEmbeddedModels[i].name) {
        const std::string_view bytes(reinterpret_cast<const char*>(kEmbeddedModels[i].data), kEmbeddedModels[i].size);
        card.sha256 = sha256_hex(bytes);
        card.file_bytes = static_cast<int64_t>(bytes.size());
      }
    }
  }
  ComplexityOptions co;
  co.input_width = kCatalogOutputWidth / card.scale;
  co.input_height = kCatalogOutputHeight / card.scale;
  co.convention = CountingConvention::kMacs;
  Result<ComplexityReport> report = profile_complexity(graph, model.tensors, co);
  if (!report.ok()) return report.status().with_context(name_or_path);
  card.params = report->params;
  card.macs_720p = report->macs;
  if (options.timed_runs > 0) {
    const Status timed = time_model(card, options);
    if (!timed.ok()) card.timing_error = timed.message();
  }
  return card;
}

}  // namespace litesr
