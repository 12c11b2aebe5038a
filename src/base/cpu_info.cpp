// CPU name and SVE vector length (cpu_info.h).
#include "base/cpu_info.h"

#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>
#include <vector>

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <sys/prctl.h>
#endif

namespace litesr {
namespace {

std::string trim(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// Arm Ltd. (implementer 0x41) cores by MIDR part number (Arm's Technical Reference Manuals, "MIDR_EL1").
std::string arm_core_name(unsigned long part) {
  switch (part) {
    case 0xd03: return "Cortex-A53";
    case 0xd04: return "Cortex-A35";
    case 0xd05: return "Cortex-A55";
    case 0xd07: return "Cortex-A57";
    case 0xd08: return "Cortex-A72";
    case 0xd09: return "Cortex-A73";
    case 0xd0a: return "Cortex-A75";
    case 0xd0b: return "Cortex-A76";
    case 0xd0c: return "Neoverse-N1";
    case 0xd0d: return "Cortex-A77";
    case 0xd40: return "Neoverse-V1";
    case 0xd41: return "Cortex-A78";
    case 0xd44: return "Cortex-X1";
    case 0xd46: return "Cortex-A510";
    case 0xd47: return "Cortex-A710";
    case 0xd48: return "Cortex-X2";
    case 0xd49: return "Neoverse-N2";
    case 0xd4d: return "Cortex-A715";
    case 0xd4e: return "Cortex-X3";
    case 0xd4f: return "Neoverse-V2";
    case 0xd80: return "Cortex-A520";
    case 0xd81: return "Cortex-A720";
    case 0xd82: return "Cortex-X4";
    default: return {};
  }
}

// One core's name from its MIDR implementer and part ("0x41", "0xd0b").
std::string core_name(const std::string& implementer, const std::string& part) {
  unsigned long imp = 0, p = 0;
  try {
    imp = std::stoul(implementer, nullptr, 0);
    p = std::stoul(part, nullptr, 0);
  } catch (const std::exception&) {
    return "implementer " + implementer + " part " + part;
  }
  std::ostringstream hex;
  hex << std::hex << "0x" << p;
  if (imp == 0x41) {
    const std::string name = arm_core_name(p);
    return name.empty() ? "Arm part " + hex.str() : "Arm " + name;
  }
  if (imp == 0x46 && p == 0x001) return "Fujitsu A64FX";
  std::ostringstream who;
  who << std::hex << "implementer 0x" << imp << " part " << hex.str();
  return who.str();
}

}  // namespace

std::string cpu_model_from_cpuinfo(std::string_view cpuinfo) {
  std::string model_name, implementer;
  std::vector<std::pair<std::string, int>> cores;  // distinct AArch64 core names in order of appearance, counts
  std::istringstream in{std::string(cpuinfo)};
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "model name" && model_name.empty()) {
      model_name = value;
    } else if (key == "CPU implementer") {
      implementer = value;
    } else if (key == "CPU part" && !implementer.empty()) {
      const std::string name = core_name(implementer, value);
      bool seen = false;
      for (auto& [n, count] : cores) {
        if (n == name) {
          ++count;
          seen = true;
        }
      }
      if (!seen) cores.emplace_back(name, 1);
      implementer.clear();
    }
  }
  if (!cores.empty()) {
    if (cores.size() == 1) return cores.front().first;
    std::string out;
    for (const auto& [name, count] : cores) out += (out.empty() ? "" : " + ") + std::to_string(count) + "x " + name;
    return out;
  }
  return model_name.empty() ? "unknown" : model_name;
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  if (!in) return "unknown";
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
#if defined(__aarch64__)
  // AArch64 Linux prints no "model name": one seen here is the host's, shown by a user-mode emulator (QEMU 7).
  if (text.find("CPU implementer") == std::string::npos) return "unknown";
#endif
  return cpu_model_from_cpuinfo(text);
}

int sve_vector_bits() {
#if defined(__aarch64__) && defined(__linux__) && defined(HWCAP_SVE) && defined(PR_SVE_GET_VL)
  if ((getauxval(AT_HWCAP) & HWCAP_SVE) == 0) return 0;
  const int vl = prctl(PR_SVE_GET_VL);  // bytes in the low bits, flags above
  return vl < 0 ? 0 : (vl & PR_SVE_VL_LEN_MASK) * 8;
#else
  return 0;
#endif
}

}  // namespace litesr
