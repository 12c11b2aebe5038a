#include "report/report_job.h"

#include <map>
#include <utility>

#include "models/builtin_models.h"

namespace litesr {

Result<int> common_model_scale(const std::vector<std::string>& methods, int fallback) {
  int scale = 0;
  std::string first;
  for (const std::string& m : methods) {
    if (m == "bicubic") continue;
    LITESR_ASSIGN_OR_RETURN(ModelFile file, models::resolve_model(m));
    LITESR_ASSIGN_OR_RETURN(int s, models::model_scale(file));
    if (scale != 0 && s != scale) {
      return invalid_argument(first + " upscales x" + std::to_string(scale) + " but " + m + " upscales x" +
                              std::to_string(s) + ": compare models of one scale");
    }
    if (scale == 0) first = m;
    scale = s;
  }
  return scale == 0 ? fallback : scale;
}

ComparisonInput comparison_input_from_dataset(SrDataset dataset, BorderMode lr_border) {
  ComparisonInput in;
  in.name = dataset.name;
  in.scale = dataset.scale;
  in.has_hr = true;
  in.lr_generated = dataset.lr_generated;
  in.lr_border = lr_border;
  in.dataset = std::move(dataset);
  return in;
}

Result<ComparisonReport> run_report_job(const ReportJob& job) {
  if (job.methods.empty()) return invalid_argument("no methods to compare");
  ComparisonReport report;
  report.title = job.title;
  report.command = job.command;
  report.version = job.version;
  report.generated = job.generated;
  report.notes = job.notes;
  report.methods = job.methods;
  for (std::size_t m = 0; m < job.methods.size(); ++m) {
    if (job.methods[m] == "bicubic") report.reference = static_cast<int>(m);
  }

  // Every (method, scale) upscaler first, so an unknown model or a wrong scale fails before any work.
  std::map<int, std::vector<ComparedMethod>> by_scale;
  for (const ComparisonInput& in : job.inputs) {
    if (by_scale.count(in.scale) > 0) continue;
    std::vector<ComparedMethod> methods;
    for (const std::string& name : job.methods) {
      Result<ImageUpscaler> up =
          job.make_upscaler ? job.make_upscaler(name, in.scale) : make_method_upscaler(name, in.scale, job.threads);
      if (!up.ok()) return up.status();
      methods.push_back({name, std::move(up).value()});
    }
    by_scale.emplace(in.scale, std::move(methods));
  }

  // Regions (report/difference_regions.h): where the models differ from each other (bicubic joins when there is
  // a single model) and where the models, not the baseline, are furthest from the HR.
  ComparisonOptions base = job.options;
  if (base.disagreement.empty() && base.error.empty()) {
    std::vector<int> models;
    for (std::size_t m = 0; m < job.methods.size(); ++m) {
      if (static_cast<int>(m) != report.reference) models.push_back(static_cast<int>(m));
    }
    std::vector<int> all;
    for (std::size_t m = 0; m < job.methods.size(); ++m) all.push_back(static_cast<int>(m));
    base.disagreement = models.size() >= 2 ? models : all;
    base.error = models.empty() ? all : models;
  }
  for (const ComparisonInput& in : job.inputs) {
    ComparisonOptions options = base;
    if (!job.save_root.empty()) {
      options.save_dir = job.save_root / in.name / ("x" + std::to_string(in.scale));
      options.save_method = job.save_method;
    }
    LITESR_ASSIGN_OR_RETURN(ComparedSet set, run_comparison(in, by_scale.at(in.scale), options));
    report.sets.push_back(std::move(set));
  }

  for (const auto& [scale, methods] : by_scale) {
    for (const ComparedMethod& m : methods) {
      if (job.options.cancel != nullptr && job.options.cancel->cancelled()) return cancelled("report interrupted");
      ModelCardOptions co = job.timing;
      co.scale = scale;
      LITESR_ASSIGN_OR_RETURN(ModelCard card, describe_model(m.name, co));
      report.models.push_back(std::move(card));
    }
  }
  return report;
}

}  // namespace litesr
