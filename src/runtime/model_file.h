// Model file: safetensors reader and writer (DESIGN §3).
//
// Format (https://huggingface.co/docs/safetensors, all integers little-endian):
//   bytes [0, 8)        u64 N: length of the JSON header in bytes
//   bytes [8, 8+N)      UTF-8 JSON object, starting with '{', possibly padded with trailing spaces:
//                         "<tensor name>": {"dtype": "F32"|"F16"|"BF16"|..., "shape": [d0, d1, ...],
//                                           "data_offsets": [begin, end]}
//                         "__metadata__": {"<key>": "<string value>", ...}      (optional)
//   bytes [8+N, EOF)    the data buffer; each tensor occupies buffer[begin, end) relative to its start,
//                       row-major, little-endian. Tensors tile the buffer exactly (no holes, no overlap).
//
// LiteSR metadata keys (all values strings): litesr.arch, litesr.scale, litesr.config (JSON object of the
// builder's parameters), litesr.color ("rgb", or "y" for luma networks: frame_color in graph.h), litesr.range ("0..1"), litesr.frames, litesr.format_version.
//
// Reading treats the file as hostile: the header length is bounded (<= kMaxModelHeaderBytes and <= file
// size − 8), JSON nesting is bounded, every dtype, shape (non-negative, overflow-checked product equal to
// the byte span) and offset (inside the buffer, tiling it exactly) is checked, metadata values must be
// strings. F32, F16 and BF16 are read and converted to float; any other dtype is kUnsupported; every
// malformation is kCorruptData. Errors name the file.
//
// Writing always produces F32 tensors in sorted-name order; the header is space-padded so the data
// buffer starts at an 8-byte-aligned file offset (every F32 tensor is then 4-byte aligned).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "runtime/tensor.h"

namespace litesr {

inline constexpr uint64_t kMaxModelHeaderBytes = 100ull << 20;  // 100 MB of JSON
inline constexpr uint64_t kMaxModelFileBytes = 4ull << 30;      // 4 GB; LiteSR models are KBs to MBs
inline constexpr int kMaxTensorRank = 8;

// Metadata keys (DESIGN §3, docs/architectures.md).
inline constexpr std::string_view kMetaArch = "litesr.arch";
inline constexpr std::string_view kMetaScale = "litesr.scale";
inline constexpr std::string_view kMetaConfig = "litesr.config";
inline constexpr std::string_view kMetaColor = "litesr.color";
inline constexpr std::string_view kMetaRange = "litesr.range";
inline constexpr std::string_view kMetaFrames = "litesr.frames";
inline constexpr std::string_view kMetaFormatVersion = "litesr.format_version";

struct ModelFile {
  std::map<std::string, std::string> metadata;  // "__metadata__"
  std::map<std::string, Tensor> tensors;        // every tensor, converted to float32
};

// Parses safetensors bytes; `name` (a file name) prefixes error messages.
Result<ModelFile> parse_model_file(std::span<const uint8_t> bytes, std::string_view name = "<memory>");
// Reads and parses a file (kNotFound / kIoError when it cannot be read).
Result<ModelFile> read_model_file(const std::filesystem::path& path);

// Checks what serialization needs: names non-empty and not "__metadata__", dimensions non-negative,
// data.size() == numel() for every tensor.
Status validate_model_file(const ModelFile& model);
// Serializes as described above. Precondition: validate_model_file(model).ok() (a tensor whose data does
// not match its shape is written zero-padded/truncated to its shape).
std::string serialize_model_file(const ModelFile& model);
// validate + serialize + write to a temporary file beside `path`, then rename over it (never a partial file).
Status write_model_file(const std::filesystem::path& path, const ModelFile& model);

}  // namespace litesr
