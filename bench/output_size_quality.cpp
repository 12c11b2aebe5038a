// litesr_bench_output_size: PSNR-Y of "any output size" (litesr upscale -s F) against MATLAB bicubic at the
// factors users ask for most, on the benchmark sets (docs/upscale.md "Any output size").
//   litesr_bench_output_size [DATA_DIR]      (default ../shared/data/sr_benchmark)
// Protocol, per factor F and HR image: HR cropped to a multiple of q (the smallest integer with q / F whole, so
// the LR size is exact: 3 for x1.5 and x3), LR = MATLAB imresize(HR, 1/F) (antialiased, replicate borders, uint8
// rounding: the sets' own LR rule, eval/sr_dataset.h), then bicubic = imresize(LR, F) and each model through
// ModelUpscaler with UpscalerOptions::output = F (the user path: the family member at the next integer scale,
// then imresize(SR, F / scale)). PSNR-Y on the BT.601 luma, `ceil(F)` border pixels shaved (eval/metrics.h).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "upscaler/model_upscaler.h"

namespace fs = std::filesystem;
using namespace litesr;

namespace {

// The smallest q with q / factor an integer (the HR crop that makes the LR size exact).
int crop_multiple(double factor) {
  for (int q = 1; q <= 64; ++q) {
    const double lr = q / factor;
    if (std::fabs(lr - std::round(lr)) < 1e-9) return q;
  }
  return 1;
}

template <typename T>
T check(Result<T> r, const std::string& what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), r.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path data = argc > 1 ? fs::path(argv[1]) : fs::path("../shared/data/sr_benchmark");
  const std::vector<std::string> sets = {"Set5", "Set14", "BSD100"};
  const std::vector<double> factors = {1.5, 2, 3};
  const std::vector<std::string> models = {"bicubic", "elsr-x4", "sam-sr-xlite-x4"};
  if (!fs::exists(data / "Set5" / "HR")) {
    std::fprintf(stderr, "no benchmark data at %s (pass DATA_DIR)\n", data.string().c_str());
    return 1;
  }
  std::printf("| factor | set | images |");
  for (const std::string& m : models) std::printf(" %s |", m.c_str());
  std::printf(" model runs |\n|---|---|---|");
  for (std::size_t i = 0; i <= models.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (double factor : factors) {
    std::vector<ModelUpscaler> upscalers;
    std::string runs;
    for (const std::string& m : models) {
      UpscalerOptions options;
      options.model = m;
      options.output.scale = factor;
      options.threads = 0;
      upscalers.push_back(check(ModelUpscaler::open(options), m));
      if (m != "bicubic") {
        runs += (runs.empty() ? "" : ", ") + upscalers.back().model_name() +
                (upscalers.back().resizes() ? " + resize" : "");
      }
    }
    const int q = crop_multiple(factor);
    const int shave = static_cast<int>(std::ceil(factor - 1e-9));
    MatlabResizeOptions lr_rule;
    lr_rule.border = BorderMode::kReplicate;
    for (const std::string& set : sets) {
      const auto files = check(list_images(data / set / "HR"), set);
      std::vector<double> sum(models.size(), 0.0);
      for (const fs::path& name : files) {
        const fs::path file = name.is_absolute() ? name : data / set / "HR" / name;
        const Image hr = check(modcrop(check(read_image(file), file.string()).image, q), "modcrop");
        const Image lr = check(matlab_imresize(hr, 1.0 / factor, lr_rule), "LR");
        for (std::size_t k = 0; k < models.size(); ++k) {
          const Image sr = check(upscalers[k].upscale(lr), models[k] + " " + file.string());
          sum[k] += check(compute_sr_scores(sr, hr, shave), "scores").psnr_y;
        }
      }
      std::printf("| x%g | %s | %zu |", factor, set.c_str(), files.size());
      for (double s : sum) std::printf(" %.2f |", s / files.size());
      std::printf(" %s |\n", runs.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
