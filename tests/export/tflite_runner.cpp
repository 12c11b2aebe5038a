#include "export/tflite_runner.h"

#ifdef LITESR_HAVE_ARMNN
#include <armnn/ArmNN.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>
#endif

#include <exception>

namespace litesr::testing {

#ifndef LITESR_HAVE_ARMNN

std::string tflite_unavailable_reason() {
  return "Arm NN (libarmnntfliteparser-dev, libarmnn-cpuref-backend22) not found at configure time: skipping the "
         "TFLite runtime check (scripts/install-deps.sh installs it)";
}

Result<std::vector<FeatureMap>> run_tflite(const std::string&, const std::vector<FeatureMap>&) {
  return unsupported(tflite_unavailable_reason());
}

#else

std::string tflite_unavailable_reason() { return ""; }

Result<std::vector<FeatureMap>> run_tflite(const std::string& tflite, const std::vector<FeatureMap>& inputs) {
  try {
    armnn::ConfigureLogging(false, false, armnn::LogSeverity::Fatal);
    auto parser = armnnTfLiteParser::ITfLiteParser::Create();
    armnn::INetworkPtr network =
        parser->CreateNetworkFromBinary(std::vector<uint8_t>(tflite.begin(), tflite.end()));
    const std::vector<std::string> input_names = parser->GetSubgraphInputTensorNames(0);
    const std::vector<std::string> output_names = parser->GetSubgraphOutputTensorNames(0);
    if (input_names.size() != inputs.size()) {
      return invalid_argument("tflite model has " + std::to_string(input_names.size()) + " inputs, given " +
                              std::to_string(inputs.size()));
    }
    armnn::IRuntime::CreationOptions runtime_options;
    armnn::IRuntimePtr runtime = armnn::IRuntime::Create(runtime_options);
    std::vector<std::string> messages;
    armnn::IOptimizedNetworkPtr optimized =
        armnn::Optimize(*network, {armnn::Compute::CpuRef}, runtime->GetDeviceSpec(), armnn::OptimizerOptions(),
                        armnn::Optional<std::vector<std::string>&>(messages));
    if (!optimized) return unsupported("Arm NN could not optimize the network for CpuRef");
    armnn::NetworkId id = 0;
    std::string load_error;
    if (runtime->LoadNetwork(id, std::move(optimized), load_error) !=
        armnn::Status::Success) {
      return unsupported("Arm NN LoadNetwork: " + load_error);
    }

    std::vector<std::vector<float>> input_data(inputs.size());
    armnn::InputTensors input_tensors;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const armnn::BindingPointInfo info = parser->GetNetworkInputBindingInfo(0, input_names[k]);
      const FeatureMap& m = inputs[k];
      const armnn::TensorShape& shape = info.second.GetShape();
      if (shape.GetNumDimensions() != 4 || shape[0] != 1 || static_cast<int>(shape[1]) != m.height ||
          static_cast<int>(shape[2]) != m.width || static_cast<int>(shape[3]) != m.channels) {
        return invalid_argument("input " + input_names[k] + " shape does not match the given map");
      }
      std::vector<float>& nhwc = input_data[k];
      nhwc.resize(m.data.size());
      for (int c = 0; c < m.channels; ++c) {
        for (int y = 0; y < m.height; ++y) {
          for (int x = 0; x < m.width; ++x) nhwc[(static_cast<std::size_t>(y) * m.width + x) * m.channels + c] = m.at(c, y, x);
        }
      }
      input_tensors.emplace_back(info.first, armnn::ConstTensor(info.second, nhwc.data()));
    }
    std::vector<std::vector<float>> output_data(output_names.size());
    std::vector<armnn::TensorShape> output_shapes;
    armnn::OutputTensors output_tensors;
    for (std::size_t k = 0; k < output_names.size(); ++k) {
      const armnn::BindingPointInfo info = parser->GetNetworkOutputBindingInfo(0, output_names[k]);
      output_data[k].resize(info.second.GetNumElements());
      output_shapes.push_back(info.second.GetShape());
      output_tensors.emplace_back(info.first, armnn::Tensor(info.second, output_data[k].data()));
    }
    if (runtime->EnqueueWorkload(id, input_tensors, output_tensors) != armnn::Status::Success) {
      return internal_error("Arm NN EnqueueWorkload failed");
    }
    std::vector<FeatureMap> outputs;
    for (std::size_t k = 0; k < output_names.size(); ++k) {
      const armnn::TensorShape& s = output_shapes[k];
      if (s.GetNumDimensions() != 4 || s[0] != 1) return internal_error("output " + output_names[k] + " is not [1, H, W, C]");
      const int h = static_cast<int>(s[1]), w = static_cast<int>(s[2]), c = static_cast<int>(s[3]);
      FeatureMap m = FeatureMap::zeros(c, h, w);
      for (int ch = 0; ch < c; ++ch) {
        for (int y = 0; y < h; ++y) {
          for (int x = 0; x < w; ++x) m.at(ch, y, x) = output_data[k][(static_cast<std::size_t>(y) * w + x) * c + ch];
        }
      }
      outputs.push_back(std::move(m));
    }
    return outputs;
  } catch (const std::exception& e) {
    return unsupported(std::string("Arm NN: ") + e.what());
  }
}

#endif

}  // namespace litesr::testing
