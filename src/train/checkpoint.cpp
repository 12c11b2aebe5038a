#include "train/checkpoint.h"

#include <functional>
#include <mutex>
#include <sstream>

#include "io/atomic_file.h"
#include "train/qat_network.h"

namespace litesr::train {
namespace {

constexpr int64_t kCheckpointFormat = 1;

using ArchiveLoader = std::function<void(torch::serialize::InputArchive&)>;

// The archive key of the i-th network state tensor ("m0", "m1", ...). Built by append: GCC 12 warns falsely
// (-Wstringop-overflow, GCC bug 105651) on "m" + std::to_string(i).
std::string state_key(size_t i) {
  std::string key = "m";
  key += std::to_string(i);
  return key;
}

Result<CheckpointState> read_state(const ArchiveLoader& load, const std::string& name) {
  try {
    torch::serialize::InputArchive archive;
    load(archive);
    c10::IValue v;
    archive.read("format", v);
    if (v.toInt() != kCheckpointFormat) return unsupported(name + ": unknown checkpoint format");
    CheckpointState s;
    archive.read("stage", v);
    s.stage = static_cast<int>(v.toInt());
    archive.read("iteration", v);
    s.iteration = v.toInt();
    archive.read("global_iteration", v);
    s.global_iteration = v.toInt();
    archive.read("scale", v);
    s.scale = static_cast<int>(v.toInt());
    archive.read("recipe_hash", v);
    s.recipe_hash = static_cast<uint64_t>(v.toInt());
    if (archive.try_read("model_config", v)) s.model_config = v.toStringRef();
    if (archive.try_read("world_size", v)) s.world_size = static_cast<int>(v.toInt());
    if (archive.try_read("quantization", v)) s.quantization = v.toStringRef();
    return s;
  } catch (const c10::Error& e) {
    return corrupt_data(name + ": unreadable checkpoint: " + e.what_without_backtrace());
  }
}

Status restore(const ArchiveLoader& load, const std::string& name, SrNetwork& net, torch::optim::Optimizer& optimizer) {
  try {
    torch::serialize::InputArchive archive;
    load(archive);
    c10::IValue v;
    archive.read("model_names", v);
    std::string expected;
    auto state = network_state(net);
    for (const auto& [tensor_name, t] : state) expected += tensor_name + "\n";
    if (v.toStringRef() != expected) return corrupt_data(name + ": checkpoint tensors do not match the network");
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < state.size(); ++i) {
      torch::Tensor t;
      archive.read(state_key(i), t);
      if (!t.sizes().equals(state[i].second.sizes())) {
        return corrupt_data(name + ": tensor '" + state[i].first + "' has the wrong shape");
      }
      state[i].second.copy_(t);
    }
    torch::serialize::InputArchive opt;
    archive.read("optimizer", opt);
    optimizer.load(opt);
    torch::Tensor rng;
    archive.read("torch_rng", rng);
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle sharing the global state
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng);
    return {};
  } catch (const c10::Error& e) {
    return corrupt_data(name + ": cannot restore the checkpoint: " + e.what_without_backtrace());
  }
}

}  // namespace

uint64_t recipe_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Status save_checkpoint(const std::filesystem::path& path, const CheckpointState& state, const SrNetwork& net,
                       torch::optim::Optimizer& optimizer) {
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(kCheckpointFormat));
    archive.write("stage", c10::IValue(static_cast<int64_t>(state.stage)));
    archive.write("iteration", c10::IValue(state.iteration));
    archive.write("global_iteration", c10::IValue(state.global_iteration));
    archive.write("scale", c10::IValue(static_cast<int64_t>(state.scale)));
    archive.write("recipe_hash", c10::IValue(static_cast<int64_t>(state.recipe_hash)));
    archive.write("model_config", c10::IValue(model_config_json(net.config())));
    archive.write("world_size", c10::IValue(static_cast<int64_t>(state.world_size)));
    if (const auto* qat = dynamic_cast<const QatNetwork*>(&net)) {
      archive.write("quantization", c10::IValue(model_quantization_json(qat->calibrated_quantization())));
    }
    std::string names;
    size_t i = 0;
    for (const auto& [name, t] : network_state(net)) {
      names += name + "\n";
      archive.write(state_key(i++), t.detach().clone());
    }
    archive.write("model_names", c10::IValue(names));
    torch::serialize::OutputArchive opt;
    optimizer.save(opt);
    archive.write("optimizer", opt);
    {
      at::Generator generator = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(generator.mutex());
      archive.write("torch_rng", generator.get_state());
    }
    std::ostringstream os;
    archive.save_to(os);
    return write_file_atomically(path, os.str());
  } catch (const c10::Error& e) {
    return internal_error(path.string() + ": cannot save the checkpoint: " + e.what_without_backtrace());
  }
}

Result<CheckpointState> read_checkpoint_state(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found(path.string() + ": no checkpoint to resume from");
  return read_state([&](torch::serialize::InputArchive& a) { a.load_from(path.string()); }, path.string());
}

Status restore_checkpoint(const std::filesystem::path& path, SrNetwork& net, torch::optim::Optimizer& optimizer) {
  return restore([&](torch::serialize::InputArchive& a) { a.load_from(path.string()); }, path.string(), net,
                 optimizer);
}

Result<CheckpointState> parse_checkpoint_state(const std::string& bytes, const std::string& name) {
  return read_state(
      [&](torch::serialize::InputArchive& a) {
        std::istringstream in(bytes);
        a.load_from(in);
      },
      name);
}

Status restore_checkpoint_bytes(const std::string& bytes, const std::string& name, SrNetwork& net,
                                torch::optim::Optimizer& optimizer) {
  return restore(
      [&](torch::serialize::InputArchive& a) {
        std::istringstream in(bytes);
        a.load_from(in);
      },
      name, net, optimizer);
}

}  // namespace litesr::train
