#include "io/jpeg_rows.h"

// clang-format off
#include <cstdio>   // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstring>
#include <memory>
#include <string_view>

#include "io/encode_pixels.h"
#include "io/exif_orientation.h"
#include "io/jpeg_codec.h"
#include "io/jpeg_markers.h"

namespace litesr {

namespace {

// libjpeg reports errors through error_exit, which must not return: it longjmps back into the "guarded"
// function that made the call. As in png_codec.cpp, guarded functions hold no C++ objects with destructors.
// Warnings are fatal (the decoder's strictness, jpeg_codec.h) except "extraneous bytes before marker".
constexpr int kMaxScans = 500;  // the scan limit of decode_jpeg (TJFLAG_LIMITSCANS): a bound on CPU time

struct JpegErrors {
  jpeg_error_mgr pub;  // first member: libjpeg passes &pub back to us as cinfo->err
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void on_jpeg_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  if (errors->message[0] == '\0') (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  if (cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;  // cameras write these; no data is lost
  on_jpeg_error(cinfo);
}

void on_jpeg_output(j_common_ptr) {}  // never print

void on_jpeg_progress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (cinfo->is_decompressor && d->input_scan_number > kMaxScans) {
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(errors->message, sizeof errors->message, "more than %d scans", kMaxScans);
    std::longjmp(errors->jump, 1);
  }
}

void install_error_handlers(JpegErrors& errors) {
  jpeg_std_error(&errors.pub);
  errors.pub.error_exit = on_jpeg_error;
  errors.pub.emit_message = on_jpeg_message;
  errors.pub.output_message = on_jpeg_output;
}

// ---- guarded libjpeg phases (decompression) ----

bool guarded_create_decompress(jpeg_decompress_struct* d, JpegErrors* e) {
  if (setjmp(e->jump)) return false;
  jpeg_create_decompress(d);
  return true;
}

bool guarded_read_header(jpeg_decompress_struct* d, JpegErrors* e, const uint8_t* data, std::size_t size) {
  if (setjmp(e->jump)) return false;
  jpeg_mem_src(d, data, static_cast<unsigned long>(size));
  jpeg_read_header(d, TRUE);
  return true;
}

bool guarded_start_decompress(jpeg_decompress_struct* d, JpegErrors* e) {
  if (setjmp(e->jump)) return false;
  jpeg_start_decompress(d);
  return true;
}

bool guarded_read_scanline(jpeg_decompress_struct* d, JpegErrors* e, uint8_t* row) {
  if (setjmp(e->jump)) return false;
  JSAMPROW rows[1] = {row};
  return jpeg_read_scanlines(d, rows, 1) == 1;
}

bool guarded_finish_decompress(jpeg_decompress_struct* d, JpegErrors* e) {
  if (setjmp(e->jump)) return false;
  jpeg_finish_decompress(d);
  return true;
}

class JpegRowReader final : public ImageRowReader {
 public:
  static Result<std::unique_ptr<ImageRowReader>> open(std::string bytes, const ReadOptions& options) {
    auto r = std::unique_ptr<JpegRowReader>(new JpegRowReader(std::move(bytes)));
    const auto* data = reinterpret_cast<const uint8_t*>(r->bytes_.data());
    const JpegMetadata meta = read_jpeg_metadata(std::span(data, r->bytes_.size()));
    r->truncated_ = meta.truncated;
    install_error_handlers(r->errors_);
    r->cinfo_.err = &r->errors_.pub;
    if (!guarded_create_decompress(&r->cinfo_, &r->errors_)) return r->failure();
    r->created_ = true;
    r->progress_.progress_monitor = on_jpeg_progress;
    r->cinfo_.progress = &r->progress_;
    if (!guarded_read_header(&r->cinfo_, &r->errors_, data, r->bytes_.size())) return r->failure();
    const auto width = static_cast<std::size_t>(r->cinfo_.image_width);
    const auto height = static_cast<std::size_t>(r->cinfo_.image_height);
    if (width == 0 || height == 0) return jpeg_decode_failure("no image frame", meta.truncated);
    if (width > kMaxImageSide || height > kMaxImageSide || width * height > options.max_pixels) {
      return resource_exhausted("JPEG of " + std::to_string(width) + "x" + std::to_string(height) +
                                " pixels exceeds the limit (" + std::to_string(options.max_pixels) + " pixels, " +
                                std::to_string(kMaxImageSide) + " per side)");
    }
    switch (r->cinfo_.jpeg_color_space) {
      case JCS_GRAYSCALE: r->cinfo_.out_color_space = JCS_GRAYSCALE; break;
      case JCS_CMYK:
      case JCS_YCCK: return unsupported("CMYK JPEG images are not supported (convert to RGB first)");
      default: r->cinfo_.out_color_space = JCS_RGB; break;
    }
    r->cinfo_.dct_method = JDCT_ISLOW;  // decode_jpeg's TJFLAG_ACCURATEDCT; fancy upsampling is the default
    r->info_.width = static_cast<int>(width);
    r->info_.height = static_cast<int>(height);
    r->info_.channels = r->cinfo_.out_color_space == JCS_GRAYSCALE ? 1 : 3;
    r->info_.type = PixelType::kU8;
    r->info_.format = ImageFormat::kJpeg;
    r->info_.icc_profile = meta.icc_profile;
    r->info_.exif = meta.exif;
    return std::unique_ptr<ImageRowReader>(std::move(r));
  }
  ~JpegRowReader() override {
    if (created_) jpeg_destroy_decompress(&cinfo_);
  }
  Status finish() override {
    LITESR_RETURN_IF_ERROR(start());
    if (!guarded_finish_decompress(&cinfo_, &errors_)) return failure();
    return {};
  }

 protected:
  Status decode_row(uint8_t* row) override {
    LITESR_RETURN_IF_ERROR(start());
    if (!guarded_read_scanline(&cinfo_, &errors_, row)) return failure();
    return {};
  }

 private:
  explicit JpegRowReader(std::string bytes) : bytes_(std::move(bytes)) {}
  // Decompression starts with the first row, not in open(): for a progressive JPEG jpeg_start_decompress
  // entropy-decodes every scan, work wasted when the caller only wanted the header (--stream auto on a small
  // image).
  Status start() {
    if (started_) return {};
    if (!guarded_start_decompress(&cinfo_, &errors_)) return failure();
    started_ = true;
    if (cinfo_.output_components != info_.channels) return internal_error("libjpeg output channels disagree");
    return {};
  }
  Status failure() const {
    return jpeg_decode_failure(errors_.message[0] != '\0' ? errors_.message : "libjpeg error", truncated_);
  }
  std::string bytes_;
  jpeg_decompress_struct cinfo_ = {};
  JpegErrors errors_;
  jpeg_progress_mgr progress_ = {};
  bool created_ = false;
  bool started_ = false;
  bool truncated_ = false;
};

// ---- compression ----

// Destination manager: compressed bytes go through a 64 KiB buffer into the AtomicFileWriter.
struct JpegFileDestination {
  jpeg_destination_mgr pub;  // first member: libjpeg passes &pub back as cinfo->dest
  AtomicFileWriter* file = nullptr;
  JpegErrors* errors = nullptr;
  unsigned char buffer[1 << 16];
};

// Appends `n` buffered bytes; on failure records the message and longjmps (no C++ object is live then).
void flush_destination(JpegFileDestination* dest, std::size_t n) {
  bool ok = true;
  {
    const Status s = dest->file->append(std::string_view(reinterpret_cast<const char*>(dest->buffer), n));
    if (!s.ok()) {
      ok = false;
      std::snprintf(dest->errors->message, sizeof dest->errors->message, "%s", s.to_string().c_str());
    }
  }
  if (!ok) std::longjmp(dest->errors->jump, 1);
}

void on_init_destination(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<JpegFileDestination*>(cinfo->dest);
  dest->pub.next_output_byte = dest->buffer;
  dest->pub.free_in_buffer = sizeof dest->buffer;
}

boolean on_empty_output_buffer(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<JpegFileDestination*>(cinfo->dest);
  flush_destination(dest, sizeof dest->buffer);
  on_init_destination(cinfo);
  return TRUE;
}

void on_term_destination(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<JpegFileDestination*>(cinfo->dest);
  flush_destination(dest, sizeof dest->buffer - dest->pub.free_in_buffer);
}

bool guarded_create_compress(jpeg_compress_struct* c, JpegErrors* e) {
  if (setjmp(e->jump)) return false;
  jpeg_create_compress(c);
  return true;
}

// The settings of encode_jpeg (TurboJPEG with TJFLAG_ACCURATEDCT): JFIF, libjpeg's quality tables, accurate
// DCT; chroma 4:4:4 at quality >= 90, else 4:2:0. Then the metadata segments in insert_jpeg_metadata's order.
bool guarded_start_compress(jpeg_compress_struct* c, JpegErrors* e, int quality, const std::string_view* exif,
                            const std::string_view* icc) {
  if (setjmp(e->jump)) return false;
  jpeg_set_defaults(c);
  jpeg_set_colorspace(c, c->input_components == 1 ? JCS_GRAYSCALE : JCS_YCbCr);
  jpeg_set_quality(c, quality, TRUE);
  c->dct_method = JDCT_ISLOW;
  if (c->input_components == 3) {
    const int luma = quality >= 90 ? 1 : 2;
    c->comp_info[0].h_samp_factor = c->comp_info[0].v_samp_factor = luma;
    for (int k = 1; k < 3; ++k) c->comp_info[k].h_samp_factor = c->comp_info[k].v_samp_factor = 1;
  }
  jpeg_start_compress(c, TRUE);
  if (!exif->empty()) {
    jpeg_write_marker(c, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(exif->data()),
                      static_cast<unsigned int>(exif->size()));
  }
  if (!icc->empty()) {
    jpeg_write_icc_profile(c, reinterpret_cast<const JOCTET*>(icc->data()), static_cast<unsigned int>(icc->size()));
  }
  return true;
}

bool guarded_write_scanline(jpeg_compress_struct* c, JpegErrors* e, const uint8_t* row) {
  if (setjmp(e->jump)) return false;
  JSAMPROW rows[1] = {const_cast<JSAMPROW>(row)};  // libjpeg does not write to input rows
  return jpeg_write_scanlines(c, rows, 1) == 1;
}

bool guarded_finish_compress(jpeg_compress_struct* c, JpegErrors* e) {
  if (setjmp(e->jump)) return false;
  jpeg_finish_compress(c);
  return true;
}

constexpr std::size_t kMaxJpegExifBytes = 65527;  // 65533 payload bytes minus "Exif\0\0" (jpeg_markers.h)
constexpr std::size_t kMaxJpegIccBytes = std::size_t{255} * 65519;

class JpegRowWriter final : public ImageRowWriter {
 public:
  static Result<std::unique_ptr<ImageRowWriter>> create(AtomicFileWriter file, int width, int height, int channels,
                                                        PixelType type, const WriteOptions& options) {
    if (width < 1 || height < 1) return invalid_argument("cannot write an empty image");
    if (width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION) {
      return invalid_argument("JPEG images are at most " + std::to_string(JPEG_MAX_DIMENSION) + " pixels per side, not " +
                              std::to_string(width) + "x" + std::to_string(height) + " (write PNG)");
    }
    if (options.quality < 1 || options.quality > 100) {
      return invalid_argument("JPEG quality must be 1..100, got " + std::to_string(options.quality));
    }
    if (type == PixelType::kF32) return invalid_argument("image files store u8 or u16 samples; convert the f32 image first");
    if (channels < 1 || channels > 4) return invalid_argument("JPEG output takes 1-4 channels");
    const std::string_view bare_exif = strip_exif_identifier(options.exif);
    if (bare_exif.size() > kMaxJpegExifBytes || options.icc_profile.size() > kMaxJpegIccBytes) {
      return invalid_argument("the EXIF or ICC metadata does not fit in JPEG segments");
    }
    auto w = std::unique_ptr<JpegRowWriter>(new JpegRowWriter(std::move(file)));
    w->width_ = width;
    w->height_ = height;
    w->channels_ = channels;
    w->type_ = type;
    install_error_handlers(w->errors_);
    w->cinfo_.err = &w->errors_.pub;
    if (!guarded_create_compress(&w->cinfo_, &w->errors_)) return w->failure();
    w->created_ = true;
    w->dest_.file = &w->file_;
    w->dest_.errors = &w->errors_;
    w->dest_.pub.init_destination = on_init_destination;
    w->dest_.pub.empty_output_buffer = on_empty_output_buffer;
    w->dest_.pub.term_destination = on_term_destination;
    w->cinfo_.dest = &w->dest_.pub;
    w->cinfo_.image_width = static_cast<JDIMENSION>(width);
    w->cinfo_.image_height = static_cast<JDIMENSION>(height);
    const bool grey = channels <= 2;  // alpha is flattened away
    w->cinfo_.input_components = grey ? 1 : 3;
    w->cinfo_.in_color_space = grey ? JCS_GRAYSCALE : JCS_RGB;
    w->exif_segment_ = bare_exif.empty() ? std::string() : std::string("Exif\0\0", 6) + std::string(bare_exif);
    const std::string_view exif = w->exif_segment_;
    const std::string_view icc = options.icc_profile;
    if (!guarded_start_compress(&w->cinfo_, &w->errors_, options.quality, &exif, &icc)) return w->failure();
    return std::unique_ptr<ImageRowWriter>(std::move(w));
  }
  ~JpegRowWriter() override {
    if (created_) jpeg_destroy_compress(&cinfo_);
  }
  Status complete() override {
    if (!guarded_finish_compress(&cinfo_, &errors_)) return failure();
    return file_.commit();
  }

 protected:
  Status encode_rows(const Image& src, int first, int count) override {
    if (src.type() == PixelType::kU8 && (src.channels() == 1 || src.channels() == 3)) {
      for (int y = first; y < first + count; ++y) {
        if (!guarded_write_scanline(&cinfo_, &errors_, src.row_bytes_ptr(y))) return failure();
      }
      return {};
    }
    // u16 and alpha: the pixel preparation of encode_jpeg, on a copy of these rows.
    LITESR_ASSIGN_OR_RETURN(Image band, Image::create(src.width(), count, src.channels(), src.type()));
    for (int y = 0; y < count; ++y) std::memcpy(band.row_bytes_ptr(y), src.row_bytes_ptr(first + y), src.row_bytes());
    Image storage;
    LITESR_ASSIGN_OR_RETURN(const Image* flat, u8_encoder_pixels(band, /*flatten_alpha=*/true, storage));
    for (int y = 0; y < count; ++y) {
      if (!guarded_write_scanline(&cinfo_, &errors_, flat->row_bytes_ptr(y))) return failure();
    }
    return {};
  }

 private:
  explicit JpegRowWriter(AtomicFileWriter file) : file_(std::move(file)) {}
  Status failure() const {
    return io_error(std::string("JPEG encoding failed: ") + (errors_.message[0] != '\0' ? errors_.message : "libjpeg error"));
  }
  AtomicFileWriter file_;
  jpeg_compress_struct cinfo_ = {};
  JpegErrors errors_;
  JpegFileDestination dest_ = {};
  std::string exif_segment_;
  bool created_ = false;
};

}  // namespace

Result<std::unique_ptr<ImageRowReader>> open_jpeg_row_reader(std::string bytes, const ReadOptions& options) {
  return JpegRowReader::open(std::move(bytes), options);
}

Result<std::unique_ptr<ImageRowWriter>> create_jpeg_row_writer(AtomicFileWriter file, int width, int height,
                                                               int channels, PixelType type,
                                                               const WriteOptions& options) {
  return JpegRowWriter::create(std::move(file), width, height, channels, type, options);
}

}  // namespace litesr
