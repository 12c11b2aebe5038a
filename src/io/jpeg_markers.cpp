#include "io/jpeg_markers.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "io/exif_orientation.h"

namespace litesr {

namespace {

constexpr uint8_t kSoi = 0xD8;
constexpr uint8_t kEoi = 0xD9;
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kApp0 = 0xE0;
constexpr uint8_t kApp1 = 0xE1;
constexpr uint8_t kApp2 = 0xE2;
constexpr std::string_view kExifId("Exif\0\0", 6);
constexpr std::string_view kIccId("ICC_PROFILE\0", 12);
constexpr std::size_t kMaxSegmentPayload = 65533;  // 65535 minus the two length bytes
constexpr std::size_t kMaxIccChunk = kMaxSegmentPayload - kIccId.size() - 2;
constexpr std::size_t kMaxIccChunks = 255;

bool is_standalone(uint8_t marker) { return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8); }

void append_segment(std::string& out, uint8_t marker, std::string_view id, std::string_view header,
                    std::string_view payload) {
  const std::size_t length = 2 + id.size() + header.size() + payload.size();
  out.push_back(static_cast<char>(0xFF));
  out.push_back(static_cast<char>(marker));
  out.push_back(static_cast<char>(length >> 8));
  out.push_back(static_cast<char>(length & 0xFF));
  out.append(id);
  out.append(header);
  out.append(payload);
}

}  // namespace

JpegMetadata read_jpeg_metadata(std::span<const uint8_t> jpeg) {
  JpegMetadata meta;
  struct IccChunk {
    int seq;
    int count;
    std::string_view data;
  };
  std::vector<IccChunk> chunks;
  std::size_t pos = 2;  // after SOI
  for (;;) {
    if (pos + 2 > jpeg.size()) {  // the data ends before the first scan
      meta.truncated = true;
      break;
    }
    if (jpeg[pos] != 0xFF) break;  // not at a marker: leave the diagnosis to the decoder
    while (pos + 1 < jpeg.size() && jpeg[pos + 1] == 0xFF) ++pos;  // fill bytes
    if (pos + 1 >= jpeg.size()) {
      meta.truncated = true;
      break;
    }
    const uint8_t marker = jpeg[pos + 1];
    if (marker == kSos || marker == kEoi) break;
    if (is_standalone(marker)) {
      pos += 2;
      continue;
    }
    if (pos + 4 > jpeg.size()) {
      meta.truncated = true;
      break;
    }
    const std::size_t length = std::size_t{jpeg[pos + 2]} << 8 | jpeg[pos + 3];
    if (length < 2) break;
    if (pos + 2 + length > jpeg.size()) {
      meta.truncated = true;
      break;
    }
    const std::string_view payload(reinterpret_cast<const char*>(jpeg.data() + pos + 4), length - 2);
    if (marker == kApp1 && meta.exif.empty() && payload.substr(0, kExifId.size()) == kExifId) {
      meta.exif.assign(payload.substr(kExifId.size()));
    } else if (marker == kApp2 && payload.size() >= kIccId.size() + 2 &&
               payload.substr(0, kIccId.size()) == kIccId) {
      chunks.push_back({static_cast<uint8_t>(payload[kIccId.size()]),
                        static_cast<uint8_t>(payload[kIccId.size() + 1]), payload.substr(kIccId.size() + 2)});
    }
    pos += 2 + length;
  }
  if (!chunks.empty()) {
    const int count = chunks.front().count;
    bool valid = count == static_cast<int>(chunks.size());
    std::vector<const IccChunk*> by_seq(static_cast<std::size_t>(count) + 1, nullptr);
    for (const IccChunk& c : chunks) {
      if (!valid || c.count != count || c.seq < 1 || c.seq > count || by_seq[c.seq] != nullptr) {
        valid = false;
        break;
      }
      by_seq[c.seq] = &c;
    }
    if (valid) {
      for (int seq = 1; seq <= count; ++seq) meta.icc_profile.append(by_seq[seq]->data);
    }
  }
  return meta;
}

Result<std::string> insert_jpeg_metadata(std::string_view jpeg, std::string_view exif, std::string_view icc) {
  if (jpeg.size() < 2 || static_cast<uint8_t>(jpeg[0]) != 0xFF || static_cast<uint8_t>(jpeg[1]) != kSoi) {
    return invalid_argument("encoder output is not a JPEG stream");
  }
  exif = strip_exif_identifier(exif);
  if (exif.size() > kMaxSegmentPayload - kExifId.size()) {
    return invalid_argument("EXIF of " + std::to_string(exif.size()) + " bytes does not fit in a JPEG APP1 segment (" +
                            std::to_string(kMaxSegmentPayload - kExifId.size()) + " at most)");
  }
  const std::size_t icc_chunks = (icc.size() + kMaxIccChunk - 1) / kMaxIccChunk;
  if (icc_chunks > kMaxIccChunks) {
    return invalid_argument("ICC profile of " + std::to_string(icc.size()) + " bytes is too large for JPEG");
  }
  // Keep SOI and a leading JFIF APP0 first, as JFIF requires.
  std::size_t insert_at = 2;
  if (jpeg.size() >= 6 && static_cast<uint8_t>(jpeg[2]) == 0xFF && static_cast<uint8_t>(jpeg[3]) == kApp0) {
    const std::size_t length = std::size_t{static_cast<uint8_t>(jpeg[4])} << 8 | static_cast<uint8_t>(jpeg[5]);
    if (4 + length <= jpeg.size()) insert_at = 2 + 2 + length;
  }
  std::string out;
  out.reserve(jpeg.size() + exif.size() + icc.size() + 32 + 18 * icc_chunks);
  out.append(jpeg.substr(0, insert_at));
  if (!exif.empty()) append_segment(out, kApp1, kExifId, {}, exif);
  for (std::size_t i = 0; i < icc_chunks; ++i) {
    const char header[2] = {static_cast<char>(i + 1), static_cast<char>(icc_chunks)};
    append_segment(out, kApp2, kIccId, std::string_view(header, 2), icc.substr(i * kMaxIccChunk, kMaxIccChunk));
  }
  out.append(jpeg.substr(insert_at));
  return out;
}

}  // namespace litesr
