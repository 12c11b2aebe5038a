// Reference executor: plain, obviously-correct loops over whole NCHW feature maps for every op — the
// oracle every optimized path is tested against — plus LayerExecutor, which runs a Program layer by layer
// with every feature map preallocated (the Session's fallback for graphs the band executor cannot fuse).
//
// Conv accumulation order (per output value): bias, then input channel, kernel row, kernel column.
// squeeze_excite: mean over H·W accumulated in double. Bicubic: vertical pass, then horizontal (MATLAB's
// order for equal scales), taps in BicubicTable order.
#pragma once

#include <span>
#include <vector>

#include "base/status.h"
#include "base/image.h"
#include "runtime/bicubic_table.h"
#include "runtime/feature_map.h"
#include "runtime/program.h"

namespace litesr {

// Preallocated state for running one Program at one input size.
class LayerExecutor {
 public:
  // Allocates one FeatureMap per step (inputs included) and the bicubic tables for width x height inputs.
  Status prepare(const Program& program, int width, int height);
  // Fill these (already sized: channels x height x width) before run().
  FeatureMap& input(int i) { return maps_[program_->inputs[i]]; }
  // Runs every step in order; no allocation.
  void run();
  const FeatureMap& output(int i) const { return maps_[program_->outputs[i]]; }
  // Every step's output after run() (calibration reads the activations of every step: quant/calibrate.h).
  const FeatureMap& step_output(int step) const { return maps_[step]; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  const Program* program_ = nullptr;
  int width_ = 0, height_ = 0;
  std::vector<FeatureMap> maps_;
  std::vector<BicubicTable> vertical_, horizontal_;  // per step (empty unless bicubic_upsample)
  std::vector<float> scratch_;                       // bicubic intermediate, SE vectors
};

// Runs one step over whole maps. `ins` are the step's inputs; `out` is sized. bicubic needs tables
// (vertical for the input height, horizontal for its width) and scratch >= C · out_h · in_w floats;
// squeeze_excite needs scratch >= C + hidden floats.
void run_step_reference(const Step& step, std::span<const FeatureMap* const> ins, FeatureMap& out,
                        const BicubicTable* vertical, const BicubicTable* horizontal, std::span<float> scratch);

// The oracle: compiles `graph` without batch-norm folding and runs it on `inputs` (one per graph input,
// channels x H x W, all inputs the same H x W). Returns one FeatureMap per graph output.
Result<std::vector<FeatureMap>> run_reference(const Graph& graph, const TensorMap& tensors,
                                              const std::vector<FeatureMap>& inputs);

}  // namespace litesr
