// Luma networks on colour images, the way the SR literature runs them (SRCNN / FSRCNN / ESPCN code): the image
// goes to Y'CbCr with MATLAB's rgb2ycbcr (BT.601 limited range: Y = 16 + 65.481·R + 128.553·G + 24.966·B,
// DESIGN §5), the network upscales Y (as Y/255, unrounded), Cb and Cr are upscaled with MATLAB's bicubic
// imresize (symmetric borders, its default), and ycbcr2rgb brings the result back to RGB (clamped to [0, 1]).
// A grey image is R = G = B: its Cb and Cr are 128 and the round trip gives a grey result back.
#pragma once

#include "base/image.h"
#include "base/status.h"

namespace litesr {

// u8, u16 or f32 (in [0, 1]) RGB -> f32 one-channel Y/255 of the same size (what a luma network takes).
Result<Image> luma_of_rgb(const Image& rgb);

// The upscaled luma `y_sr` (f32, one channel, Y/255, size scale x lr's) with lr_rgb's chroma upscaled by
// MATLAB bicubic (matlab_imresize's samples exactly) -> RGB of lr_rgb's pixel type (u8 / u16 rounded half up, f32
// in [0, 1]). Output rows are shared among `threads` threads (<= 0: one per core); the result does not depend on it.
Result<Image> merge_upscaled_luma(const Image& y_sr, const Image& lr_rgb, int scale, int threads = 1);

}  // namespace litesr
