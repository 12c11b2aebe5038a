// MatlabRowResizer: the MATLAB-exact resize of eval/matlab_resize.h fed rows top to bottom and giving
// output rows as soon as they are complete, so an image that never exists whole (a streamed upscale's
// output, upscaler/streamed_upscale.h) can be resized. The output equals matlab_imresize / _to of the whole
// image bit for bit (same passes, same order of the two dimensions, same rounding between them).
//
// Memory: the input rows (or, when the width is resized first, the width-resized rows) that the next output
// row's kernel reaches — the kernel's support, about 4 / scale_h + 2 rows — plus whatever was pushed ahead.
//
//   MatlabRowResizer r = *MatlabRowResizer::create(w, h, 3, PixelType::kU8, *plan_matlab_resize(w, h, 0.75));
//   for each band: r.push_rows(band, 0, band.height());  if (r.ready_rows() > 0) write(*r.take_ready_rows());
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "base/image.h"
#include "base/resample_weights.h"
#include "base/status.h"
#include "eval/matlab_resize.h"

namespace litesr {

class MatlabRowResizer {
 public:
  // An in_width x in_height image with `channels` samples of `type` per pixel, resized as `plan` says.
  static Result<MatlabRowResizer> create(int in_width, int in_height, int channels, PixelType type,
                                         const MatlabResizePlan& plan, const MatlabResizeOptions& options = {});

  int output_width() const { return plan_.out_width; }
  int output_height() const { return plan_.out_height; }
  int rows_pushed() const { return pushed_; }
  int rows_taken() const { return taken_; }
  int rows_held() const { return pushed_ - held_first_; }  // input rows kept for later output rows

  // Appends rows [first, first + count) of `rows` (in_width wide, the same channels and type) as the next
  // input rows. kInvalidArgument for another layout or more rows than the image has.
  Status push_rows(const Image& rows, int first, int count);
  // Output rows complete with the rows pushed so far and not taken yet (all of them once every input row is in).
  int ready_rows() const;
  // Those rows as an output_width x ready_rows() image (the next rows of the output, top first), and frees the
  // input rows no later output row reads. kInvalidArgument when none is ready.
  Result<Image> take_ready_rows();

 private:
  MatlabRowResizer() = default;
  template <typename T>
  void compute_rows(Image& out);

  int in_width_ = 0, in_height_ = 0, channels_ = 0;
  PixelType type_ = PixelType::kU8;
  MatlabResizePlan plan_;
  bool height_first_ = true;  // MATLAB's order: the dimension with the smaller scale first (rows on a tie)
  ResampleWeights rows_;      // along the height: in_height -> out_height
  ResampleWeights columns_;   // along the width: in_width -> out_width
  std::vector<int> last_tap_;         // [out_height]: the largest input row output row o reads
  std::vector<int> first_tap_after_;  // [out_height + 1]: the smallest input row output rows >= o read
  // Held rows [held_first_, pushed_) as they enter the height pass: input rows when the height goes first,
  // else width-resized rows. Each row is width x channels samples of type_.
  std::deque<std::vector<std::byte>> held_;
  int held_first_ = 0;
  int pushed_ = 0;
  int taken_ = 0;
};

}  // namespace litesr
