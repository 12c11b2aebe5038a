// Conv epilogue fusion: which steps of a Program fold into the epilogue of the conv before them
// (kernel_conv.h EPILOGUE ORDER: bias -> activation -> residual). Used by BandExecutor.
//
// Rules, over the steps in program order:
//   - activation (relu, leaky_relu, prelu, tanh) of a conv that has no other consumer and no fused
//     activation or residual yet: the conv applies it; the activation step is skipped.
//   - the same through a pixel_shuffle (conv -> pixel_shuffle -> activation, each read once; not prelu,
//     whose per-channel slopes the shuffle would regroup): the shuffle permutes values, so activating
//     before it is the same; the conv applies the activation and the activation step aliases the shuffle.
//   - add of two inputs where one side is a conv (possibly through its fused activation) read only by this
//     add, and the other side is computed before that conv: the conv adds the other side's rows as its
//     residual; the add step is skipped.
// A skipped step's values are its `alias`'s values (the conv's, or the shuffle's for the rule above). batch_norm is not fused (compile_program
// folds it into the conv where it can).
#pragma once

#include <vector>

#include "runtime/kernel_conv.h"
#include "runtime/program.h"

namespace litesr {

// How one step takes part in epilogue fusion.
struct FusedEpilogue {
  bool skip = false;  // fused into an earlier conv (its values are `alias`'s values)
  int alias = -1;     // step whose buffer holds this step's values (the step itself unless skipped)
  // convs: what the epilogue applies after the bias
  Activation activation = Activation::kNone;
  float slope = 0.0f;             // kLeakyRelu: negative slope
  const float* slopes = nullptr;  // kPrelu: [cout] per-channel slopes (the prelu step's weight)
  int residual = -1;              // step whose rows are added after the activation, or -1
};

// One entry per step of `program` (which must outlive the result: prelu slopes point into it).
std::vector<FusedEpilogue> plan_epilogue_fusion(const Program& program);

// The kernel epilogue of conv step `conv`: its bias and fused activation. The residual rows (fusion.residual
// >= 0) are the caller's to point at, since only the executor knows where that step's rows live.
inline Epilogue conv_epilogue(const Step& conv, const FusedEpilogue& fusion) {
  Epilogue ep;
  ep.bias = conv.bias.data();
  ep.activation = fusion.activation;
  ep.slope = fusion.slope;
  ep.slopes = fusion.slopes;
  return ep;
}

}  // namespace litesr
