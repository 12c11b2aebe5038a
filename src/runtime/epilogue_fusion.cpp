#include "runtime/epilogue_fusion.h"

namespace litesr {
namespace {

bool is_activation(OpKind op) {
  return op == OpKind::kRelu || op == OpKind::kLeakyRelu || op == OpKind::kPrelu || op == OpKind::kTanh;
}

}  // namespace

std::vector<FusedEpilogue> plan_epilogue_fusion(const Program& p) {
  const int n = static_cast<int>(p.steps.size());
  std::vector<FusedEpilogue> plans(n);
  for (int k = 0; k < n; ++k) plans[k].alias = k;
  auto root = [&](int k) { return plans[k].alias; };
  for (int k = 0; k < n; ++k) {
    const Step& s = p.steps[k];
    if (is_activation(s.node.op)) {  // conv [-> pixel_shuffle] -> activation (no other consumers)
      int c = s.node.inputs[0];
      int shuffle = -1;
      // An activation with one slope for all channels commutes with the pixel shuffle (a permutation of
      // values): the conv before the shuffle applies it, and the shuffle then holds the activated values.
      if (p.steps[c].node.op == OpKind::kPixelShuffle && s.node.op != OpKind::kPrelu && p.consumers[c] == 1 &&
          root(c) == c) {
        shuffle = c;
        c = p.steps[c].node.inputs[0];
      }
      if (p.steps[c].node.op == OpKind::kConv2d && root(c) == c && p.consumers[c] == 1 &&
          plans[c].activation == Activation::kNone && plans[c].residual < 0) {
        FusedEpilogue& cp = plans[c];
        switch (s.node.op) {
          case OpKind::kRelu: cp.activation = Activation::kRelu; break;
          case OpKind::kLeakyRelu: cp.activation = Activation::kLeakyRelu; cp.slope = s.node.alpha; break;
          case OpKind::kPrelu: cp.activation = Activation::kPrelu; cp.slopes = s.weight.data(); break;
          default: cp.activation = Activation::kTanh; break;
        }
        plans[k].skip = true;
        plans[k].alias = shuffle >= 0 ? shuffle : c;
      }
    } else if (s.node.op == OpKind::kAdd && s.node.inputs.size() == 2) {  // then -> add (residual)
      for (int side = 0; side < 2; ++side) {
        const int a = s.node.inputs[side], b = s.node.inputs[1 - side];
        const int g = root(a);
        if (p.steps[g].node.op == OpKind::kConv2d && p.consumers[a] == 1 && plans[g].residual < 0 && root(b) < g &&
            (a == g || p.consumers[g] == 1)) {
          plans[g].residual = b;
          plans[k].skip = true;
          plans[k].alias = g;
          break;
        }
      }
    }
  }
  return plans;
}

}  // namespace litesr
