#include "io/png_codec.h"

#include <png.h>

#include <bit>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "io/exif_orientation.h"

namespace litesr {

namespace {

constexpr std::size_t kErrorTextSize = 256;
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// Everything the libpng callbacks touch; lives in the C++ caller's frame, outlives every longjmp.
struct PngState {
  png_structp png = nullptr;
  png_infop info = nullptr;
  std::span<const uint8_t> input;  // decoding: the file, and the read position in it
  std::size_t pos = 0;
  std::string* output = nullptr;   // encoding: where compressed bytes are appended
  char error[kErrorTextSize] = {};
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngState*>(png_get_error_ptr(png));
  if (state->error[0] == '\0') std::snprintf(state->error, sizeof state->error, "%s", message);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}  // ancillary-chunk problems: the chunk is skipped

void on_png_read(png_structp png, png_bytep out, std::size_t count) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  if (state->input.size() - state->pos < count) {
    std::snprintf(state->error, sizeof state->error, "truncated PNG data");
    png_error(png, "truncated PNG data");
  }
  std::memcpy(out, state->input.data() + state->pos, count);
  state->pos += count;
}

void on_png_write(png_structp png, png_bytep data, std::size_t count) {
  auto* state = static_cast<PngState*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    state->output->append(reinterpret_cast<const char*>(data), count);
  } catch (const std::bad_alloc&) {
    failed = true;  // reported below, outside the handler, because png_error longjmps
  }
  if (failed) png_error(png, "out of memory while encoding PNG");
}

void on_png_flush(png_structp) {}

// Owns the libpng structs of one read or write.
class PngStructs {
 public:
  PngStructs(PngState& state, bool reading) : state_(state), reading_(reading) {
    if (reading) {
      state.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
    } else {
      state.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_png_error, on_png_warning);
    }
    if (state.png != nullptr) state.info = png_create_info_struct(state.png);
  }
  ~PngStructs() {
    if (state_.png == nullptr) return;
    if (reading_) {
      png_destroy_read_struct(&state_.png, state_.info != nullptr ? &state_.info : nullptr, nullptr);
    } else {
      png_destroy_write_struct(&state_.png, state_.info != nullptr ? &state_.info : nullptr);
    }
  }
  PngStructs(const PngStructs&) = delete;
  PngStructs& operator=(const PngStructs&) = delete;
  bool ok() const { return state_.png != nullptr && state_.info != nullptr; }

 private:
  PngState& state_;
  bool reading_;
};

struct PngHeader {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
  int channels = 0;         // after the expanding transforms
  int out_bit_depth = 0;    // 8 or 16
  std::size_t rowbytes = 0;
};

// ---- guarded libpng phases: no C++ objects with destructors in these frames ----

bool guarded_read_info(PngState& s, PngHeader* h) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  // LiteSR checks dimensions itself (kResourceExhausted); let libpng accept any legal PNG size.
  png_set_user_limits(s.png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_read_fn(s.png, &s, on_png_read);
  png_read_info(s.png, s.info);
  int interlace = 0;
  png_get_IHDR(s.png, s.info, &h->width, &h->height, &h->bit_depth, &h->color_type, &interlace, nullptr, nullptr);
  return true;
}

bool guarded_set_transforms(PngState& s, PngHeader* h) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  if (h->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(s.png);
  if (h->color_type == PNG_COLOR_TYPE_GRAY && h->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(s.png);
  if (png_get_valid(s.png, s.info, PNG_INFO_tRNS) != 0) png_set_tRNS_to_alpha(s.png);
  if (h->bit_depth == 16 && kLittleEndian) png_set_swap(s.png);  // PNG stores big-endian samples
  png_set_interlace_handling(s.png);
  png_read_update_info(s.png, s.info);
  h->channels = png_get_channels(s.png, s.info);
  h->out_bit_depth = png_get_bit_depth(s.png, s.info);
  h->rowbytes = png_get_rowbytes(s.png, s.info);
  return true;
}

bool guarded_read_pixels(PngState& s, png_bytepp rows) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_read_image(s.png, rows);
  png_read_end(s.png, s.info);  // trailing chunks (an eXIf after IDAT) go into the same info
  return true;
}

bool guarded_write(PngState& s, const PngHeader* h, png_bytepp rows, const std::string* icc,
                   const std::string* exif) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_set_write_fn(s.png, &s, on_png_write, on_png_flush);
  png_set_IHDR(s.png, s.info, h->width, h->height, h->bit_depth, h->color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!icc->empty()) {
    png_set_iCCP(s.png, s.info, "ICC Profile", PNG_COMPRESSION_TYPE_BASE,
                 reinterpret_cast<png_const_bytep>(icc->data()), static_cast<png_uint_32>(icc->size()));
  }
  if (!exif->empty()) {
    png_set_eXIf_1(s.png, s.info, static_cast<png_uint_32>(exif->size()),
                   reinterpret_cast<png_bytep>(const_cast<char*>(exif->data())));
  }
  png_write_info(s.png, s.info);
  if (h->bit_depth == 16 && kLittleEndian) png_set_swap(s.png);
  png_write_image(s.png, rows);
  png_write_end(s.png, s.info);
  return true;
}

Status png_failure(const PngState& s) {
  const std::string_view text = s.error[0] != '\0' ? std::string_view(s.error) : std::string_view("libpng error");
  if (text == "truncated PNG data") return corrupt_data(std::string(text));
  return corrupt_data("corrupt PNG data (" + std::string(text) + ")");
}

}  // namespace

Result<DecodedImage> decode_png(std::span<const uint8_t> bytes, const ReadOptions& options) {
  PngState state;
  state.input = bytes;
  PngStructs structs(state, /*reading=*/true);
  if (!structs.ok()) return resource_exhausted("cannot initialise libpng");

  PngHeader header;
  if (!guarded_read_info(state, &header)) return png_failure(state);
  const std::size_t pixels = std::size_t{header.width} * header.height;
  if (header.width > static_cast<png_uint_32>(kMaxImageSide) ||
      header.height > static_cast<png_uint_32>(kMaxImageSide) || pixels > options.max_pixels) {
    return resource_exhausted("PNG of " + std::to_string(header.width) + "x" + std::to_string(header.height) +
                              " pixels exceeds the limit (" + std::to_string(options.max_pixels) +
                              " pixels, " + std::to_string(kMaxImageSide) + " per side)");
  }
  DecodedImage out;
  out.format = ImageFormat::kPng;
  // iCCP precedes IDAT, so it is known now; eXIf may follow IDAT and is read after png_read_end.
  {
    png_charp name = nullptr;
    int compression = 0;
    png_bytep profile = nullptr;
    png_uint_32 length = 0;
    if (png_get_iCCP(state.png, state.info, &name, &compression, &profile, &length) != 0 && profile != nullptr) {
      out.icc_profile.assign(reinterpret_cast<const char*>(profile), length);
    }
  }
  if (!guarded_set_transforms(state, &header)) return png_failure(state);
  if (header.channels < 1 || header.channels > 4 || (header.out_bit_depth != 8 && header.out_bit_depth != 16)) {
    return unsupported("PNG layout of " + std::to_string(header.channels) + " channels at " +
                       std::to_string(header.out_bit_depth) + " bits is not supported");
  }
  const PixelType type = header.out_bit_depth == 16 ? PixelType::kU16 : PixelType::kU8;
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(static_cast<int>(header.width),
                                                     static_cast<int>(header.height), header.channels, type));
  if (header.rowbytes != image.row_bytes()) return internal_error("libpng row size disagrees with the image");
  std::vector<png_bytep> rows(header.height);
  for (png_uint_32 y = 0; y < header.height; ++y) rows[y] = image.row_bytes_ptr(static_cast<int>(y));
  if (!guarded_read_pixels(state, rows.data())) return png_failure(state);
  {
    png_uint_32 length = 0;
    png_bytep exif = nullptr;
    if (png_get_eXIf_1(state.png, state.info, &length, &exif) != 0 && exif != nullptr) {
      out.exif.assign(reinterpret_cast<const char*>(exif), length);
    }
  }
  out.bit_depth = header.out_bit_depth;
  out.image = std::move(image);
  return out;
}

namespace {

// One complete encode; false with `error` set when libpng fails.
bool encode_png_once(const Image& image, const PngHeader& header, const std::string& icc, const std::string& exif,
                     std::string* output, std::string* error) {
  output->clear();
  PngState state;
  state.output = output;
  PngStructs structs(state, /*reading=*/false);
  if (!structs.ok()) {
    *error = "cannot initialise libpng";
    return false;
  }
  std::vector<png_bytep> rows(header.height);
  for (png_uint_32 y = 0; y < header.height; ++y) {
    rows[y] = const_cast<png_bytep>(image.row_bytes_ptr(static_cast<int>(y)));  // libpng does not write to rows
  }
  if (!guarded_write(state, &header, rows.data(), &icc, &exif)) {
    *error = state.error;
    return false;
  }
  return true;
}

}  // namespace

Result<std::string> encode_png(const Image& image, const WriteOptions& options) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  if (image.type() == PixelType::kF32) {
    return invalid_argument("PNG stores integer samples; convert the f32 image to u8 or u16 first");
  }
  PngHeader header;
  header.width = static_cast<png_uint_32>(image.width());
  header.height = static_cast<png_uint_32>(image.height());
  header.bit_depth = image.type() == PixelType::kU16 ? 16 : 8;
  constexpr int kColorTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                 PNG_COLOR_TYPE_RGB_ALPHA};
  header.color_type = kColorTypes[image.channels() - 1];

  std::string output;
  std::string error;
  // eXIf holds bare TIFF bytes (PNG 3rd edition §11.3.3.7); drop a JPEG-style "Exif\0\0" identifier.
  const std::string exif(strip_exif_identifier(options.exif));
  if (encode_png_once(image, header, options.icc_profile, exif, &output, &error)) return output;
  // libpng refuses some profiles outright (an RGB profile on a grey image); drop the profile, as the header
  // documents, rather than fail the write.
  if (!options.icc_profile.empty() && encode_png_once(image, header, "", exif, &output, &error)) {
    return output;
  }
  return internal_error("PNG encoding failed: " + error);
}

}  // namespace litesr
