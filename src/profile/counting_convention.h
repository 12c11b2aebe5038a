// Counting conventions for MACs / FLOPs: which operations a complexity counter charges, and how much.
//
// The SR literature reports "FLOPs" with different counters (docs/complexity.md has the derivations):
//   macs     multiply-accumulates of conv2d / conv_transpose2d / squeeze-excite Linear layers only
//            (conv_transpose2d: k²·Cin·Cout per INPUT pixel — the true MAC count). DESIGN §5 "MACs".
//   kair     the AIM 2020 Efficient-SR counter, cszn/KAIR utils/utils_modelsummary.py (Kai Zhang, 21 July
//            2020): conv MACs without bias (conv_transpose2d charged k²·Cin·Cout per OUTPUT pixel, the
//            counter's conv hook applied to the transposed conv's output), ReLU / LeakyReLU / PReLU 1 op per
//            output element, BatchNorm2d (affine) 2 ops per element, Linear in·out; no pooling, no
//            upsampling, no tanh / sigmoid / elementwise add or mul. MSRResNet at 256x256: 166.36 G.
//   ptflops  flops-counter.pytorch (sovrasov/ptflops), the counter behind SAM-SR's tables (seeds_facts §3.3):
//            kair + conv and Linear bias adds (Cout per output pixel), pooling (SE / channel-attention
//            global pool and max_pool2d: input elements), resampling layers (bicubic / bilinear: output
//            elements), conv_transpose2d as in kair.
// All three report a MAC-style count ("GMac"); FLOPs = 2 x that count (SAM-SR's convention).
//
// The graph cannot tell an nn.Module activation from a functional call (F.relu), which hook-based counters
// do not see; every counter here charges every activation node. docs/complexity.md quantifies the effect.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace litesr {

enum class CountingConvention : uint8_t { kMacs, kKair, kPtflops };

// Which operations are charged, per output element unless stated (units: MAC-equivalent operations).
struct CountingRules {
  bool conv_bias = false;                   // + Cout per output pixel for convs (and Linear) with a bias
  bool transposed_conv_per_output = false;  // conv_transpose2d charged k²·Cin·Cout per output pixel
  bool activations = false;                 // relu, leaky_relu, prelu (and the SE hidden ReLU): 1 per element
  int batch_norm_ops = 0;                   // per element: 2 (affine scale + shift) or 0
  bool linear = true;                       // squeeze-excite fc layers: in·out
  bool pooling = false;                     // SE global pool, max_pool2d: input elements
  bool upsampling = false;                  // bicubic_upsample, bilinear_upsample/resize: output elements
};

CountingRules counting_rules(CountingConvention convention);

// "macs", "kair", "ptflops".
std::string_view convention_name(CountingConvention convention);
// Parses a name above; kInvalidArgument lists the valid names.
Result<CountingConvention> parse_convention(std::string_view name);

}  // namespace litesr
