// Listing the image files of a folder (the batch input of `litesr upscale -i DIR`).
#pragma once

#include <filesystem>
#include <vector>

#include "base/status.h"

namespace litesr {

struct ImageListOptions {
  bool recursive = false;  // also descend into sub-folders (following no directory symlinks)
};

// Image files (.png .jpg .jpeg .webp, case-insensitive; regular files or symlinks to them) under `dir`,
// sorted by path; paths are relative to `dir`. Hidden entries (name starting with '.') are skipped, which
// also skips LiteSR's own in-progress temporary files. Errors name the folder: kNotFound when it is missing,
// kInvalidArgument when it is not a folder, kIoError when it or a sub-folder cannot be read.
Result<std::vector<std::filesystem::path>> list_images(const std::filesystem::path& dir,
                                                       const ImageListOptions& options = {});

}  // namespace litesr
