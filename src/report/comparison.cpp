#include "report/comparison.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "base/image_ops.h"
#include "base/image_size.h"
#include "base/worker_threads.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

// One image's results: each method's scores (with HR) and its panel.
struct ImageOutcome {
  int width = 0, height = 0;
  std::vector<SrScores> scores;  // per method (with HR)
  std::optional<ImagePanel> panel;
};

// An SR output as u8 RGB of the expected size (used without ground truth; scored outputs go through
// score_sr_result, which rounds the same way).
Result<Image> output_u8_rgb(const Image& sr, int width, int height, const std::string& method) {
  if (sr.width() != width || sr.height() != height) {
    return invalid_argument(method + " returned " + size_text(sr.width(), sr.height()) + ", expected " +
                            size_text(width, height));
  }
  Image u8;
  if (sr.type() == PixelType::kU8) {
    u8 = sr.clone();
  } else if (sr.type() == PixelType::kF32) {
    LITESR_ASSIGN_OR_RETURN(u8, convert_pixel_type(sr, PixelType::kU8));  // floor(255·v + 0.5), clamped
  } else {
    return invalid_argument(method + " returned a 16-bit image; expected u8 or f32");
  }
  return u8;
}

// Grey outputs expanded, alpha dropped: what panels show.
Result<Image> as_rgb(Image image) {
  if (image.channels() == 3) return image;
  if (image.channels() == 1) return grey_to_rgb(image);
  return extract_channels(image, 0, 3);
}

Result<ImageOutcome> process_image(const ComparisonInput& input, const SrPair& pair,
                                   std::span<const ComparedMethod> methods, const ComparisonOptions& options,
                                   int shave) {
  const int s = input.scale;
  Image hr, lr;
  if (input.has_hr) {
    SrDatasetOptions dopt;
    dopt.scale = s;
    dopt.lr_border = input.lr_border;
    LITESR_ASSIGN_OR_RETURN(LoadedSrPair loaded, load_sr_pair(input.dataset, pair, dopt));
    hr = std::move(loaded.hr);
    lr = std::move(loaded.lr_rgb);
  } else {
    LITESR_ASSIGN_OR_RETURN(DecodedImage file, read_image(pair.lr_path));
    LITESR_ASSIGN_OR_RETURN(Image color, to_u8_color(file.image));
    Result<Image> rgb = grey_to_rgb(color);
    if (!rgb.ok()) return rgb.status().with_context(pair.lr_path.string());
    lr = std::move(rgb).value();
  }
  ImageOutcome out;
  out.width = lr.width() * s;
  out.height = lr.height() * s;
  std::vector<Image> outputs;
  for (const ComparedMethod& m : methods) {
    Result<Image> sr = m.upscaler(lr);
    if (!sr.ok()) return sr.status().with_context(m.name);
    Image sr_u8;
    if (input.has_hr) {
      Result<SrScores> scores = score_sr_result(*sr, hr, s, shave, &sr_u8);
      if (!scores.ok()) return scores.status().with_context(m.name);
      out.scores.push_back(*scores);
    } else {
      LITESR_ASSIGN_OR_RETURN(sr_u8, output_u8_rgb(*sr, out.width, out.height, m.name));
    }
    if (!options.save_dir.empty() && options.save_method == static_cast<int>(outputs.size())) {
      WriteOptions wo;
      wo.format = ImageFormat::kPng;
      LITESR_RETURN_IF_ERROR(write_image(options.save_dir / (pair.name + ".png"), sr_u8, wo));
    }
    if (!options.panels) continue;
    LITESR_ASSIGN_OR_RETURN(Image rgb, as_rgb(std::move(sr_u8)));
    outputs.push_back(std::move(rgb));
  }
  if (options.panels) {
    PanelInput pin;
    pin.name = pair.name;
    pin.scale = s;
    pin.lr = &lr;
    for (std::size_t i = 0; i < methods.size(); ++i) pin.methods.push_back({methods[i].name, &outputs[i]});
    pin.hr = input.has_hr ? &hr : nullptr;
    const int n = static_cast<int>(methods.size());
    pin.disagreement = options.disagreement;
    pin.error = options.error;
    if (pin.disagreement.empty()) {
      for (int i = 0; i < n; ++i) pin.disagreement.push_back(i);
    }
    if (pin.error.empty()) {
      for (int i = 0; i < n; ++i) pin.error.push_back(i);
    }
    PanelOptions po = options.panel;
    po.border = shave;
    Result<ImagePanel> panel = build_image_panel(pin, po);
    if (!panel.ok()) return panel.status();
    out.panel = std::move(panel).value();
  }
  return out;
}

}  // namespace

Result<ComparisonInput> open_comparison_input(const fs::path& path, const ComparisonInputOptions& options) {
  if (options.scale < 1)
    return invalid_argument("scale must be a positive integer, got " + std::to_string(options.scale));
  std::error_code ec;
  if (!fs::exists(path, ec)) return not_found(path.string() + " does not exist");
  ComparisonInput in;
  in.scale = options.scale;
  in.lr_border = options.lr_border;
  if (fs::is_directory(path, ec) && fs::is_directory(path / "HR", ec)) {
    SrDatasetOptions dopt;
    dopt.scale = options.scale;
    dopt.lr_border = options.lr_border;
    LITESR_ASSIGN_OR_RETURN(in.dataset, open_sr_dataset(path, dopt));
    in.name = in.dataset.name;
    in.has_hr = true;
    in.lr_generated = in.dataset.lr_generated;
    return in;
  }
  std::vector<fs::path> files;
  fs::path root;
  if (fs::is_directory(path, ec)) {
    LITESR_ASSIGN_OR_RETURN(files, list_images(path));
    if (files.empty()) return invalid_argument("no images (.png .jpg .jpeg .webp) in " + path.string());
    root = path;
    in.name = fs::weakly_canonical(path, ec).filename().string();
    if (in.name.empty()) in.name = path.filename().string();
  } else {
    files.push_back(path.filename());
    root = path.parent_path();
    in.name = path.filename().string();
  }
  in.dataset.root = root;
  in.dataset.name = in.name;
  in.dataset.scale = options.scale;
  in.dataset.lr_generated = options.images_are_hr;
  in.has_hr = options.images_are_hr;
  in.lr_generated = options.images_are_hr;
  for (const fs::path& rel : files) {
    SrPair pair;
    pair.name = rel.stem().string();
    (options.images_are_hr ? pair.hr_path : pair.lr_path) = root / rel;
    in.dataset.pairs.push_back(std::move(pair));
  }
  std::sort(in.dataset.pairs.begin(), in.dataset.pairs.end(),
            [](const SrPair& a, const SrPair& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < in.dataset.pairs.size(); ++i) {
    if (in.dataset.pairs[i].name == in.dataset.pairs[i - 1].name) {
      return invalid_argument("two images share the name '" + in.dataset.pairs[i].name + "' in " + path.string());
    }
  }
  return in;
}

Result<ComparedSet> run_comparison(const ComparisonInput& input, std::span<const ComparedMethod> methods,
                                   const ComparisonOptions& options) {
  if (methods.empty()) return invalid_argument("no methods to compare");
  for (const ComparedMethod& m : methods) {
    if (!m.upscaler) return invalid_argument("method " + m.name + " has no upscaler");
  }
  const std::size_t n = input.dataset.pairs.size();
  if (n == 0) return invalid_argument(input.name + " has no images");
  const int shave = options.shave < 0 ? input.scale : options.shave;
  if (!options.save_dir.empty()) {
    std::error_code ec;
    fs::create_directories(options.save_dir, ec);
    if (ec) return io_error("cannot create " + options.save_dir.string() + ": " + ec.message());
  }
  const auto start = std::chrono::steady_clock::now();

  std::vector<std::optional<ImageOutcome>> outcomes(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::optional<std::pair<std::size_t, Status>> first_error;  // the lowest failing index wins (deterministic)
  auto record_error = [&](std::size_t i, Status s) {
    std::lock_guard<std::mutex> lock(error_mu);
    if (!first_error || i < first_error->first) first_error.emplace(i, std::move(s));
    stop.store(true);
  };
  auto worker = [&] {
    for (;;) {
      if (stop.load()) return;
      if (options.cancel != nullptr && options.cancel->cancelled()) {
        record_error(n, cancelled("comparison interrupted"));
        return;
      }
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      const SrPair& pair = input.dataset.pairs[i];
      Result<ImageOutcome> r = process_image(input, pair, methods, options, shave);
      if (!r.ok()) {
        record_error(i, r.status().with_context(input.name + "/" + pair.name));
        return;
      }
      outcomes[i] = std::move(r).value();
      if (options.progress != nullptr) options.progress->advance(1, pair.name);
    }
  };
  run_workers(options.jobs, n, worker);
  if (first_error) return first_error->second;
  if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled("comparison interrupted");

  ComparedSet set;
  set.name = input.name;
  set.scale = input.scale;
  set.has_hr = input.has_hr;
  set.lr_generated = input.lr_generated;
  set.shave = shave;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  set.seconds = seconds;
  if (input.has_hr) {
    for (const ComparedMethod& m : methods) {
      EvaluationResult r;
      r.dataset = input.name;
      r.scale = input.scale;
      r.method = m.name;
      r.shave = shave;
      r.lr_generated = input.lr_generated;
      r.seconds = seconds;
      set.results.push_back(std::move(r));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!outcomes[i]) return internal_error("an image was not processed");
    ImageOutcome& o = *outcomes[i];
    set.images.push_back(input.dataset.pairs[i].name);
    for (std::size_t m = 0; m < set.results.size(); ++m) {
      set.results[m].images.push_back({input.dataset.pairs[i].name, o.width, o.height, o.scores[m]});
    }
    if (o.panel) set.panels.push_back(std::move(*o.panel));
  }
  for (EvaluationResult& r : set.results) r.mean = mean_scores(r.images);
  return set;
}

Result<ImageUpscaler> make_method_upscaler(const std::string& name, int scale, int threads) {
  if (name == "bicubic") {
    if (scale < 1) return invalid_argument("bicubic scale must be >= 1");
    return make_bicubic_upscaler(scale);  // MATLAB imresize(LR, s, 'bicubic'): eval's baseline
  }
  UpscalerOptions uo;
  uo.model = name;
  uo.scale = scale;
  uo.threads = threads;
  return make_model_image_upscaler(uo, worker_count(threads));  // the comparison's image workers, side by side
}

}  // namespace litesr
