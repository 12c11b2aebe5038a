// litesr_bench_train_step: is any LibTorch speed-up honest for training LiteSR's tiny networks on a CPU?
//
// Usage: litesr_bench_train_step [threads (default 1)] [steps (default 30)]
//
// For each network of the CPU recipes (ELSR x4, ESPCN x4, FSRCNN x4, SAM-SR XLITE x4 at the recipes' batch and
// patch sizes) one training step = forward, L1 loss, backward, Adam update, timed in four variants on the
// same weights and batch, interleaved (variant A, B, C, D, A, …) after warm-up:
//   fp32            the trainer's default
//   channels_last   input and weights in NHWC memory format (oneDNN's preferred layout)
//   bf16_autocast   CPU autocast to bfloat16 (AMX / AVX512-BF16 where the CPU has them)
//   both            channels_last + bf16 autocast
// Prints the median ms per step, the speed-up over fp32, and for bf16 the relative loss difference on the
// first step (a numerical-cost indicator). Results go in docs/training.md.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "train/cpu_speedups.h"
#include "train/model_config.h"
#include "train/sr_network.h"

namespace {

using litesr::train::ModelConfig;

struct Case {
  std::string name, arch, config;
  int batch, lr_patch;
};

struct Variant {
  const char* name;
  bool channels_last, bf16;
};

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// One training step; returns the loss value.
double step(litesr::train::SrNetwork& net, torch::optim::Adam& opt, const torch::Tensor& lr, const torch::Tensor& hr,
            const Variant& v) {
  opt.zero_grad();
  torch::Tensor y;
  {
    litesr::train::AutocastScope autocast(v.bf16);  // the trainer's --bf16
    y = net.forward(lr);
  }
  torch::Tensor loss = torch::l1_loss(y.to(torch::kFloat32), hr);
  loss.backward();
  opt.step();
  return loss.item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 30;
  if (argc > 3 || threads < 1 || steps < 1) {
    std::fprintf(stderr, "usage: %s [THREADS >= 1, default 1] [STEPS >= 1, default 30]\n", argv[0]);
    return 2;
  }
  torch::set_num_threads(threads);
  const std::vector<Case> cases = {
      {"elsr-x4", "elsr", R"({"scale": 4, "channels": 6})", 32, 24},
      {"espcn-x4", "espcn", R"({"scale": 4, "channels": 3})", 16, 24},
      {"fsrcnn-x4", "fsrcnn", R"({"scale": 4, "d": 56, "s": 12, "m": 4, "channels": 3})", 16, 24},
      {"sam-sr-xlite-x4", "sam_sr", R"({"scale": 4, "nf": 16, "n": 8, "se": true, "bn": true, "bicubic_a": -0.75})", 16, 24},
  };
  const std::vector<Variant> variants = {
      {"fp32", false, false}, {"channels_last", true, false}, {"bf16_autocast", false, true}, {"both", true, true}};
  std::printf("training step (fwd + L1 + bwd + Adam), %d thread(s), %d interleaved steps per variant\n", threads, steps);
  std::printf("%-16s %-14s %10s %10s %14s\n", "model", "variant", "ms/step", "speedup", "loss_rel_diff");
  for (const Case& c : cases) {
    auto config = litesr::train::parse_model_config(c.arch, c.config);
    if (!config.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name.c_str(), config.status().to_string().c_str());
      return 1;
    }
    torch::manual_seed(1);
    const int s = litesr::train::config_scale(*config);
    const torch::Tensor lr = torch::rand({c.batch, 3, c.lr_patch, c.lr_patch});
    const torch::Tensor hr = torch::rand({c.batch, 3, c.lr_patch * s, c.lr_patch * s});
    // One network and optimizer per variant, all starting from the same weights.
    std::vector<litesr::train::SrNetworkPtr> nets;
    std::vector<std::unique_ptr<torch::optim::Adam>> opts;
    std::vector<torch::Tensor> inputs, targets;
    for (const Variant& v : variants) {
      torch::manual_seed(7);
      auto net = litesr::train::make_network(*config);
      if (!net.ok()) return 1;
      (*net)->train();
      if (v.channels_last) litesr::train::to_channels_last(**net);  // the trainer's --channels-last
      nets.push_back(*net);
      opts.push_back(std::make_unique<torch::optim::Adam>((*net)->parameters(), torch::optim::AdamOptions(1e-4)));
      inputs.push_back(v.channels_last ? lr.contiguous(torch::MemoryFormat::ChannelsLast) : lr);
      targets.push_back(v.channels_last ? hr.contiguous(torch::MemoryFormat::ChannelsLast) : hr);
    }
    std::vector<double> first_loss(variants.size());
    for (std::size_t k = 0; k < variants.size(); ++k) {
      first_loss[k] = step(*nets[k], *opts[k], inputs[k], targets[k], variants[k]);
      for (int w = 0; w < 2; ++w) step(*nets[k], *opts[k], inputs[k], targets[k], variants[k]);  // warm-up
    }
    std::vector<std::vector<double>> times(variants.size());
    for (int i = 0; i < steps; ++i) {
      for (std::size_t k = 0; k < variants.size(); ++k) {
        const double t0 = now_ms();
        step(*nets[k], *opts[k], inputs[k], targets[k], variants[k]);
        times[k].push_back(now_ms() - t0);
      }
    }
    const double base = median(times[0]);
    for (std::size_t k = 0; k < variants.size(); ++k) {
      const double m = median(times[k]);
      std::printf("%-16s %-14s %10.2f %9.2fx %14.2e\n", c.name.c_str(), variants[k].name, m, base / m,
                  std::abs(first_loss[k] - first_loss[0]) / first_loss[0]);
    }
  }
  return 0;
}
