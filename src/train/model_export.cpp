#include "train/model_export.h"

#include "train/elsr_network.h"
#include "train/qat_network.h"
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
    LITESR_ASSIGN_OR_RETURN(const Graph graph, config_graph(config));
    file.metadata[std::string(kMetaColor)] = std::string(frame_color(graph));
    file.metadata[std::string(kMetaRange)] = "0..1";
    file.metadata[std::string(kMetaFrames)] = std::to_string(config_frames(config));
    file.metadata[std::string(kMetaFormatVersion)] = "1";
    if (!info.recipe.empty()) file.metadata["litesr.recipe"] = info.recipe;
    if (!info.trained_on.empty()) file.metadata["litesr.trained_on"] = info.trained_on;
    if (!info.description.empty()) file.metadata["litesr.description"] = info.description;
    const auto* qat = dynamic_cast<const QatNetwork*>(source);
    if (qat != nullptr) file.metadata[std::string(kMetaQuantization)] = model_quantization_json(qat->quantization());
    for (const auto& [name, t] : network_state(*source)) {
      if (qat != nullptr && QatNetwork::is_range_parameter(name)) continue;  // in the quantization above
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

Result<ModelFile> read_init_model_file(const std::filesystem::path& path, const ModelConfig& expected) {
  Result<ModelFile> read = read_model_file(path);
  if (!read.ok()) return read.status().with_context("init");
  ModelFile file = std::move(*read);
  const std::string name = "init " + path.string();
  const auto arch = file.metadata.find(std::string(kMetaArch));
  const auto config = file.metadata.find(std::string(kMetaConfig));
  if (arch == file.metadata.end() || config == file.metadata.end()) {
    return invalid_argument(name + ": not a LiteSR model file (no litesr.arch / litesr.config metadata)");
  }
  const std::string want_arch(arch_name(expected));
  if (arch->second != want_arch) {
    return invalid_argument(name + ": holds a " + arch->second + " model; the recipe trains " + want_arch);
  }
  Result<ModelConfig> stored = parse_model_config(arch->second, config->second);
  if (!stored.ok()) return stored.status().with_context(name);
  const std::string have = model_config_json(*stored), want = model_config_json(expected);
  if (have != want) {
    std::string hint;
    if (const auto* elsr = std::get_if<ElsrConfig>(&expected); elsr != nullptr && elsr->expand > 0) {
      hint = " (model files hold ELSR collapsed: set [model] expand = 0 to fine-tune one)";
    } else if (const auto* sam = std::get_if<SamSrConfig>(&expected); sam != nullptr && sam->bn) {
      hint = " (model files hold SAM-SR with batch norm folded: set [model] bn = false to fine-tune one)";
    }
    return invalid_argument(name + ": config " + have + " differs from the first stage's network " + want + hint);
  }
  return file;
}

}  // namespace litesr::train
