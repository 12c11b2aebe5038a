// ModelUpscaler: one model, ready to upscale decoded images of any supported layout. Shared by
// `litesr upscale`, `litesr eval -n` and `litesr video -n`.
//
// Luma models (litesr.color = "y": the SR literature's Y-only networks) upscale Y'CbCr's Y and take the chroma
// from MATLAB bicubic (eval/luma_color.h), for every layout and path below (whole images: no band streaming).
// Layouts: the network sees RGB. Grey (1 ch) is replicated to RGB and the output averaged back to grey;
// an alpha channel (GA, RGBA) is upscaled separately through the same model (replicated to RGB, averaged
// back) and re-attached. u8 images use the session's fused u8 path; u16 images go through f32 and come back
// as u16 (16-bit depth kept); f32 images (samples in [0, 1]) run as they are, outputs clamped to [0, 1].
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/image.h"
#include "base/row_sink.h"
#include "base/status.h"
#include "eval/evaluation.h"
#include "eval/matlab_row_resizer.h"
#include "runtime/multi_frame_session.h"
#include "runtime/session.h"
#include "upscaler/output_size.h"

namespace litesr {

struct UpscalerOptions {
  std::string model;    // built-in name or .safetensors path; "" = models::default_model_name()
  int scale = 0;        // 0 = the model's own scale (bicubic: models::kBicubicDefaultScale)
  int threads = 0;      // 0 = all cores
  int band_rows = 0;    // -t/--tile: LR rows per band; 0 = auto
  // Outputs resized to another size than scale x the input (-s 1.5, --size WxH); {} = none. With a factor,
  // `model` names a family: the shipped model of that family at the smallest scale >= the factor runs
  // (elsr-x4 -s 1.5 runs elsr-x2; a file runs itself); bicubic resizes the input directly. Exclusive with `scale`.
  OutputSize output;
};

class ModelUpscaler {
 public:
  static Result<ModelUpscaler> open(const UpscalerOptions& options);
  // A model already in memory (e.g. random weights for a benchmark); `name` is what model_name() says.
  // options.model and options.scale are not used; options.output is (its factor must not exceed the model's).
  static Result<ModelUpscaler> open_model(const ModelFile& model, const std::string& name,
                                          const UpscalerOptions& options);

  int scale() const { return scale_; }  // the model's scale
  // The output size for a w x h input: scale x, or UpscalerOptions::output's. kInvalidArgument when that needs
  // a larger factor than the model's (--size too large for the model).
  Result<std::pair<int, int>> output_size(int w, int h) const;
  // Outputs are resized after the model (UpscalerOptions::output): the model's output (or, for bicubic, the
  // input itself: resizes_input()) goes through output_resizer().
  bool resizes() const { return !output_.empty(); }
  bool resizes_input() const { return resizes() && bicubic_; }
  // Whether a w x h input's output is resized: resizes() and output_size() is not scale x the size.
  Result<bool> resizes_output(int w, int h) const;
  const std::string& model_name() const { return model_name_; }
  int threads() const;
  // The engine the model runs on (every shipped model: ExecutionMode::kFusedBands).
  ExecutionMode mode() const;

  // u8, u16 or f32 image with 1-4 channels -> the same layout and type at output_size() (scale x the size).
  Result<Image> upscale(const Image& src);
  // 8-bit RGB straight into the caller's memory (no intermediate image unless resizes()): `sr` has
  // output_size(lr)'s size.
  Status upscale_rgb8_into(ImageView<const uint8_t> lr, ImageView<uint8_t> sr);
  // u8, u16 or f32 image with 1-4 channels -> the model's output at its own scale (scale x the size), before
  // any resize (the layouts as upscale()).
  Result<Image> upscale_at_model_scale(const Image& src);
  // The resize that makes output_size() of a w x h input from what resizes: the model's output (scale x the
  // size) or, when resizes_input(), the input. A factor F resizes as MATLAB's imresize(A, F / scale) (the
  // kernel follows the factor), an exact size as imresize(A, [h w]). Only when resizes().
  Result<MatlabRowResizer> output_resizer(int w, int h, int channels, PixelType type) const;
  // LR rows of context that make a band's output equal the whole image's (Session::context_rows);
  // kUnsupported for multi-frame models and models whose output rows depend on the whole image.
  Result<int> context_rows() const;

  // Frame streams (video, frame-sequence evaluation): f32 RGB frames [H, W, 3] in, [sH, sW, 3] out.
  // A multi-frame model (EVSRNet) sees the frames pushed since the last reset_window() as one window of
  // window() frames (runtime/multi_frame_session.h); a single-frame model runs each frame alone (window 1).
  bool multi_frame() const { return frames_session_ != nullptr; }
  int window() const;
  void reset_window();
  // `rows` (optional) is told of sr's rows as they are stored (base/row_sink.h; groups of scale() rows, or one call
  // for the whole frame where the engine does not stream rows), all before push_frame returns.
  Status push_frame(ImageView<const float> lr, ImageView<float> sr, RowSink* rows = nullptr);
  // The same with 8-bit RGB frames (the sessions' fused u8 paths).
  Status push_frame_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr);
  // Luma models (luma()): the network alone on a Y plane, f32 Y/255 [H, W, 1] in, [sH, sW, 1] out (video's Y'CbCr
  // planes, video/luma_planes.h); no colour conversion. A multi-frame luma model takes it as the next frame of
  // its window, like push_frame.
  bool luma() const { return luma_; }
  Status push_luma_plane(ImageView<const float> lr_y, ImageView<float> sr_y);

 private:
  // Whether outputs `factor` x the input come from this model without upscaling its output further (bicubic
  // resizes its input directly: every factor).
  bool reaches(double factor) const { return bicubic_ || factor <= scale_ + 1e-9; }
  Result<Image> upscale_rgb(const Image& rgb);  // 3-channel u8, u16 or f32
  Status run_rgb8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr);  // the model, sr = scale x lr
  // A still image through a multi-frame model as a static window (see above).
  template <typename T>
  Status run_static_window(ImageView<const T> lr, ImageView<T> sr);
  // The network on a Y plane: a still image (a multi-frame model: as a static window) or, with `stream`, the
  // next frame of a multi-frame model's window.
  Status run_luma_plane(ImageView<const float> lr_y, ImageView<float> sr_y, bool stream);
  // A luma model on an RGB image (u8, u16 or f32) or RGB frame views (u8 or f32); `stream` as above.
  Result<Image> upscale_luma(const Image& rgb, bool stream = false);
  template <typename T>
  Status run_luma(ImageView<const T> lr, ImageView<T> sr, bool stream);

  std::unique_ptr<Session> session_;                    // single-frame models
  std::unique_ptr<MultiFrameSession> frames_session_;  // multi-frame models
  std::string model_name_;
  int scale_ = 0;
  OutputSize output_;    // empty unless outputs are resized
  bool bicubic_ = false; // the model is bicubic: resized outputs are one resize of the input
  bool luma_ = false;    // the model's frames are luma (Y): see the file comment
};

// `count` single-threaded instances of the model `options` opens (the same model, scale, band rows and output size):
// the lanes that run frames, windows or images side by side, one per thread (video/frame_pipeline.h,
// upscaler/batch_upscale.h, make_model_image_upscaler below).
Result<std::vector<ModelUpscaler>> open_lanes(const UpscalerOptions& options, int count);

// A ModelUpscaler as an eval ImageUpscaler (`litesr eval -n`, `litesr compare`, `litesr bench --tradeoff`). With
// `lanes` >= 2: that many single-threaded instances of the model, so that up to `lanes` calls (an evaluation's image
// workers) run side by side, each on a free instance — no band boundary or thread meeting within an image. Else one
// instance on `options.threads`, its calls serialised (a Session is not thread-safe). The same images either way.
Result<ImageUpscaler> make_model_image_upscaler(const UpscalerOptions& options, int lanes = 0);

}  // namespace litesr
