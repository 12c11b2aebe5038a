#include "io/png_codec.h"

#include <png.h>

#include <bit>
#include <csetjmp>
#include <memory>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "io/atomic_file.h"
#include "io/exif_orientation.h"
#include "io/png_fast_encoder.h"

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
  int interlace = 0;        // PNG_INTERLACE_NONE or PNG_INTERLACE_ADAM7
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
  png_get_IHDR(s.png, s.info, &h->width, &h->height, &h->bit_depth, &h->color_type, &h->interlace, nullptr,
               nullptr);
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

bool guarded_read_row(PngState& s, png_bytep row) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_read_row(s.png, row, nullptr);
  return true;
}

bool guarded_read_end(PngState& s) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_read_end(s.png, s.info);
  return true;
}

bool guarded_write_header(PngState& s, const PngHeader* h, const std::string* icc, const std::string* exif,
                          int zlib_level) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_set_write_fn(s.png, &s, on_png_write, on_png_flush);
  png_set_compression_level(s.png, zlib_level);
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
  return true;
}

bool guarded_write_row(PngState& s, png_const_bytep row) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_write_row(s.png, row);
  return true;
}

bool guarded_write_end(PngState& s) {
  if (setjmp(png_jmpbuf(s.png))) return false;
  png_write_end(s.png, s.info);
  return true;
}

Status png_failure(const PngState& s) {
  const std::string_view text = s.error[0] != '\0' ? std::string_view(s.error) : std::string_view("libpng error");
  if (text == "truncated PNG data") return corrupt_data(std::string(text));
  return corrupt_data("corrupt PNG data (" + std::string(text) + ")");
}

// One PNG being decoded: open() reads the header and sets the transforms of the image_file.h contract; then
// the rows come either whole (read_image, any interlacing) or one by one (read_row, non-interlaced only).
// Lives on the heap: libpng keeps pointers to `state_`.
class PngDecoder {
 public:
  static Result<std::unique_ptr<PngDecoder>> open(std::span<const uint8_t> bytes, const ReadOptions& options) {
    auto d = std::unique_ptr<PngDecoder>(new PngDecoder());
    d->state_.input = bytes;
    d->structs_ = std::make_unique<PngStructs>(d->state_, /*reading=*/true);
    if (!d->structs_->ok()) return resource_exhausted("cannot initialise libpng");
    PngState& state = d->state_;
    PngHeader& header = d->header_;
    if (!guarded_read_info(state, &header)) return png_failure(state);
    const std::size_t pixels = std::size_t{header.width} * header.height;
    if (header.width > static_cast<png_uint_32>(kMaxImageSide) ||
        header.height > static_cast<png_uint_32>(kMaxImageSide) || pixels > options.max_pixels) {
      return resource_exhausted("PNG of " + std::to_string(header.width) + "x" + std::to_string(header.height) +
                                " pixels exceeds the limit (" + std::to_string(options.max_pixels) +
                                " pixels, " + std::to_string(kMaxImageSide) + " per side)");
    }
    // iCCP and an eXIf that precedes IDAT are known now; an eXIf after IDAT only after end().
    png_charp name = nullptr;
    int compression = 0;
    png_bytep profile = nullptr;
    png_uint_32 length = 0;
    if (png_get_iCCP(state.png, state.info, &name, &compression, &profile, &length) != 0 && profile != nullptr) {
      d->icc_profile_.assign(reinterpret_cast<const char*>(profile), length);
    }
    d->exif_ = d->exif_chunk();
    if (!guarded_set_transforms(state, &header)) return png_failure(state);
    if (header.channels < 1 || header.channels > 4 || (header.out_bit_depth != 8 && header.out_bit_depth != 16)) {
      return unsupported("PNG layout of " + std::to_string(header.channels) + " channels at " +
                         std::to_string(header.out_bit_depth) + " bits is not supported");
    }
    return d;
  }

  const PngHeader& header() const { return header_; }
  PixelType type() const { return header_.out_bit_depth == 16 ? PixelType::kU16 : PixelType::kU8; }
  const std::string& icc_profile() const { return icc_profile_; }
  const std::string& exif_before_data() const { return exif_; }

  Status read_image(Image& image) {
    if (header_.rowbytes != image.row_bytes()) return internal_error("libpng row size disagrees with the image");
    std::vector<png_bytep> rows(header_.height);
    for (png_uint_32 y = 0; y < header_.height; ++y) rows[y] = image.row_bytes_ptr(static_cast<int>(y));
    if (!guarded_read_pixels(state_, rows.data())) return png_failure(state_);
    return {};
  }
  Status read_row(uint8_t* row) {
    if (!guarded_read_row(state_, row)) return png_failure(state_);
    return {};
  }
  Status end() {
    if (!guarded_read_end(state_)) return png_failure(state_);
    return {};
  }
  // The eXIf chunk seen so far (all of them after read_image or end()).
  std::string exif_chunk() const {
    png_uint_32 length = 0;
    png_bytep exif = nullptr;
    if (png_get_eXIf_1(state_.png, state_.info, &length, &exif) != 0 && exif != nullptr) {
      return std::string(reinterpret_cast<const char*>(exif), length);
    }
    return {};
  }

 private:
  PngDecoder() = default;
  PngState state_;
  std::unique_ptr<PngStructs> structs_;
  PngHeader header_;
  std::string icc_profile_;
  std::string exif_;
};

// One PNG being encoded into output() (the caller drains it as it likes): start() writes the header, then
// write_row() per row, then end(). An ICC profile that libpng refuses is dropped (image_file.h).
class PngEncoder {
 public:
  static Result<std::unique_ptr<PngEncoder>> start(int width, int height, int channels, PixelType type,
                                                   const std::string& icc, std::string_view exif, int zlib_level) {
    LITESR_RETURN_IF_ERROR(check_png_layout(width, height, channels, type));
    PngHeader header;
    header.width = static_cast<png_uint_32>(width);
    header.height = static_cast<png_uint_32>(height);
    header.bit_depth = type == PixelType::kU16 ? 16 : 8;
    header.color_type = color_type(channels);
    // eXIf holds bare TIFF bytes (PNG 3rd edition §11.3.3.7); drop a JPEG-style "Exif\0\0" identifier.
    const std::string bare_exif(strip_exif_identifier(exif));
    std::string error;
    auto e = try_start(header, icc, bare_exif, zlib_level, &error);
    // libpng refuses some profiles outright (an RGB profile on a grey image): drop the profile rather than fail.
    if (e == nullptr && !icc.empty()) e = try_start(header, "", bare_exif, zlib_level, &error);
    if (e == nullptr) return internal_error("PNG encoding failed: " + error);
    return e;
  }

  // libpng's verdict on an ICC profile for images of `channels` channels (the one rule for both encoders).
  static bool accepts_icc(int channels, const std::string& icc) {
    PngHeader header;
    header.width = header.height = 1;
    header.bit_depth = 8;
    header.color_type = color_type(channels);
    std::string error;
    return try_start(header, icc, "", 1, &error) != nullptr;
  }

  std::string& output() { return output_; }
  Status write_row(const uint8_t* row) {
    if (!guarded_write_row(state_, row)) return internal_error(std::string("PNG encoding failed: ") + state_.error);
    return {};
  }
  Status end() {
    if (!guarded_write_end(state_)) return internal_error(std::string("PNG encoding failed: ") + state_.error);
    return {};
  }

 private:
  PngEncoder() = default;
  static int color_type(int channels) {
    constexpr int kColorTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                   PNG_COLOR_TYPE_RGB_ALPHA};
    return kColorTypes[channels - 1];
  }
  static std::unique_ptr<PngEncoder> try_start(const PngHeader& header, const std::string& icc,
                                               const std::string& exif, int zlib_level, std::string* error) {
    auto e = std::unique_ptr<PngEncoder>(new PngEncoder());
    e->state_.output = &e->output_;
    e->structs_ = std::make_unique<PngStructs>(e->state_, /*reading=*/false);
    if (!e->structs_->ok()) {
      *error = "cannot initialise libpng";
      return nullptr;
    }
    if (!guarded_write_header(e->state_, &header, &icc, &exif, zlib_level)) {
      *error = e->state_.error;
      return nullptr;
    }
    return e;
  }
  PngState state_;
  std::unique_ptr<PngStructs> structs_;
  std::string output_;
};

// ImageRowReader over a non-interlaced PNG held in memory (the compressed bytes; rows decode on demand).
class PngRowReader final : public ImageRowReader {
 public:
  static Result<std::unique_ptr<ImageRowReader>> open(std::string bytes, const ReadOptions& options) {
    auto r = std::unique_ptr<PngRowReader>(new PngRowReader(std::move(bytes)));
    const auto* data = reinterpret_cast<const uint8_t*>(r->bytes_.data());
    LITESR_ASSIGN_OR_RETURN(r->decoder_, PngDecoder::open(std::span(data, r->bytes_.size()), options));
    const PngHeader& h = r->decoder_->header();
    if (h.interlace != PNG_INTERLACE_NONE) return unsupported("interlaced PNG images do not stream");
    r->info_.width = static_cast<int>(h.width);
    r->info_.height = static_cast<int>(h.height);
    r->info_.channels = h.channels;
    r->info_.type = r->decoder_->type();
    r->info_.format = ImageFormat::kPng;
    r->info_.icc_profile = r->decoder_->icc_profile();
    r->info_.exif = r->decoder_->exif_before_data();
    return std::unique_ptr<ImageRowReader>(std::move(r));
  }
  Status finish() override {
    LITESR_RETURN_IF_ERROR(decoder_->end());
    if (decoder_->exif_chunk() != info_.exif) return unsupported("EXIF metadata after the PNG image data");
    return {};
  }

 protected:
  Status decode_row(uint8_t* row) override { return decoder_->read_row(row); }

 private:
  explicit PngRowReader(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
  std::unique_ptr<PngDecoder> decoder_;
};

// What the fast encoder embeds: the ICC profile when libpng would embed it, EXIF as bare TIFF bytes.
struct FastPngMetadata {
  std::string icc;
  std::string exif;
};
FastPngMetadata fast_png_metadata(int channels, const WriteOptions& options) {
  FastPngMetadata m;
  if (!options.icc_profile.empty() && channels >= 1 && channels <= 4 &&
      PngEncoder::accepts_icc(channels, options.icc_profile)) {
    m.icc = options.icc_profile;
  }
  m.exif = std::string(strip_exif_identifier(options.exif));
  return m;
}

// ImageRowWriter: PNG rows into an atomic file, drained after every band; the fast encoder at
// kPngLevelFast, libpng otherwise (the same encoders, hence the same bytes, as encode_png).
class PngRowWriter final : public ImageRowWriter {
 public:
  static Result<std::unique_ptr<ImageRowWriter>> create(AtomicFileWriter file, int width, int height, int channels,
                                                        PixelType type, const WriteOptions& options) {
    LITESR_RETURN_IF_ERROR(check_png_level(options.png_level));
    auto w = std::unique_ptr<PngRowWriter>(new PngRowWriter(std::move(file)));
    if (options.png_level == kPngLevelFast) {
      const FastPngMetadata meta = fast_png_metadata(channels, options);
      LITESR_ASSIGN_OR_RETURN(w->fast_, PngFastEncoder::start(width, height, channels, type, meta.icc, meta.exif));
    } else {
      LITESR_ASSIGN_OR_RETURN(w->libpng_, PngEncoder::start(width, height, channels, type, options.icc_profile,
                                                            options.exif, options.png_level));
    }
    w->width_ = width;
    w->height_ = height;
    w->channels_ = channels;
    w->type_ = type;
    return std::unique_ptr<ImageRowWriter>(std::move(w));
  }
  Status complete() override {
    LITESR_RETURN_IF_ERROR(fast_ ? fast_->finish() : libpng_->end());
    LITESR_RETURN_IF_ERROR(drain());
    return file_.commit();
  }

 protected:
  Status encode_rows(const Image& src, int first, int count) override {
    if (fast_) {
      LITESR_RETURN_IF_ERROR(fast_->add_rows(src, first, count));
    } else {
      for (int y = first; y < first + count; ++y) LITESR_RETURN_IF_ERROR(libpng_->write_row(src.row_bytes_ptr(y)));
    }
    return drain();
  }

 private:
  explicit PngRowWriter(AtomicFileWriter file) : file_(std::move(file)) {}
  Status drain() {
    std::string& output = fast_ ? fast_->output() : libpng_->output();
    LITESR_RETURN_IF_ERROR(file_.append(output));
    output.clear();
    return {};
  }
  AtomicFileWriter file_;
  std::unique_ptr<PngEncoder> libpng_;
  std::unique_ptr<PngFastEncoder> fast_;
};

}  // namespace

Status check_png_level(int level) {
  if (level < 0 || level > 9) return invalid_argument("PNG level must be 0..9 (1 = fast, the default)");
  return {};
}

Result<DecodedImage> decode_png(std::span<const uint8_t> bytes, const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<PngDecoder> decoder, PngDecoder::open(bytes, options));
  const PngHeader& header = decoder->header();
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(static_cast<int>(header.width),
                                                     static_cast<int>(header.height), header.channels,
                                                     decoder->type()));
  LITESR_RETURN_IF_ERROR(decoder->read_image(image));  // trailing chunks (an eXIf after IDAT) included
  DecodedImage out;
  out.format = ImageFormat::kPng;
  out.icc_profile = decoder->icc_profile();
  out.exif = decoder->exif_chunk();
  out.bit_depth = header.out_bit_depth;
  out.image = std::move(image);
  return out;
}

Result<std::string> encode_png(const Image& image, const WriteOptions& options) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  LITESR_RETURN_IF_ERROR(check_png_level(options.png_level));
  if (options.png_level == kPngLevelFast) {
    const FastPngMetadata meta = fast_png_metadata(image.channels(), options);
    return encode_png_fast(image, meta.icc, meta.exif, options.threads);
  }
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<PngEncoder> encoder,
                          PngEncoder::start(image.width(), image.height(), image.channels(), image.type(),
                                            options.icc_profile, options.exif, options.png_level));
  for (int y = 0; y < image.height(); ++y) LITESR_RETURN_IF_ERROR(encoder->write_row(image.row_bytes_ptr(y)));
  LITESR_RETURN_IF_ERROR(encoder->end());
  return std::move(encoder->output());
}

Result<std::unique_ptr<ImageRowReader>> open_png_row_reader(std::string bytes, const ReadOptions& options) {
  return PngRowReader::open(std::move(bytes), options);
}

Result<std::unique_ptr<ImageRowWriter>> create_png_row_writer(AtomicFileWriter file, int width, int height,
                                                              int channels, PixelType type,
                                                              const WriteOptions& options) {
  return PngRowWriter::create(std::move(file), width, height, channels, type, options);
}

}  // namespace litesr
