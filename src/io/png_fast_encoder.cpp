#include "io/png_fast_encoder.h"

#if LITESR_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

namespace litesr {

namespace {

#if LITESR_HAVE_ISAL
constexpr int kIgzipLevel = 2;  // measured: level 2 is as fast as 1 and ~1 % smaller on SR outputs
constexpr std::size_t kIgzipLevelBufferBytes = ISAL_DEF_LVL2_DEFAULT;
#else
// Builds without ISA-L (LITESR_WITH_ISAL=OFF: cross builds, docs/arm.md) deflate with zlib at its fastest level:
// the same stripes and the same decoded pixels, other (and slower to make) deflate bytes.
constexpr int kZlibFastLevel = 1;
#endif
constexpr uint8_t kAverageFilter = 3;
constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr uint8_t kZlibHeader[2] = {0x78, 0x01};  // deflate, 32 KiB window, "fastest" level hint; 0x7801 % 31 == 0

// CRC-32 (PNG chunks) and Adler-32 (zlib streams) of `n` bytes, continuing from `crc` / `adler`.
uint32_t crc32_of(uint32_t crc, const unsigned char* data, std::size_t n) {
#if LITESR_HAVE_ISAL
  return crc32_gzip_refl(crc, data, n);
#else
  return static_cast<uint32_t>(crc32_z(crc, data, n));
#endif
}
uint32_t adler32_of(uint32_t adler, const unsigned char* data, std::size_t n) {
#if LITESR_HAVE_ISAL
  return isal_adler32(adler, data, n);
#else
  return static_cast<uint32_t>(adler32_z(adler, data, n));
#endif
}

void put_u32_be(std::string& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out.append(b, 4);
}

// One chunk: length, type, data, CRC-32 of type + data.
void put_chunk(std::string& out, const char type[4], std::string_view data) {
  put_u32_be(out, static_cast<uint32_t>(data.size()));
  const std::size_t type_at = out.size();
  out.append(type, 4);
  out.append(data);
  const auto* crc_from = reinterpret_cast<const unsigned char*>(out.data() + type_at);
  put_u32_be(out, crc32_of(0, crc_from, 4 + data.size()));
}

// A row's bytes in PNG order: u8 as stored; u16 big-endian (swapped into `scratch` on little-endian hosts).
const uint8_t* png_order_row(const Image& image, int y, std::vector<uint8_t>& scratch) {
  const uint8_t* row = image.row_bytes_ptr(y);
  if (image.type() != PixelType::kU16 || std::endian::native == std::endian::big) return row;
  const std::size_t n = image.row_bytes();
  scratch.resize(n);
  for (std::size_t i = 0; i < n; i += 2) {
    scratch[i] = row[i + 1];
    scratch[i + 1] = row[i];
  }
  return scratch.data();
}

// PNG filter type 3 (Average) of `n` row bytes with `bpp` bytes per pixel; `prev` is the previous row in PNG
// order, nullptr for the first row of the image (all zero). Writes the filter byte and n filtered bytes.
void filter_row_average(const uint8_t* row, const uint8_t* prev, std::size_t n, std::size_t bpp, uint8_t* out) {
  out[0] = kAverageFilter;
  uint8_t* o = out + 1;
  if (prev == nullptr) {
    for (std::size_t i = 0; i < bpp; ++i) o[i] = row[i];
    for (std::size_t i = bpp; i < n; ++i) o[i] = static_cast<uint8_t>(row[i] - (row[i - bpp] >> 1));
    return;
  }
  for (std::size_t i = 0; i < bpp; ++i) o[i] = static_cast<uint8_t>(row[i] - (prev[i] >> 1));
  for (std::size_t i = bpp; i < n; ++i) {
    o[i] = static_cast<uint8_t>(row[i] - ((static_cast<unsigned>(row[i - bpp]) + prev[i]) >> 1));
  }
}

// Compresses `n` filtered bytes as one stripe: a raw deflate stream that ends in a full flush, or ends the
// whole stream when `last`. Appends to `out`.
#if LITESR_HAVE_ISAL
Status deflate_stripe(const uint8_t* data, std::size_t n, bool last, std::vector<uint8_t>& level_buffer,
                      std::string& out) {
  level_buffer.resize(kIgzipLevelBufferBytes);
  isal_zstream stream;
  isal_deflate_init(&stream);
  stream.level = kIgzipLevel;
  stream.level_buf = level_buffer.data();
  stream.level_buf_size = static_cast<uint32_t>(level_buffer.size());
  stream.next_in = const_cast<uint8_t*>(data);
  stream.avail_in = static_cast<uint32_t>(n);
  stream.end_of_stream = last ? 1 : 0;
  stream.flush = last ? NO_FLUSH : FULL_FLUSH;
  const std::size_t start = out.size();
  std::size_t room = n + n / 8 + 4096;  // deflate's worst case is ~n + n/16000; grown below if ever short
  for (;;) {
    const std::size_t used = static_cast<std::size_t>(stream.total_out);
    out.resize(start + used + room);
    stream.next_out = reinterpret_cast<uint8_t*>(out.data() + start + used);
    stream.avail_out = static_cast<uint32_t>(room);
    if (isal_deflate(&stream) != COMP_OK) return internal_error("PNG encoding failed (igzip)");
    const bool done = stream.avail_in == 0 && stream.avail_out > 0 &&
                      (!last || stream.internal_state.state == ZSTATE_END);
    if (done) break;
    room *= 2;
  }
  out.resize(start + stream.total_out);
  return {};
}
#else
Status deflate_stripe(const uint8_t* data, std::size_t n, bool last, std::vector<uint8_t>& /*level_buffer*/,
                      std::string& out) {
  z_stream stream{};
  // windowBits -15: a raw deflate stream (the zlib header and the Adler-32 are put_idat's).
  if (deflateInit2(&stream, kZlibFastLevel, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return internal_error("PNG encoding failed (zlib deflateInit2)");
  }
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(n);  // a stripe is about kPngStripeBytes, far below 4 GiB
  const std::size_t start = out.size();
  std::size_t room = deflateBound(&stream, static_cast<uLong>(n)) + 64;  // + the full flush's empty stored block
  int rc = Z_OK;
  for (;;) {
    const std::size_t used = static_cast<std::size_t>(stream.total_out);
    out.resize(start + used + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + start + used);
    stream.avail_out = static_cast<uInt>(room);
    rc = deflate(&stream, last ? Z_FINISH : Z_FULL_FLUSH);
    if (rc == Z_STREAM_ERROR) break;
    const bool done = last ? rc == Z_STREAM_END : (stream.avail_in == 0 && stream.avail_out > 0);
    if (done) break;
    room *= 2;
  }
  const std::size_t total = static_cast<std::size_t>(stream.total_out);
  deflateEnd(&stream);
  if (rc == Z_STREAM_ERROR) return internal_error("PNG encoding failed (zlib deflate)");
  out.resize(start + total);
  return {};
}
#endif  // LITESR_HAVE_ISAL

// An IDAT chunk for stripe `index` of a stream: [zlib header] + deflate bytes + [Adler-32].
void put_idat(std::string& out, bool first, std::string_view deflate, bool last, uint32_t adler) {
  std::string data;
  data.reserve(deflate.size() + 6);
  if (first) data.append(reinterpret_cast<const char*>(kZlibHeader), 2);
  data.append(deflate);
  if (last) put_u32_be(data, adler);
  put_chunk(out, "IDAT", data);
}

// zlib stream of `bytes` (for iCCP).
Result<std::string> zlib_compress(std::string_view bytes) {
  std::vector<uint8_t> level_buffer;
  std::string out(reinterpret_cast<const char*>(kZlibHeader), 2);
  LITESR_RETURN_IF_ERROR(deflate_stripe(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), true,
                                        level_buffer, out));
  put_u32_be(out, adler32_of(1, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  return out;
}

Result<std::string> png_header(int width, int height, int channels, PixelType type, std::string_view icc,
                               std::string_view exif) {
  LITESR_RETURN_IF_ERROR(check_png_layout(width, height, channels, type));
  constexpr uint8_t kColourTypes[] = {0, 4, 2, 6};  // grey, grey+alpha, RGB, RGBA
  std::string out(reinterpret_cast<const char*>(kPngSignature), sizeof kPngSignature);
  std::string ihdr;
  put_u32_be(ihdr, static_cast<uint32_t>(width));
  put_u32_be(ihdr, static_cast<uint32_t>(height));
  ihdr.push_back(static_cast<char>(type == PixelType::kU16 ? 16 : 8));
  ihdr.push_back(static_cast<char>(kColourTypes[channels - 1]));
  ihdr.append(3, '\0');  // compression 0, filter method 0, no interlace
  put_chunk(out, "IHDR", ihdr);
  if (!icc.empty()) {
    std::string iccp("ICC Profile");
    iccp.push_back('\0');
    iccp.push_back('\0');  // compression method 0 (zlib)
    LITESR_ASSIGN_OR_RETURN(const std::string compressed, zlib_compress(icc));
    iccp += compressed;
    put_chunk(out, "iCCP", iccp);
  }
  if (!exif.empty()) put_chunk(out, "eXIf", exif);
  return out;
}

std::size_t bytes_per_pixel(int channels, PixelType type) {
  return static_cast<std::size_t>(channels) * (type == PixelType::kU16 ? 2 : 1);
}

}  // namespace

Status check_png_layout(int width, int height, int channels, PixelType type) {
  if (width < 1 || height < 1) return invalid_argument("cannot write an empty image");
  if (type == PixelType::kF32) {
    return invalid_argument("PNG stores integer samples; convert the f32 image to u8 or u16 first");
  }
  if (channels < 1 || channels > 4) return invalid_argument("PNG holds 1-4 channels");
  return {};
}

int png_stripe_rows(std::size_t row_bytes) {
  return static_cast<int>(std::max<std::size_t>(1, kPngStripeBytes / (row_bytes + 1)));
}

struct PngFastEncoder::State {
  int width = 0, height = 0, channels = 0;
  PixelType type = PixelType::kU8;
  std::size_t row_bytes = 0, bpp = 0;
  int stripe_rows = 0;
  int rows_done = 0;
  int stripe_index = 0;
  uint32_t adler = 1;
  std::vector<uint8_t> prev;       // the previous row in PNG order (empty before the first row)
  std::vector<uint8_t> scratch;    // u16 byte swap
  std::vector<uint8_t> filtered;   // the current stripe's filtered rows
  std::vector<uint8_t> level_buffer;
  std::string deflated;
};

PngFastEncoder::~PngFastEncoder() = default;

Result<std::unique_ptr<PngFastEncoder>> PngFastEncoder::start(int width, int height, int channels, PixelType type,
                                                              std::string_view icc, std::string_view exif) {
  auto e = std::unique_ptr<PngFastEncoder>(new PngFastEncoder());
  LITESR_ASSIGN_OR_RETURN(e->output_, png_header(width, height, channels, type, icc, exif));
  e->state_ = std::make_unique<State>();
  State& s = *e->state_;
  s.width = width;
  s.height = height;
  s.channels = channels;
  s.type = type;
  s.bpp = bytes_per_pixel(channels, type);
  s.row_bytes = s.bpp * static_cast<std::size_t>(width);
  s.stripe_rows = png_stripe_rows(s.row_bytes);
  return e;
}

Status PngFastEncoder::add_rows(const Image& src, int first, int count) {
  State& s = *state_;
  if (src.width() != s.width || src.channels() != s.channels || src.type() != s.type) {
    return invalid_argument("rows do not match the PNG being written");
  }
  if (first < 0 || count < 0 || first + count > src.height() || s.rows_done + count > s.height) {
    return invalid_argument("PNG row range out of bounds");
  }
  const std::size_t filtered_row = s.row_bytes + 1;
  for (int y = first; y < first + count; ++y) {
    const uint8_t* row = png_order_row(src, y, s.scratch);
    const std::size_t at = s.filtered.size();
    s.filtered.resize(at + filtered_row);
    filter_row_average(row, s.prev.empty() ? nullptr : s.prev.data(), s.row_bytes, s.bpp, s.filtered.data() + at);
    s.prev.assign(row, row + s.row_bytes);
    ++s.rows_done;
    const bool last = s.rows_done == s.height;
    if (last || s.filtered.size() == filtered_row * static_cast<std::size_t>(s.stripe_rows)) {
      s.adler = adler32_of(s.adler, s.filtered.data(), s.filtered.size());
      s.deflated.clear();
      LITESR_RETURN_IF_ERROR(deflate_stripe(s.filtered.data(), s.filtered.size(), last, s.level_buffer, s.deflated));
      put_idat(output_, s.stripe_index == 0, s.deflated, last, s.adler);
      ++s.stripe_index;
      s.filtered.clear();
    }
  }
  return {};
}

Status PngFastEncoder::finish() {
  if (state_->rows_done != state_->height) return internal_error("PNG finished before its last row");
  put_chunk(output_, "IEND", {});
  return {};
}

Result<std::string> encode_png_fast(const Image& image, std::string_view icc, std::string_view exif, int threads) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  LITESR_ASSIGN_OR_RETURN(std::string out,
                          png_header(image.width(), image.height(), image.channels(), image.type(), icc, exif));
  const std::size_t row_bytes = image.row_bytes();
  const std::size_t bpp = bytes_per_pixel(image.channels(), image.type());
  const int stripe_rows = png_stripe_rows(row_bytes);
  const int stripes = (image.height() + stripe_rows - 1) / stripe_rows;

  struct Stripe {
    std::string deflated;
    uint32_t adler = 1;   // Adler-32 of this stripe's filtered bytes alone
    std::size_t bytes = 0;
    Status status;
  };
  std::vector<Stripe> results(static_cast<std::size_t>(stripes));
  std::atomic<int> next{0};
  auto work = [&] {
    std::vector<uint8_t> filtered, level_buffer, scratch_a, scratch_b;
    for (int j = next.fetch_add(1); j < stripes; j = next.fetch_add(1)) {
      Stripe& r = results[static_cast<std::size_t>(j)];
      const int y0 = j * stripe_rows, y1 = std::min(image.height(), y0 + stripe_rows);
      try {  // this runs on helper threads too: no exception may leave it
        filtered.resize((row_bytes + 1) * static_cast<std::size_t>(y1 - y0));
        const uint8_t* prev = y0 > 0 ? png_order_row(image, y0 - 1, scratch_a) : nullptr;
        for (int y = y0; y < y1; ++y) {
          std::vector<uint8_t>& scratch = prev == scratch_a.data() && !scratch_a.empty() ? scratch_b : scratch_a;
          const uint8_t* row = png_order_row(image, y, scratch);
          filter_row_average(row, prev, row_bytes, bpp, filtered.data() + (row_bytes + 1) * (y - y0));
          prev = row;
        }
        r.bytes = filtered.size();
        r.adler = adler32_of(1, filtered.data(), filtered.size());
        r.status = deflate_stripe(filtered.data(), filtered.size(), j == stripes - 1, level_buffer, r.deflated);
      } catch (const std::bad_alloc&) {
        r.status = resource_exhausted("out of memory while encoding PNG");
      }
    }
  };
  const int helpers = std::clamp(threads, 1, stripes) - 1;
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(helpers));
  for (int t = 0; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  uint32_t adler = 1;
  for (const Stripe& r : results) {
    LITESR_RETURN_IF_ERROR(r.status);
    adler = static_cast<uint32_t>(adler32_combine(adler, r.adler, static_cast<z_off_t>(r.bytes)));
  }
  for (int j = 0; j < stripes; ++j) {
    put_idat(out, j == 0, results[static_cast<std::size_t>(j)].deflated, j == stripes - 1, adler);
  }
  put_chunk(out, "IEND", {});
  return out;
}

}  // namespace litesr
