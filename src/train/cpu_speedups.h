// The LibTorch CPU speed-ups `litesr train` offers (--bf16, --channels-last; measured in docs/training.md by
// bench/train_step_speed.cpp, which uses these same pieces).
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "train/sr_network.h"

namespace litesr::train {

// CPU autocast to bfloat16 for the scope's lifetime (nothing when disabled).
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_;
};

// 4-D parameters (conv weights) to NHWC; a no-op for those already there.
inline void to_channels_last(SrNetwork& net) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : net.parameters()) {
    if (p.dim() == 4 && !p.is_contiguous(torch::MemoryFormat::ChannelsLast)) {
      p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
}

}  // namespace litesr::train
