#include "export/ort_runner.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "testing/test_env.h"

namespace litesr::testing {
namespace {

std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

std::string ort_unavailable_reason() {
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    return "node not found: skipping the ONNX Runtime check (scripts/install-deps.sh installs it)";
  }
  if (!std::filesystem::exists(source_dir() / "tools" / "node_modules" / "onnxruntime-node" / "package.json")) {
    return "onnxruntime-node not installed: skipping the ONNX Runtime check (cd tools && "
           "ONNXRUNTIME_NODE_INSTALL=skip npm ci, or scripts/install-deps.sh)";
  }
  return "";
}

Result<FeatureMap> run_onnx_runtime(const std::string& onnx, const FeatureMap& input,
                                    const std::filesystem::path& dir) {
  const auto model = dir / "model.onnx", in = dir / "input.f32", out = dir / "output.f32", log = dir / "ort.log";
  write_file_bytes(model, onnx);
  write_file_bytes(in, std::string(reinterpret_cast<const char*>(input.data.data()), input.data.size() * 4));
  const std::string cmd = "node " + quote(source_dir() / "tools" / "ort_run.js") + " " + quote(model) + " " +
                          quote(in) + " 1 " + std::to_string(input.channels) + " " + std::to_string(input.height) +
                          " " + std::to_string(input.width) + " " + quote(out) + " > " + quote(log) + " 2>&1";
  if (std::system(cmd.c_str()) != 0) return internal_error("ort_run.js failed: " + read_file_bytes(log));
  const auto info = nlohmann::json::parse(read_file_bytes(log), nullptr, false);
  if (info.is_discarded() || !info.contains("dims") || info["dims"].size() != 4) {
    return internal_error("ort_run.js: unexpected output: " + read_file_bytes(log));
  }
  const std::string bytes = read_file_bytes(out);
  FeatureMap result =
      FeatureMap::zeros(info["dims"][1].get<int>(), info["dims"][2].get<int>(), info["dims"][3].get<int>());
  if (info["dims"][0].get<int>() != 1 || bytes.size() != result.data.size() * 4) {
    return internal_error("ort_run.js: output size mismatch: " + info.dump());
  }
  std::memcpy(result.data.data(), bytes.data(), bytes.size());
  return result;
}

Result<std::vector<FeatureMap>> run_onnx_runtime(const std::string& onnx, const std::vector<FeatureMap>& inputs,
                                                 const std::filesystem::path& dir) {
  const auto model = dir / "model.onnx", log = dir / "ort.log";
  write_file_bytes(model, onnx);
  std::string cmd =
      "node " + quote(source_dir() / "tools" / "ort_run.js") + " --multi " + quote(model) + " " + quote(dir);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const FeatureMap& input = inputs[k];
    const auto in = dir / ("input" + std::to_string(k) + ".f32");
    write_file_bytes(in, std::string(reinterpret_cast<const char*>(input.data.data()), input.data.size() * 4));
    cmd += " " + quote(in) + " 1 " + std::to_string(input.channels) + " " + std::to_string(input.height) + " " +
           std::to_string(input.width);
  }
  cmd += " > " + quote(log) + " 2>&1";
  if (std::system(cmd.c_str()) != 0) return internal_error("ort_run.js failed: " + read_file_bytes(log));
  const auto info = nlohmann::json::parse(read_file_bytes(log), nullptr, false);
  if (info.is_discarded() || !info.contains("outputs")) {
    return internal_error("ort_run.js: unexpected output: " + read_file_bytes(log));
  }
  std::vector<FeatureMap> outputs;
  for (std::size_t k = 0; k < info["outputs"].size(); ++k) {
    const auto& dims = info["outputs"][k]["dims"];
    if (dims.size() != 4 || dims[0].get<int>() != 1) return internal_error("ort_run.js: output not [1, C, H, W]");
    FeatureMap result = FeatureMap::zeros(dims[1].get<int>(), dims[2].get<int>(), dims[3].get<int>());
    const std::string bytes = read_file_bytes(dir / ("output" + std::to_string(k) + ".f32"));
    if (bytes.size() != result.data.size() * 4) return internal_error("ort_run.js: output size mismatch");
    std::memcpy(result.data.data(), bytes.data(), bytes.size());
    outputs.push_back(std::move(result));
  }
  return outputs;
}

}  // namespace litesr::testing
