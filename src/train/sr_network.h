// SrNetwork: the LibTorch module interface shared by every trainable architecture, and the factory.
// Internal to src/train (includes LibTorch); other modules use train/trainer.h.
//
// Parameter and buffer names are exactly the tensor names of docs/architectures.md, so the model file is
// one loop over named_parameters() + named_buffers() (num_batches_tracked excluded).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "base/status.h"
#include "train/model_config.h"

namespace litesr::train {

class SrNetwork : public torch::nn::Module {
 public:
  // x: [B, 3·frames, h, w] RGB in [0, 1] -> [B, 3·frames, s·h, s·w] (not clamped).
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  virtual const ModelConfig& config() const = 0;
};

using SrNetworkPtr = std::shared_ptr<SrNetwork>;

// Builds the module for `config` with PyTorch's default initialisation (uses torch's global generator).
Result<SrNetworkPtr> make_network(const ModelConfig& config);

// The tensors stored in a model file / checkpoint: named_parameters() then named_buffers(), without
// `num_batches_tracked`, in module registration order.
std::vector<std::pair<std::string, torch::Tensor>> network_state(const SrNetwork& net);

// Total trainable parameter elements.
int64_t parameter_count(const SrNetwork& net);

// Helper for the architecture files: a conv with "same" padding (k/2).
torch::nn::Conv2d same_conv(int64_t in, int64_t out, int64_t k, bool bias = true, int64_t groups = 1);

}  // namespace litesr::train
