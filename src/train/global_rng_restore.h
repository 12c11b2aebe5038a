// GlobalRngRestore: puts torch's global CPU generator back, when destroyed, to its state at construction. For code
// that builds a module only to overwrite its default initialisation (a collapsed, folded or derived copy), so
// that making the copy — at every checkpoint's export, say — leaves the run's random stream untouched.
#pragma once

#include <mutex>

#include <torch/torch.h>

namespace litesr::train {

class GlobalRngRestore {
 public:
  GlobalRngRestore() : generator_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~GlobalRngRestore() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }
  GlobalRngRestore(const GlobalRngRestore&) = delete;
  GlobalRngRestore& operator=(const GlobalRngRestore&) = delete;

 private:
  at::Generator generator_;
  torch::Tensor state_;
};

}  // namespace litesr::train
