#include "runtime/model_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace litesr {
namespace {

using Json = nlohmann::json;

// Deepest JSON nesting a valid header needs is 3 ({ "t": { "shape": [ ] } }); anything deeper is hostile.
constexpr int kMaxJsonDepth = 8;

uint64_t load_u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {  // inf / NaN
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // ±0
    bits = sign;
  } else {  // subnormal: renormalise
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
  }
  return std::bit_cast<float>(bits);
}

float bf16_to_f32(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

enum class DType { kF32, kF16, kBF16 };

// Rejects JSON nested deeper than kMaxJsonDepth (before handing the bytes to a recursive-descent parser).
bool json_depth_ok(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin;
  uint64_t end;
};

// Validates one tensor entry of the header; fills `entry` (name already set).
Status parse_entry(const Json& j, uint64_t buffer_bytes, Entry& entry) {
  const std::string& n = entry.name;
  if (!j.is_object()) return corrupt_data("tensor '" + n + "': entry is not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      return corrupt_data("tensor '" + n + "': unknown field '" + key + "'");
    }
  }
  const auto dt = j.find("dtype");
  if (dt == j.end() || !dt->is_string()) return corrupt_data("tensor '" + n + "': missing or non-string dtype");
  const std::string& dtype = dt->get_ref<const std::string&>();
  uint64_t elem_bytes;
  if (dtype == "F32") {
    entry.dtype = DType::kF32;
    elem_bytes = 4;
  } else if (dtype == "F16") {
    entry.dtype = DType::kF16;
    elem_bytes = 2;
  } else if (dtype == "BF16") {
    entry.dtype = DType::kBF16;
    elem_bytes = 2;
  } else {
    return unsupported("tensor '" + n + "': dtype '" + dtype + "' (LiteSR reads F32, F16 and BF16)");
  }

  const auto sh = j.find("shape");
  if (sh == j.end() || !sh->is_array()) return corrupt_data("tensor '" + n + "': missing or non-array shape");
  if (sh->size() > static_cast<std::size_t>(kMaxTensorRank)) {
    return corrupt_data("tensor '" + n + "': rank " + std::to_string(sh->size()) + " exceeds " +
                        std::to_string(kMaxTensorRank));
  }
  uint64_t numel = 1;
  for (const Json& d : *sh) {
    if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0)) {
      return corrupt_data("tensor '" + n + "': shape dimensions must be non-negative integers");
    }
    const uint64_t dim = d.get<uint64_t>();
    if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return corrupt_data("tensor '" + n + "': shape dimension too large");
    }
    entry.shape.push_back(static_cast<int64_t>(dim));
    // Overflow-safe: the element count can never exceed the buffer, so cap the running product there.
    if (dim != 0 && numel > buffer_bytes / dim) {
      numel = buffer_bytes + 1;  // saturate at "more than the buffer" (a zero dim is handled below)
    } else {
      numel *= dim;
    }
  }
  // A zero dimension makes the tensor empty regardless of the others.
  if (std::find(entry.shape.begin(), entry.shape.end(), 0) != entry.shape.end()) numel = 0;

  const auto off = j.find("data_offsets");
  if (off == j.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
      !(*off)[1].is_number_unsigned()) {
    return corrupt_data("tensor '" + n + "': data_offsets must be two non-negative integers");
  }
  entry.begin = (*off)[0].get<uint64_t>();
  entry.end = (*off)[1].get<uint64_t>();
  if (entry.begin > entry.end || entry.end > buffer_bytes) {
    return corrupt_data("tensor '" + n + "': data_offsets [" + std::to_string(entry.begin) + ", " +
                        std::to_string(entry.end) + "] outside the " + std::to_string(buffer_bytes) +
                        "-byte data buffer");
  }
  if (numel > buffer_bytes || numel * elem_bytes != entry.end - entry.begin) {
    return corrupt_data("tensor '" + n + "': shape and dtype need " +
                        (numel > buffer_bytes ? std::string("more bytes than the buffer holds")
                                              : std::to_string(numel * elem_bytes) + " bytes") +
                        " but data_offsets span " + std::to_string(entry.end - entry.begin));
  }
  return {};
}

Tensor decode(const Entry& e, const uint8_t* buffer) {
  Tensor t;
  t.shape = e.shape;
  const uint8_t* p = buffer + e.begin;
  switch (e.dtype) {
    case DType::kF32: {
      t.data.resize((e.end - e.begin) / 4);
      for (std::size_t i = 0; i < t.data.size(); ++i, p += 4) {
        const uint32_t bits = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
        t.data[i] = std::bit_cast<float>(bits);
      }
      break;
    }
    case DType::kF16:
    case DType::kBF16: {
      t.data.resize((e.end - e.begin) / 2);
      for (std::size_t i = 0; i < t.data.size(); ++i, p += 2) {
        const uint16_t bits = static_cast<uint16_t>(p[0] | p[1] << 8);
        t.data[i] = e.dtype == DType::kF16 ? f16_to_f32(bits) : bf16_to_f32(bits);
      }
      break;
    }
  }
  return t;
}

Result<ModelFile> parse_impl(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return corrupt_data("file is " + std::to_string(bytes.size()) + " bytes, too short for a safetensors header");
  const uint64_t header_bytes = load_u64_le(bytes.data());
  if (header_bytes > kMaxModelHeaderBytes) {
    return corrupt_data("header length " + std::to_string(header_bytes) + " exceeds the " +
                        std::to_string(kMaxModelHeaderBytes) + "-byte limit");
  }
  if (header_bytes > bytes.size() - 8) {
    return corrupt_data("header length " + std::to_string(header_bytes) + " exceeds the file (" +
                        std::to_string(bytes.size()) + " bytes): truncated?");
  }
  if (header_bytes < 2 || bytes[8] != '{') return corrupt_data("header is not a JSON object");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), header_bytes);
  if (!json_depth_ok(text)) return corrupt_data("header JSON nested too deeply");

  Json header;
  try {
    header = Json::parse(text);
  } catch (const Json::exception& e) {
    return corrupt_data(std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) return corrupt_data("header is not a JSON object");

  const uint64_t buffer_bytes = bytes.size() - 8 - header_bytes;
  const uint8_t* buffer = bytes.data() + 8 + header_bytes;
  ModelFile model;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) return corrupt_data("__metadata__ is not a JSON object");
      for (const auto& [mkey, mvalue] : value.items()) {
        if (!mvalue.is_string()) return corrupt_data("__metadata__ value for '" + mkey + "' is not a string");
        model.metadata[mkey] = mvalue.get<std::string>();
      }
      continue;
    }
    if (key.empty()) return corrupt_data("empty tensor name");
    Entry entry;
    entry.name = key;
    LITESR_RETURN_IF_ERROR(parse_entry(value, buffer_bytes, entry));
    entries.push_back(std::move(entry));
  }

  // Tensors must tile the buffer exactly: sorted by offset, each begins where the previous ended.
  std::vector<const Entry*> order;
  for (const Entry& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  for (const Entry* e : order) {
    if (e->begin < cursor) return corrupt_data("tensor '" + e->name + "' overlaps another tensor's data");
    if (e->begin > cursor) {
      return corrupt_data("data buffer has a hole before tensor '" + e->name + "' (bytes " +
                          std::to_string(cursor) + ".." + std::to_string(e->begin) + ")");
    }
    cursor = e->end;
  }
  if (cursor != buffer_bytes) {
    return corrupt_data(std::to_string(buffer_bytes - cursor) + " bytes after the last tensor are not described by the header");
  }
  for (const Entry& e : entries) model.tensors[e.name] = decode(e, buffer);
  return model;
}

}  // namespace

Result<ModelFile> parse_model_file(std::span<const uint8_t> bytes, std::string_view name) {
  try {
    Result<ModelFile> r = parse_impl(bytes);
    if (!r.ok()) return r.status().with_context(name);
    return r;
  } catch (const Json::exception& e) {  // a type error the checks above missed: still the file's fault
    return corrupt_data(std::string(name) + ": malformed header: " + e.what());
  } catch (const std::bad_alloc&) {
    return resource_exhausted(std::string(name) + ": out of memory while reading the model");
  }
}

Result<ModelFile> read_model_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found(name + ": no such model file");
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return io_error(name + ": " + ec.message());
  if (size > kMaxModelFileBytes) return resource_exhausted(name + ": model file larger than 4 GB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(name + ": cannot open for reading");
  std::vector<uint8_t> bytes(static_cast<std::size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    return io_error(name + ": read failed");
  }
  return parse_model_file(bytes, name);
}

Status validate_model_file(const ModelFile& model) {
  for (const auto& [name, t] : model.tensors) {
    if (name.empty() || name == "__metadata__") return invalid_argument("invalid tensor name '" + name + "'");
    if (t.shape.size() > static_cast<std::size_t>(kMaxTensorRank)) {
      return invalid_argument("tensor '" + name + "': rank above " + std::to_string(kMaxTensorRank));
    }
    for (int64_t d : t.shape) {
      if (d < 0) return invalid_argument("tensor '" + name + "': negative dimension");
    }
    if (static_cast<uint64_t>(t.numel()) != t.data.size()) {
      return invalid_argument("tensor '" + name + "': shape has " + std::to_string(t.numel()) +
                              " elements but data has " + std::to_string(t.data.size()));
    }
  }
  return {};
}

std::string serialize_model_file(const ModelFile& model) {
  Json header = Json::object();
  if (!model.metadata.empty()) header["__metadata__"] = model.metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : model.tensors) {  // std::map: sorted names
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * 4;
    header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - (8 + json.size()) % 8) % 8, ' ');  // data starts 8-byte aligned

  std::string out;
  out.reserve(8 + json.size() + offset);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((json.size() >> (8 * i)) & 0xFF));
  out += json;
  for (const auto& [name, t] : model.tensors) {
    const std::size_t n = static_cast<std::size_t>(t.numel());
    for (std::size_t i = 0; i < n; ++i) {
      const uint32_t bits = std::bit_cast<uint32_t>(i < t.data.size() ? t.data[i] : 0.0f);
      for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((bits >> (8 * b)) & 0xFF));
    }
  }
  return out;
}

Status write_model_file(const std::filesystem::path& path, const ModelFile& model) {
  const std::string name = path.string();
  LITESR_RETURN_IF_ERROR(validate_model_file(model).with_context(name));
  const std::string bytes = serialize_model_file(model);
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + std::to_string(std::random_device{}());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return io_error(name + ": cannot create " + tmp.string());
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return io_error(name + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return io_error(name + ": cannot rename the temporary file: " + ec.message());
  }
  return {};
}

}  // namespace litesr
