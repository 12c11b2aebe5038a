#include "profile/builtin_catalog.h"

#include "models/builtin_models.h"
#include "models/registry.h"
#include "profile/complexity.h"
#include "runtime/model_quantization.h"

namespace litesr {

Result<std::vector<BuiltinModelSummary>> builtin_model_catalog() {
  const std::string image_default = models::default_model_name();
  const std::string video_default = models::default_video_model_name();
  std::vector<BuiltinModelSummary> catalog;
  for (const std::string& name : models::builtin_model_names()) {
    LITESR_ASSIGN_OR_RETURN(const ModelFile model, models::load_builtin_model(name));
    Result<Graph> graph = models::build_graph(model);
    if (!graph.ok()) return graph.status().with_context(name);
    ComplexityOptions options;
    options.input_width = kCatalogOutputWidth / graph->scale;
    options.input_height = kCatalogOutputHeight / graph->scale;
    options.convention = CountingConvention::kMacs;
    Result<ComplexityReport> report = profile_complexity(*graph, model.tensors, options);
    if (!report.ok()) return report.status().with_context(name);
    BuiltinModelSummary s;
    s.name = name;
    s.arch = model.metadata.at(std::string(kMetaArch));
    s.scale = graph->scale;
    s.frames = graph->input_frames;
    s.params = report->params;
    s.macs_720p = report->macs;
    s.precision = is_quantized_model(model) ? "int8" : "fp32";
    s.color = std::string(frame_color(*graph));
    s.default_for_images = name == image_default;
    s.default_for_video = name == video_default;
    catalog.push_back(std::move(s));
  }
  return catalog;
}

}  // namespace litesr
