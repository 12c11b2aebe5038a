#include "train/training_data.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "base/image_ops.h"
#include "eval/matlab_resize.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;

uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Runs fn(i) for i in [0, n) on `threads` threads; returns the first error (by index).
Status parallel_for(size_t n, int threads, const std::function<Status(size_t)>& fn) {
  std::vector<Status> status(n);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) status[i] = fn(i);
  };
  std::vector<std::thread> pool;
  const int t = std::max(1, std::min<int>(threads, static_cast<int>(n)));
  for (int k = 1; k < t; ++k) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  for (auto& s : status) LITESR_RETURN_IF_ERROR(s);
  return {};
}

// A u8 RGB image from any decoded file (grey -> RGB, alpha dropped, 16 bit -> 8 bit).
Result<Image> read_rgb(const fs::path& path) {
  LITESR_ASSIGN_OR_RETURN(DecodedImage decoded, read_image(path));
  LITESR_ASSIGN_OR_RETURN(Image color, to_u8_color(decoded.image));
  if (color.channels() == 1) return grey_to_rgb(color);
  return color;
}

struct Augment {
  bool hflip = false, vflip = false, transpose = false;
};

Augment draw_augment(SampleRng& rng, bool flips, bool rotations) {
  Augment a;
  if (flips) {
    a.hflip = rng.below(2) == 1;
    a.vflip = rng.below(2) == 1;
  }
  if (rotations) a.transpose = rng.below(2) == 1;
  return a;
}

// Copies the size x size window at (x0, y0) of u8 RGB `img` into planar float dst[3][size][size], applying
// `aug`: dst(r, c) = src(y0 + rr, x0 + cc), (rr, cc) = transpose ? (c, r) : (r, c), then flips.
void copy_patch(const Image& img, int x0, int y0, int size, const Augment& aug, float* dst) {
  const ImageView<const uint8_t> v = img.view<uint8_t>();
  const std::size_t plane = static_cast<std::size_t>(size) * size;
  constexpr float kInv255 = 1.0f / 255.0f;
  for (int r = 0; r < size; ++r) {
    for (int c = 0; c < size; ++c) {
      int rr = aug.transpose ? c : r;
      int cc = aug.transpose ? r : c;
      if (aug.hflip) cc = size - 1 - cc;
      if (aug.vflip) rr = size - 1 - rr;
      const uint8_t* px = &v.at(x0 + cc, y0 + rr, 0);
      const std::size_t o = static_cast<std::size_t>(r) * size + c;
      dst[o] = px[0] * kInv255;
      dst[plane + o] = px[1] * kInv255;
      dst[2 * plane + o] = px[2] * kInv255;
    }
  }
}

Status check_shard(const BatchRequest& q) {
  if (q.first < 0 || q.count < 0 || q.shard_size() <= 0 || q.first + q.shard_size() > q.batch) {
    return invalid_argument("batch shard [" + std::to_string(q.first) + ", +" + std::to_string(q.count) +
                            ") is outside the batch of " + std::to_string(q.batch));
  }
  return {};
}

Batch empty_batch(const BatchRequest& q, int frames) {
  Batch b;
  b.batch = q.shard_size();
  b.frames = frames;
  b.scale = q.scale;
  b.lr_size = q.patch / q.scale;
  const std::size_t lr_n = static_cast<std::size_t>(b.lr_size) * b.lr_size * 3 * frames * b.batch;
  b.lr.resize(lr_n);
  b.hr.resize(lr_n * q.scale * q.scale);
  return b;
}

// Still images in memory, with LR per scale (hr_folders, paired_folders, video_synthetic).
class StillImageData : public TrainingData {
 public:
  StillImageData(const DataSpec& spec, std::vector<Image> hr, std::map<int, std::vector<Image>> lr_given)
      : spec_(spec), hr_(std::move(hr)), lr_(std::move(lr_given)) {
    frames_ = spec.kind == DataKind::kVideoSynthetic ? spec.frames : 1;
  }

  Status prepare_scale(int scale, int threads) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (lr_.count(scale) && lr_hr_.count(scale)) return {};
    if (spec_.kind == DataKind::kPairedFolders) {
      if (!lr_.count(scale)) return invalid_argument("paired_folders: the LR folders are for one scale only");
    }
    std::vector<Image> hr_crop(hr_.size());
    std::vector<Image> lr(hr_.size());
    const bool paired = spec_.kind == DataKind::kPairedFolders;
    MatlabResizeOptions ro;
    ro.border = spec_.lr_border;
    LITESR_RETURN_IF_ERROR(parallel_for(hr_.size(), threads, [&](size_t i) -> Status {
      LITESR_ASSIGN_OR_RETURN(hr_crop[i], modcrop(hr_[i], scale));
      if (paired) {
        const Image& l = lr_.at(scale)[i];
        if (l.width() * scale != hr_crop[i].width() || l.height() * scale != hr_crop[i].height()) {
          return invalid_argument("paired_folders: LR image " + std::to_string(i) + " is not HR / " +
                                  std::to_string(scale));
        }
        lr[i] = l.clone();
        return {};
      }
      LITESR_ASSIGN_OR_RETURN(lr[i], matlab_imresize(hr_crop[i], 1.0 / scale, ro));
      return {};
    }));
    lr_[scale] = std::move(lr);
    lr_hr_[scale] = std::move(hr_crop);
    return {};
  }

  Result<Batch> make_batch(const BatchRequest& q) const override {
    LITESR_RETURN_IF_ERROR(check_shard(q));
    const std::vector<Image>* lr = nullptr;
    const std::vector<Image>* hr = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = lr_.find(q.scale);
      auto jt = lr_hr_.find(q.scale);
      if (it == lr_.end() || jt == lr_hr_.end()) return internal_error("make_batch before prepare_scale");
      lr = &it->second;
      hr = &jt->second;
    }
    const int p = q.patch / q.scale;
    const int t_count = frames_;
    // Images whose LR side holds the window (the moving window needs room for its path too).
    std::vector<int> fits;
    for (size_t i = 0; i < lr->size(); ++i) {
      if ((*lr)[i].width() >= p && (*lr)[i].height() >= p) fits.push_back(static_cast<int>(i));
    }
    if (fits.empty()) {
      return invalid_argument("no training image is large enough for HR patch " + std::to_string(q.patch));
    }
    Batch b = empty_batch(q, t_count);
    const std::size_t lr_frame = static_cast<std::size_t>(p) * p * 3;
    const std::size_t hr_frame = lr_frame * q.scale * q.scale;
    for (int k = 0; k < b.batch; ++k) {
      SampleRng rng(q.seed, static_cast<uint64_t>(q.stage), static_cast<uint64_t>(q.iteration),
                    static_cast<uint64_t>(q.first + k));
      const int idx = fits[rng.below(static_cast<int64_t>(fits.size()))];
      const Image& l = (*lr)[idx];
      const Image& h = (*hr)[idx];
      int vx = 0, vy = 0;
      if (t_count > 1 && spec_.max_shift > 0) {
        vx = static_cast<int>(rng.below(2 * spec_.max_shift + 1)) - spec_.max_shift;
        vy = static_cast<int>(rng.below(2 * spec_.max_shift + 1)) - spec_.max_shift;
      }
      // Start range so that x0 + t·vx stays in [0, w − p] for t in [0, T).
      auto range = [&](int extent, int& v) -> std::pair<int, int> {
        int lo = std::max(0, -v * (t_count - 1));
        int hi = extent - p - std::max(0, v * (t_count - 1));
        if (hi < lo) {
          v = 0;
          return {0, extent - p};
        }
        return {lo, hi};
      };
      const auto [xlo, xhi] = range(l.width(), vx);
      const auto [ylo, yhi] = range(l.height(), vy);
      const int x0 = xlo + static_cast<int>(rng.below(xhi - xlo + 1));
      const int y0 = ylo + static_cast<int>(rng.below(yhi - ylo + 1));
      const Augment aug = draw_augment(rng, q.flips, q.rotations);
      for (int t = 0; t < t_count; ++t) {
        const int x = x0 + t * vx, y = y0 + t * vy;
        float* lr_dst = b.lr.data() + (static_cast<std::size_t>(k) * t_count + t) * lr_frame;
        float* hr_dst = b.hr.data() + (static_cast<std::size_t>(k) * t_count + t) * hr_frame;
        copy_patch(l, x, y, p, aug, lr_dst);
        copy_patch(h, x * q.scale, y * q.scale, q.patch, aug, hr_dst);
      }
    }
    return b;
  }

  int frames() const override { return frames_; }
  std::size_t size() const override { return hr_.size(); }

 private:
  DataSpec spec_;
  std::vector<Image> hr_;                     // as read (u8 RGB)
  std::map<int, std::vector<Image>> lr_;      // scale -> LR images
  std::map<int, std::vector<Image>> lr_hr_;   // scale -> HR mod-cropped to the scale
  int frames_ = 1;
  mutable std::mutex mu_;
};

// REDS-layout sequence folders, read per sample.
class RedsData : public TrainingData {
 public:
  struct Clip {
    std::vector<fs::path> hr, lr;
  };
  RedsData(const DataSpec& spec, std::vector<Clip> clips) : spec_(spec), clips_(std::move(clips)) {}

  Status prepare_scale(int, int) override { return {}; }

  Result<Batch> make_batch(const BatchRequest& q) const override {
    LITESR_RETURN_IF_ERROR(check_shard(q));
    const int t_count = spec_.frames;
    const int p = q.patch / q.scale;
    Batch b = empty_batch(q, t_count);
    const std::size_t lr_frame = static_cast<std::size_t>(p) * p * 3;
    const std::size_t hr_frame = lr_frame * q.scale * q.scale;
    for (int k = 0; k < b.batch; ++k) {
      SampleRng rng(q.seed, static_cast<uint64_t>(q.stage), static_cast<uint64_t>(q.iteration),
                    static_cast<uint64_t>(q.first + k));
      const Clip& clip = clips_[rng.below(static_cast<int64_t>(clips_.size()))];
      const int t0 = static_cast<int>(rng.below(static_cast<int64_t>(clip.lr.size()) - t_count + 1));
      const Augment aug_seed = draw_augment(rng, q.flips, q.rotations);
      int x0 = -1, y0 = -1;
      for (int t = 0; t < t_count; ++t) {
        LITESR_ASSIGN_OR_RETURN(Image l, read_rgb(clip.lr[t0 + t]));
        LITESR_ASSIGN_OR_RETURN(Image h, read_rgb(clip.hr[t0 + t]));
        if (h.width() != l.width() * q.scale || h.height() != l.height() * q.scale) {
          return invalid_argument(clip.hr[t0 + t].string() + ": HR frame is not " + std::to_string(q.scale) +
                                  "x its LR frame");
        }
        if (l.width() < p || l.height() < p) {
          return invalid_argument(clip.lr[t0 + t].string() + ": frame smaller than the LR patch");
        }
        if (x0 < 0) {
          x0 = static_cast<int>(rng.below(l.width() - p + 1));
          y0 = static_cast<int>(rng.below(l.height() - p + 1));
        }
        copy_patch(l, x0, y0, p, aug_seed, b.lr.data() + (static_cast<std::size_t>(k) * t_count + t) * lr_frame);
        copy_patch(h, x0 * q.scale, y0 * q.scale, q.patch, aug_seed,
                   b.hr.data() + (static_cast<std::size_t>(k) * t_count + t) * hr_frame);
      }
    }
    return b;
  }
  int frames() const override { return spec_.frames; }
  std::size_t size() const override { return clips_.size(); }

 private:
  DataSpec spec_;
  std::vector<Clip> clips_;
};

Result<std::vector<fs::path>> list_all(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> out;
  for (const auto& d : dirs) {
    LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> files, list_images(d));
    for (auto& f : files) out.push_back(d / f);
  }
  return out;
}

Result<std::unique_ptr<TrainingData>> open_reds(const DataSpec& spec) {
  std::vector<RedsData::Clip> clips;
  const fs::path& hr_root = spec.hr_dirs.at(0);
  const fs::path& lr_root = spec.lr_dirs.at(0);
  std::vector<fs::path> clip_dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(hr_root, ec)) {
    if (e.is_directory() && e.path().filename().string()[0] != '.') clip_dirs.push_back(e.path().filename());
  }
  if (ec) return io_error(hr_root.string() + ": " + ec.message());
  std::sort(clip_dirs.begin(), clip_dirs.end());
  for (const auto& c : clip_dirs) {
    LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> frames, list_images(hr_root / c));
    RedsData::Clip clip;
    for (const auto& f : frames) {
      const fs::path lr = lr_root / c / f;
      if (!fs::exists(lr)) return not_found("reds: LR frame missing: " + lr.string());
      clip.hr.push_back(hr_root / c / f);
      clip.lr.push_back(lr);
    }
    if (static_cast<int>(clip.lr.size()) >= spec.frames) clips.push_back(std::move(clip));
  }
  if (clips.empty()) {
    return invalid_argument("reds: no clip in " + hr_root.string() + " has " + std::to_string(spec.frames) + " frames");
  }
  return std::unique_ptr<TrainingData>(new RedsData(spec, std::move(clips)));
}

}  // namespace

SampleRng::SampleRng(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
  uint64_t x = seed;
  state_ = splitmix(x);
  for (uint64_t v : {a, b, c}) {
    x = state_ ^ (v * 0xD6E8FEB86659FD93ull);
    state_ = splitmix(x);
  }
}

uint64_t SampleRng::next() {
  return splitmix(state_);
}

int64_t SampleRng::below(int64_t n) {
  // Lemire-style rejection-free multiply-shift is biased by < 2^-32 for our n; plenty for sampling.
  return static_cast<int64_t>((static_cast<unsigned __int128>(next()) * static_cast<uint64_t>(n)) >> 64);
}

namespace {

// `files` without those that are the same files as any of `exclude` (compared as canonical paths).
std::vector<fs::path> without(std::vector<fs::path> files, const std::vector<fs::path>& exclude) {
  if (exclude.empty()) return files;
  std::vector<fs::path> excluded;
  for (const auto& e : exclude) excluded.push_back(fs::weakly_canonical(e));
  std::erase_if(files, [&](const fs::path& f) {
    return std::find(excluded.begin(), excluded.end(), fs::weakly_canonical(f)) != excluded.end();
  });
  return files;
}

}  // namespace

Result<std::unique_ptr<TrainingData>> open_training_data(const DataSpec& spec, int threads) {
  if (spec.kind == DataKind::kReds) return open_reds(spec);
  LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> listed, list_all(spec.hr_dirs));
  const std::vector<fs::path> hr_files = without(std::move(listed), spec.exclude);
  if (hr_files.empty()) return invalid_argument("no training images found");
  std::vector<Image> hr(hr_files.size());
  LITESR_RETURN_IF_ERROR(parallel_for(hr_files.size(), threads, [&](size_t i) -> Status {
    LITESR_ASSIGN_OR_RETURN(hr[i], read_rgb(hr_files[i]));
    return {};
  }));
  std::map<int, std::vector<Image>> lr_given;
  if (spec.kind == DataKind::kPairedFolders) {
    // Pair each HR file with the LR file of the same stem, or stem + "x<s>" (benchmark naming).
    std::map<std::string, fs::path> lr_by_stem;
    LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> lr_files, list_all(spec.lr_dirs));
    for (const auto& f : lr_files) lr_by_stem[f.stem().string()] = f;
    std::vector<Image> lr(hr_files.size());
    int scale = 0;
    for (size_t i = 0; i < hr_files.size(); ++i) {
      const std::string stem = hr_files[i].stem().string();
      fs::path match;
      if (lr_by_stem.count(stem)) {
        match = lr_by_stem[stem];
      } else {
        for (int s = 2; s <= 4 && match.empty(); ++s) {
          if (lr_by_stem.count(stem + "x" + std::to_string(s))) match = lr_by_stem[stem + "x" + std::to_string(s)];
        }
      }
      if (match.empty()) return not_found("paired_folders: no LR file for " + hr_files[i].string());
      LITESR_ASSIGN_OR_RETURN(lr[i], read_rgb(match));
      const int s = hr[i].width() / std::max(1, lr[i].width());
      if (scale == 0) scale = s;
      if (s != scale || s < 2) return invalid_argument("paired_folders: inconsistent HR/LR size ratio at " + match.string());
    }
    lr_given[scale] = std::move(lr);
  }
  return std::unique_ptr<TrainingData>(new StillImageData(spec, std::move(hr), std::move(lr_given)));
}

}  // namespace litesr::train
