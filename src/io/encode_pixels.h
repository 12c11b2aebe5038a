// Pixel preparation shared by the 8-bit encoders (JPEG, WebP).
//
//   to_u8:        u8 is cloned; u16 v -> floor((v·255 + 32767) / 65535), i.e. v·255/65535 rounded half up;
//                 f32 is kInvalidArgument (the caller chooses how to quantise floats).
//   flatten_alpha_on_white: GA -> G, RGBA -> RGB with c' = round(c·a/255 + 255·(255−a)/255) (straight alpha);
//                 images without alpha are cloned.
#pragma once

#include "base/image.h"
#include "base/status.h"

namespace litesr {

Result<Image> to_u8(const Image& image);
Result<Image> flatten_alpha_on_white(const Image& image);  // u8 only

// What an 8-bit encoder reads, converting only what needs it: `image` itself when it is u8 and needs no
// flattening (no copy: encoders of large outputs would otherwise copy every image once or twice), else
// to_u8 and, when `flatten_alpha`, flatten_alpha_on_white of it, held in `storage`.
Result<const Image*> u8_encoder_pixels(const Image& image, bool flatten_alpha, Image& storage);

}  // namespace litesr
