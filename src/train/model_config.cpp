#include "train/model_config.h"

#include <set>

#include <nlohmann/json.hpp>

namespace litesr::train {
namespace {

using Json = nlohmann::json;

// Reads key `key` of `j` into `out` when present; checks the JSON type and records the key as known.
class Reader {
 public:
  explicit Reader(const Json& j) : j_(j) {}

  Status get_int(const char* key, int& out, int lo, int hi) {
    known_.insert(key);
    if (!j_.contains(key)) return {};
    const Json& v = j_.at(key);
    if (!v.is_number_integer()) return invalid_argument(std::string("config key '") + key + "' must be an integer");
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) {
      return invalid_argument(std::string("config key '") + key + "' = " + std::to_string(x) + " is outside [" +
                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    out = static_cast<int>(x);
    return {};
  }
  Status get_bool(const char* key, bool& out) {
    known_.insert(key);
    if (!j_.contains(key)) return {};
    if (!j_.at(key).is_boolean()) return invalid_argument(std::string("config key '") + key + "' must be true or false");
    out = j_.at(key).get<bool>();
    return {};
  }
  Status get_double(const char* key, double& out) {
    known_.insert(key);
    if (!j_.contains(key)) return {};
    if (!j_.at(key).is_number()) return invalid_argument(std::string("config key '") + key + "' must be a number");
    out = j_.at(key).get<double>();
    return {};
  }
  Status get_string(const char* key, std::string& out) {
    known_.insert(key);
    if (!j_.contains(key)) return {};
    if (!j_.at(key).is_string()) return invalid_argument(std::string("config key '") + key + "' must be a string");
    out = j_.at(key).get<std::string>();
    return {};
  }
  Status check_unknown(std::string_view arch) const {
    for (const auto& [k, v] : j_.items()) {
      if (!known_.count(k)) return invalid_argument("unknown config key '" + k + "' for architecture " + std::string(arch));
    }
    return {};
  }

 private:
  const Json& j_;
  std::set<std::string> known_;
};

Result<ModelConfig> parse_elsr(Reader& r) {
  ElsrConfig c;
  LITESR_RETURN_IF_ERROR(r.get_int("scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(r.get_int("channels", c.channels, 1, 256));
  LITESR_RETURN_IF_ERROR(r.get_int("expand", c.expand, 0, 1024));
  return ModelConfig{c};
}

Result<ModelConfig> parse_evsrnet(Reader& r) {
  EvsrnetConfig c;
  std::string mode = "recurrent";
  LITESR_RETURN_IF_ERROR(r.get_int("scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(r.get_int("nc", c.nc, 1, 256));
  LITESR_RETURN_IF_ERROR(r.get_int("nb", c.nb, 0, 64));
  LITESR_RETURN_IF_ERROR(r.get_int("frames", c.frames, 1, 64));
  LITESR_RETURN_IF_ERROR(r.get_string("mode", mode));
  if (mode == "recurrent") {
    c.mode = EvsrnetMode::kRecurrent;
  } else if (mode == "frame_parallel") {
    c.mode = EvsrnetMode::kFrameParallel;
  } else {
    return invalid_argument("config key 'mode' must be \"recurrent\" or \"frame_parallel\", got \"" + mode + "\"");
  }
  return ModelConfig{c};
}

Result<ModelConfig> parse_sam_sr(Reader& r) {
  SamSrConfig c;
  std::string gate = "hard_sigmoid";
  LITESR_RETURN_IF_ERROR(r.get_int("scale", c.scale, 4, 4));
  LITESR_RETURN_IF_ERROR(r.get_int("nf", c.nf, 2, 1024));
  LITESR_RETURN_IF_ERROR(r.get_int("n", c.n, 0, 256));
  LITESR_RETURN_IF_ERROR(r.get_bool("se", c.se));
  LITESR_RETURN_IF_ERROR(r.get_bool("bn", c.bn));
  LITESR_RETURN_IF_ERROR(r.get_double("bicubic_a", c.bicubic_a));
  LITESR_RETURN_IF_ERROR(r.get_string("se_gate", gate));
  LITESR_RETURN_IF_ERROR(r.get_string("upsampler", c.upsampler));
  if (c.nf % 2 != 0) return invalid_argument("config key 'nf' must be even (the upsampler uses nf/2 channels)");
  if (c.bicubic_a != -0.5 && c.bicubic_a != -0.75) {
    return invalid_argument("config key 'bicubic_a' must be -0.5 (MATLAB) or -0.75 (PyTorch)");
  }
  if (gate == "hard_sigmoid") {
    c.se_gate = SeGate::kHardSigmoid;
  } else if (gate == "sigmoid") {
    c.se_gate = SeGate::kSigmoid;
  } else {
    return invalid_argument("config key 'se_gate' must be \"hard_sigmoid\" or \"sigmoid\", got \"" + gate + "\"");
  }
  if (c.upsampler != "candidate_a") {
    return invalid_argument("config key 'upsampler' must be \"candidate_a\", got \"" + c.upsampler + "\"");
  }
  return ModelConfig{c};
}

Result<ModelConfig> parse_espcn(Reader& r) {
  EspcnConfig c;
  LITESR_RETURN_IF_ERROR(r.get_int("scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(r.get_int("channels", c.channels, 1, 3));
  if (c.channels != 3) return unsupported("espcn: only channels = 3 (RGB) is trainable");
  return ModelConfig{c};
}

Result<ModelConfig> parse_fsrcnn(Reader& r) {
  FsrcnnConfig c;
  LITESR_RETURN_IF_ERROR(r.get_int("scale", c.scale, 2, 4));
  LITESR_RETURN_IF_ERROR(r.get_int("d", c.d, 1, 1024));
  LITESR_RETURN_IF_ERROR(r.get_int("s", c.s, 1, 1024));
  LITESR_RETURN_IF_ERROR(r.get_int("m", c.m, 0, 64));
  LITESR_RETURN_IF_ERROR(r.get_int("channels", c.channels, 1, 3));
  if (c.channels != 3) return unsupported("fsrcnn: only channels = 3 (RGB) is trainable");
  return ModelConfig{c};
}

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

std::string_view arch_name(const ModelConfig& config) {
  return std::visit(Overloaded{[](const ElsrConfig&) { return std::string_view("elsr"); },
                               [](const EvsrnetConfig&) { return std::string_view("evsrnet"); },
                               [](const SamSrConfig&) { return std::string_view("sam_sr"); },
                               [](const EspcnConfig&) { return std::string_view("espcn"); },
                               [](const FsrcnnConfig&) { return std::string_view("fsrcnn"); }},
                    config);
}

int config_scale(const ModelConfig& config) {
  return std::visit([](const auto& c) { return c.scale; }, config);
}

ModelConfig with_scale(const ModelConfig& config, int scale) {
  return std::visit(
      [scale](auto c) -> ModelConfig {
        c.scale = scale;
        return c;
      },
      config);
}

int config_frames(const ModelConfig& config) {
  if (const auto* e = std::get_if<EvsrnetConfig>(&config)) return e->frames;
  return 1;
}

Result<ModelConfig> parse_model_config(std::string_view arch, std::string_view json_text) {
  Json j;
  try {
    j = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    return invalid_argument(std::string("model config is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return invalid_argument("model config must be a JSON object");
  Reader r(j);
  Result<ModelConfig> result = invalid_argument("unknown architecture '" + std::string(arch) +
                                                "' (known: elsr, evsrnet, sam_sr, espcn, fsrcnn)");
  if (arch == "elsr") {
    result = parse_elsr(r);
  } else if (arch == "evsrnet") {
    result = parse_evsrnet(r);
  } else if (arch == "sam_sr") {
    result = parse_sam_sr(r);
  } else if (arch == "espcn") {
    result = parse_espcn(r);
  } else if (arch == "fsrcnn") {
    result = parse_fsrcnn(r);
  } else {
    return result;
  }
  if (!result.ok()) return result.status().with_context(std::string(arch));
  LITESR_RETURN_IF_ERROR(r.check_unknown(arch));
  return result;
}

std::string model_config_json(const ModelConfig& config) {
  Json j = std::visit(
      Overloaded{[](const ElsrConfig& c) {
                   Json j{{"scale", c.scale}, {"channels", c.channels}};
                   if (c.expand > 0) j["expand"] = c.expand;  // training only: the runtime never sees it
                   return j;
                 },
                 [](const EvsrnetConfig& c) {
                   return Json{{"scale", c.scale}, {"nc", c.nc}, {"nb", c.nb}, {"frames", c.frames},
                               {"mode", c.mode == EvsrnetMode::kRecurrent ? "recurrent" : "frame_parallel"}};
                 },
                 [](const SamSrConfig& c) {
                   return Json{{"scale", c.scale},
                               {"nf", c.nf},
                               {"n", c.n},
                               {"se", c.se},
                               {"bn", c.bn},
                               {"bicubic_a", c.bicubic_a},
                               {"se_gate", c.se_gate == SeGate::kHardSigmoid ? "hard_sigmoid" : "sigmoid"},
                               {"upsampler", c.upsampler}};
                 },
                 [](const EspcnConfig& c) { return Json{{"scale", c.scale}, {"channels", c.channels}}; },
                 [](const FsrcnnConfig& c) {
                   return Json{{"scale", c.scale}, {"d", c.d}, {"s", c.s}, {"m", c.m}, {"channels", c.channels}};
                 }},
      config);
  return j.dump();
}

}  // namespace litesr::train
