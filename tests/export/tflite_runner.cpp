#include "export/tflite_runner.h"

#ifdef LITESR_HAVE_ARMNN
#include <armnn/ArmNN.hpp>
#include <armnn/LayerVisitorBase.hpp>
#include <armnn/TypesUtils.hpp>
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

Result<QuantizedMap> run_tflite_int8(const std::string&, const QuantizedMap&) {
  return unsupported(tflite_unavailable_reason());
}

Result<std::vector<QuantizedMap>> run_tflite_int8(const std::string&, const std::vector<QuantizedMap>&) {
  return unsupported(tflite_unavailable_reason());
}

Result<std::vector<ArmnnLayer>> armnn_parse_layers(const std::string&) {
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

namespace {

// A parsed network loaded on CpuRef.
struct LoadedNetwork {
  armnnTfLiteParser::ITfLiteParserPtr parser{nullptr, nullptr};
  armnn::IRuntimePtr runtime{nullptr, nullptr};
  armnn::NetworkId id = 0;
};

Result<LoadedNetwork> load_on_cpuref(const std::string& tflite) {
  armnn::ConfigureLogging(false, false, armnn::LogSeverity::Fatal);
  LoadedNetwork n;
  n.parser = armnnTfLiteParser::ITfLiteParser::Create();
  armnn::INetworkPtr network = n.parser->CreateNetworkFromBinary(std::vector<uint8_t>(tflite.begin(), tflite.end()));
  n.runtime = armnn::IRuntime::Create(armnn::IRuntime::CreationOptions());
  std::vector<std::string> messages;
  armnn::IOptimizedNetworkPtr optimized =
      armnn::Optimize(*network, {armnn::Compute::CpuRef}, n.runtime->GetDeviceSpec(), armnn::OptimizerOptions(),
                      armnn::Optional<std::vector<std::string>&>(messages));
  if (!optimized) {
    std::string why;
    for (const std::string& m : messages) why += (why.empty() ? "" : "; ") + m;
    return unsupported("Arm NN could not optimize the network for CpuRef: " + why);
  }
  std::string load_error;
  if (n.runtime->LoadNetwork(n.id, std::move(optimized), load_error) != armnn::Status::Success) {
    return unsupported("Arm NN LoadNetwork: " + load_error);
  }
  return n;
}

ArmnnTensor tensor_of(const armnn::TensorInfo& info) {
  ArmnnTensor t;
  t.data_type = armnn::GetDataTypeName(info.GetDataType());
  for (unsigned d = 0; d < info.GetNumDimensions(); ++d) t.shape.push_back(info.GetShape()[d]);
  if (info.HasPerAxisQuantization()) {
    t.scales = info.GetQuantizationScales();
    if (info.GetQuantizationDim().has_value()) t.quantization_dim = info.GetQuantizationDim().value();
  } else {
    t.scales = {info.GetQuantizationScale()};
    t.offset = info.GetQuantizationOffset();
  }
  return t;
}

class LayerLister : public armnn::LayerVisitorBase<armnn::VisitorNoThrowPolicy> {
 public:
  std::vector<ArmnnLayer> layers;

  void VisitInputLayer(const armnn::IConnectableLayer* l, armnn::LayerBindingId, const char*) override {
    add("input", l);
  }
  void VisitOutputLayer(const armnn::IConnectableLayer* l, armnn::LayerBindingId, const char*) override {
    add("output", l);
  }
  void VisitConvolution2dLayer(const armnn::IConnectableLayer* l, const armnn::Convolution2dDescriptor&,
                               const armnn::ConstTensor& weights, const armnn::Optional<armnn::ConstTensor>& biases,
                               const char*) override {
    add_conv("convolution2d", l, weights, biases);
  }
  void VisitDepthwiseConvolution2dLayer(const armnn::IConnectableLayer* l,
                                        const armnn::DepthwiseConvolution2dDescriptor&,
                                        const armnn::ConstTensor& weights,
                                        const armnn::Optional<armnn::ConstTensor>& biases, const char*) override {
    add_conv("depthwise_convolution2d", l, weights, biases);
  }
  void VisitActivationLayer(const armnn::IConnectableLayer* l, const armnn::ActivationDescriptor&,
                            const char*) override {
    add("activation", l);
  }
  void VisitAdditionLayer(const armnn::IConnectableLayer* l, const char*) override { add("addition", l); }
  void VisitConcatLayer(const armnn::IConnectableLayer* l, const armnn::ConcatDescriptor&, const char*) override {
    add("concat", l);
  }
  void VisitQuantizeLayer(const armnn::IConnectableLayer* l, const char*) override { add("quantize", l); }
  void VisitMeanLayer(const armnn::IConnectableLayer* l, const armnn::MeanDescriptor&, const char*) override {
    add("mean", l);
  }
  void VisitMultiplicationLayer(const armnn::IConnectableLayer* l, const char*) override { add("multiplication", l); }
  void VisitReshapeLayer(const armnn::IConnectableLayer* l, const armnn::ReshapeDescriptor&, const char*) override {
    add("reshape", l);
  }
  void VisitTransposeLayer(const armnn::IConnectableLayer* l, const armnn::TransposeDescriptor&,
                           const char*) override {
    add("transpose", l);
  }
  void VisitSliceLayer(const armnn::IConnectableLayer* l, const armnn::SliceDescriptor&, const char*) override {
    add("slice", l);
  }
  void VisitStandInLayer(const armnn::IConnectableLayer* l, const armnn::StandInDescriptor&, const char*) override {
    add("stand_in", l);
  }

 private:
  ArmnnLayer& add(const char* kind, const armnn::IConnectableLayer* l) {
    ArmnnLayer layer;
    layer.kind = kind;
    layer.name = l->GetName() ? l->GetName() : "";
    for (unsigned i = 0; i < l->GetNumOutputSlots(); ++i) {
      if (l->GetOutputSlot(i).IsTensorInfoSet()) layer.outputs.push_back(tensor_of(l->GetOutputSlot(i).GetTensorInfo()));
    }
    layers.push_back(std::move(layer));
    return layers.back();
  }
  void add_conv(const char* kind, const armnn::IConnectableLayer* l, const armnn::ConstTensor& weights,
                const armnn::Optional<armnn::ConstTensor>& biases) {
    ArmnnLayer& layer = add(kind, l);
    layer.weights = tensor_of(weights.GetInfo());
    if (biases.has_value()) layer.biases = tensor_of(biases.value().GetInfo());
  }
};

}  // namespace

Result<std::vector<QuantizedMap>> run_tflite_int8(const std::string& tflite, const std::vector<QuantizedMap>& inputs) {
  try {
    LITESR_ASSIGN_OR_RETURN(LoadedNetwork n, load_on_cpuref(tflite));
    const std::vector<std::string> input_names = n.parser->GetSubgraphInputTensorNames(0);
    const std::vector<std::string> output_names = n.parser->GetSubgraphOutputTensorNames(0);
    if (input_names.size() != inputs.size()) {
      return invalid_argument("the file has " + std::to_string(input_names.size()) + " inputs, given " +
                              std::to_string(inputs.size()));
    }
    std::vector<std::vector<int8_t>> in_nhwc(inputs.size());
    armnn::InputTensors in_tensors;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const QuantizedMap& input = inputs[k];
      const armnn::BindingPointInfo in_info = n.parser->GetNetworkInputBindingInfo(0, input_names[k]);
      const armnn::TensorShape& shape = in_info.second.GetShape();
      if (in_info.second.GetDataType() != armnn::DataType::QAsymmS8 || shape.GetNumDimensions() != 4 || shape[0] != 1 ||
          static_cast<int>(shape[1]) != input.height || static_cast<int>(shape[2]) != input.width ||
          static_cast<int>(shape[3]) != input.channels) {
        return invalid_argument("input " + input_names[k] +
                                " is not an int8 [1, H, W, C] tensor of the given map's size");
      }
      in_nhwc[k].resize(input.size());
      for (int c = 0; c < input.channels; ++c) {
        for (int y = 0; y < input.height; ++y) {
          for (int x = 0; x < input.width; ++x) {
            in_nhwc[k][(static_cast<std::size_t>(y) * input.width + x) * input.channels + c] = input.at(c, y, x);
          }
        }
      }
      in_tensors.push_back({in_info.first, armnn::ConstTensor(in_info.second, in_nhwc[k].data())});
    }
    std::vector<std::vector<int8_t>> out_nhwc(output_names.size());
    std::vector<armnn::TensorInfo> out_infos;
    armnn::OutputTensors out_tensors;
    for (std::size_t k = 0; k < output_names.size(); ++k) {
      const armnn::BindingPointInfo out_info = n.parser->GetNetworkOutputBindingInfo(0, output_names[k]);
      const armnn::TensorShape& os = out_info.second.GetShape();
      if (out_info.second.GetDataType() != armnn::DataType::QAsymmS8 || os.GetNumDimensions() != 4 || os[0] != 1) {
        return invalid_argument("output " + output_names[k] + " is not an int8 [1, H, W, C] tensor");
      }
      out_nhwc[k].resize(out_info.second.GetNumElements());
      out_infos.push_back(out_info.second);
      out_tensors.push_back({out_info.first, armnn::Tensor(out_info.second, out_nhwc[k].data())});
    }
    if (n.runtime->EnqueueWorkload(n.id, in_tensors, out_tensors) != armnn::Status::Success) {
      return internal_error("Arm NN EnqueueWorkload failed");
    }
    std::vector<QuantizedMap> outputs;
    for (std::size_t k = 0; k < out_infos.size(); ++k) {
      const armnn::TensorShape& os = out_infos[k].GetShape();
      const int h = static_cast<int>(os[1]), w = static_cast<int>(os[2]), c = static_cast<int>(os[3]);
      QuantizedMap out =
          QuantizedMap::zeros(c, h, w, {out_infos[k].GetQuantizationScale(), out_infos[k].GetQuantizationOffset()});
      for (int ch = 0; ch < c; ++ch) {
        for (int y = 0; y < h; ++y) {
          for (int x = 0; x < w; ++x) out.at(ch, y, x) = out_nhwc[k][(static_cast<std::size_t>(y) * w + x) * c + ch];
        }
      }
      outputs.push_back(std::move(out));
    }
    return outputs;
  } catch (const std::exception& e) {
    return unsupported(std::string("Arm NN: ") + e.what());
  }
}

Result<QuantizedMap> run_tflite_int8(const std::string& tflite, const QuantizedMap& input) {
  LITESR_ASSIGN_OR_RETURN(std::vector<QuantizedMap> outputs, run_tflite_int8(tflite, std::vector{input}));
  if (outputs.size() != 1) return invalid_argument("run_tflite_int8 takes files with one output here");
  return std::move(outputs[0]);
}

Result<std::vector<ArmnnLayer>> armnn_parse_layers(const std::string& tflite) {
  try {
    armnn::ConfigureLogging(false, false, armnn::LogSeverity::Fatal);
    armnnTfLiteParser::ITfLiteParser::TfLiteParserOptions options;
    options.m_StandInLayerForUnsupported = true;
    auto parser = armnnTfLiteParser::ITfLiteParser::Create(armnn::Optional<decltype(options)>(options));
    armnn::INetworkPtr network = parser->CreateNetworkFromBinary(std::vector<uint8_t>(tflite.begin(), tflite.end()));
    LayerLister lister;
    network->Accept(lister);
    return lister.layers;
  } catch (const std::exception& e) {
    return unsupported(std::string("Arm NN: ") + e.what());
  }
}

#endif

}  // namespace litesr::testing
