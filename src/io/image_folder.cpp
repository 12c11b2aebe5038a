#include "io/image_folder.h"

#include <algorithm>

#include "io/image_format.h"

namespace litesr {

namespace {

bool is_hidden(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

Result<std::vector<std::filesystem::path>> list_images(const std::filesystem::path& dir,
                                                       const ImageListOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (st.type() == fs::file_type::not_found) return not_found(dir.string() + ": no such folder");
  if (ec) return io_error(dir.string() + ": cannot access: " + ec.message());
  if (st.type() != fs::file_type::directory) return invalid_argument(dir.string() + ": not a folder");

  std::vector<fs::path> out;
  auto consider = [&](const fs::directory_entry& entry) {
    std::error_code file_ec;
    if (entry.is_regular_file(file_ec) && has_image_extension(entry.path())) {
      out.push_back(entry.path().lexically_relative(dir));
    }
  };
  if (options.recursive) {
    fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
    if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
      if (is_hidden(it->path())) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      consider(*it);
    }
    if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
  } else {
    fs::directory_iterator it(dir, ec);
    if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
      if (!is_hidden(it->path())) consider(*it);
    }
    if (ec) return io_error(dir.string() + ": cannot read folder: " + ec.message());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace litesr
