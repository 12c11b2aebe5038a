// A file compiled into the binary (the shipped model weights in models/*.safetensors; see
// cmake/embed_files.cmake, which generates the table at build time).
#pragma once

#include <cstddef>

namespace litesr {

struct EmbeddedFile {
  const char* name;            // file stem, e.g. "elsr-x4"
  const unsigned char* data;   // the file's bytes
  std::size_t size;            // in bytes
};

extern const EmbeddedFile kEmbeddedModels[];
extern const std::size_t kEmbeddedModelCount;

}  // namespace litesr
