#include "train/distributed_env.h"

#include <charconv>
#include <cstdlib>

namespace litesr::train {
namespace {

Result<int64_t> parse_integer(const char* name, const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return invalid_argument(std::string(name) + "=\"" + text + "\" is not an integer");
  }
  return v;
}

}  // namespace

std::string rank_label(int rank) { return "rank " + std::to_string(rank); }

Result<DistributedOptions> distributed_options_from_env(const EnvLookup& lookup) {
  const EnvLookup env = lookup ? lookup : [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  DistributedOptions o;
  const std::optional<std::string> world = env("WORLD_SIZE");
  const std::optional<std::string> rank = env("RANK");
  if (!world) {
    if (rank) return invalid_argument("RANK is set (" + *rank + ") but WORLD_SIZE is not: set both, or neither");
    return o;
  }
  LITESR_ASSIGN_OR_RETURN(const int64_t w, parse_integer("WORLD_SIZE", *world));
  if (w < 1 || w > 65536) return invalid_argument("WORLD_SIZE=" + *world + " is out of range (1..65536)");
  o.world_size = static_cast<int>(w);
  if (!rank) {
    if (o.world_size > 1) return invalid_argument("WORLD_SIZE=" + *world + " but RANK is not set");
  } else {
    LITESR_ASSIGN_OR_RETURN(const int64_t r, parse_integer("RANK", *rank));
    if (r < 0 || r >= w) {
      return invalid_argument("RANK=" + *rank + " is out of range for WORLD_SIZE=" + *world + " (0.." +
                              std::to_string(w - 1) + ")");
    }
    o.rank = static_cast<int>(r);
  }
  o.local_rank = o.rank;
  if (const auto local = env("LOCAL_RANK")) {
    LITESR_ASSIGN_OR_RETURN(const int64_t l, parse_integer("LOCAL_RANK", *local));
    if (l < 0 || l >= w) {
      return invalid_argument("LOCAL_RANK=" + *local + " is out of range for WORLD_SIZE=" + *world);
    }
    o.local_rank = static_cast<int>(l);
  }
  if (const auto addr = env("MASTER_ADDR")) {
    if (addr->empty()) return invalid_argument("MASTER_ADDR is empty");
    o.master_addr = *addr;
  }
  if (const auto port = env("MASTER_PORT")) {
    LITESR_ASSIGN_OR_RETURN(const int64_t p, parse_integer("MASTER_PORT", *port));
    if (p < 1 || p > 65535) return invalid_argument("MASTER_PORT=" + *port + " is out of range (1..65535)");
    o.master_port = static_cast<int>(p);
  }
  if (const auto agent = env("LITESR_AGENT_STORE")) o.agent_store = *agent == "1";
  if (const auto agent = env("TORCHELASTIC_USE_AGENT_STORE")) {
    if (*agent == "True" || *agent == "1") {
      o.agent_store = true;
      const auto restart = env("TORCHELASTIC_RESTART_COUNT");
      o.key_prefix = "litesr/" + restart.value_or("0") + "/";
    }
  }
  if (const auto ifname = env("GLOO_SOCKET_IFNAME")) o.socket_interface = *ifname;
  if (const auto busy = env("LITESR_BUSY_POLL")) o.busy_poll = *busy == "1";
  return o;
}

}  // namespace litesr::train
