#include "train/model_export.h"

#include "train/elsr_network.h"
#include "train/sam_sr_network.h"

namespace litesr::train {

Result<ModelFile> network_to_model_file(SrNetwork& net, const ExportInfo& info) {
  try {
    SrNetwork* source = &net;
    std::shared_ptr<SamSrNetwork> folded;
    if (auto* sam = dynamic_cast<SamSrNetwork*>(&net);
        sam != nullptr && info.fold_batch_norm && std::get<SamSrConfig>(sam->config()).bn) {
      LITESR_ASSIGN_OR_RETURN(folded, fold_sam_sr_batch_norm(*sam));
      source = folded.get();
    }
    std::shared_ptr<ElsrNetwork> collapsed;
    if (auto* elsr = dynamic_cast<ElsrNetwork*>(&net); elsr != nullptr && std::get<ElsrConfig>(elsr->config()).expand > 0) {
      LITESR_ASSIGN_OR_RETURN(collapsed, collapse_elsr(*elsr));
      source = collapsed.get();
    }
    ModelFile file;
    const ModelConfig& config = source->config();
    file.metadata[std::string(kMetaArch)] = std::string(arch_name(config));
    file.metadata[std::string(kMetaScale)] = std::to_string(config_scale(config));
    file.metadata[std::string(kMetaConfig)] = model_config_json(config);
    file.metadata[std::string(kMetaColor)] = "rgb";
    file.metadata[std::string(kMetaRange)] = "0..1";
    file.metadata[std::string(kMetaFrames)] = std::to_string(config_frames(config));
    file.metadata[std::string(kMetaFormatVersion)] = "1";
    if (!info.recipe.empty()) file.metadata["litesr.recipe"] = info.recipe;
    if (!info.trained_on.empty()) file.metadata["litesr.trained_on"] = info.trained_on;
    if (!info.description.empty()) file.metadata["litesr.description"] = info.description;
    for (const auto& [name, t] : network_state(*source)) {
      const torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
      Tensor out;
      out.shape.assign(c.sizes().begin(), c.sizes().end());
      out.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
      file.tensors[name] = std::move(out);
    }
    return file;
  } catch (const c10::Error& e) {
    return internal_error(std::string("export: ") + e.what_without_backtrace());
  }
}

Status export_network(const std::filesystem::path& path, SrNetwork& net, const ExportInfo& info) {
  LITESR_ASSIGN_OR_RETURN(ModelFile file, network_to_model_file(net, info));
  return write_model_file(path, file);
}

Status load_network_tensors(SrNetwork& net, const ModelFile& file) {
  try {
    torch::NoGradGuard no_grad;
    for (auto& [name, t] : network_state(net)) {
      auto it = file.tensors.find(name);
      if (it == file.tensors.end()) return invalid_argument("model file lacks tensor '" + name + "'");
      const std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
      if (it->second.shape != shape) return invalid_argument("tensor '" + name + "' has the wrong shape");
      t.copy_(torch::from_blob(const_cast<float*>(it->second.data.data()), shape, torch::kFloat));
    }
    return {};
  } catch (const c10::Error& e) {
    return internal_error(std::string("load tensors: ") + e.what_without_backtrace());
  }
}

}  // namespace litesr::train
