// ELSR (seed 000, docs/architectures.md "elsr"):
//   f1 = conv1(x); r = conv3(PReLU(conv2(f1))) + f1; y = PixelShuffle(s)(conv4(r)).
//   conv1 [6,3,3,3]; conv2, conv3 [6,6,3,3]; prelu [6]; conv4 [3s²,6,3,3]. x4: 3,474 parameters.
// With config.expand = p > 0 each conv is trained over-parameterised (train/collapsible_conv.h: convN.expand,
// convN.project, convN.bias instead of convN.weight, convN.bias); collapse_elsr gives the plain network.
#pragma once

#include "train/collapsible_conv.h"
#include "train/sr_network.h"

namespace litesr::train {

class ElsrNetwork : public SrNetwork {
 public:
  explicit ElsrNetwork(const ElsrConfig& config);
  torch::Tensor forward(const torch::Tensor& x) override;
  const ModelConfig& config() const override { return model_config_; }

  CollapsibleConv conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr};
  torch::nn::PReLU prelu{nullptr};

 private:
  ModelConfig model_config_;
  int scale_;
};

// ELSR ×2 → ×4 last-layer transfer (paper Fig. 4, seeds_facts §1.4): a ×4 network whose conv1..conv3 and
// PReLU copy `x2`'s and whose conv4 output channel c·16 + i·4 + j copies x2 channel c·4 + (i/2)·2 + (j/2)
// (bias likewise), so its output is the nearest-neighbour ×2 upsampling of the ×2 output.
Result<std::shared_ptr<ElsrNetwork>> elsr_x2_to_x4(const ElsrNetwork& x2);

// The plain network (expand = 0) with each conv's collapsed kernel: the same function as `net` (to float
// rounding); what a model file holds.
Result<std::shared_ptr<ElsrNetwork>> collapse_elsr(const ElsrNetwork& net);

// The source channel of x4 output channel `k` (0 <= k < 48): c·4 + (i/2)·2 + (j/2) with k = c·16 + i·4 + j.
int elsr_x4_source_channel(int k);

}  // namespace litesr::train
