// Runs the built `litesr` binary (LITESR_BINARY) with arguments and captures exit code, stdout, stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/test_env.h"

namespace litesr::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `binary` with `args`; each is single-quoted for /bin/sh (they must not contain a single quote).
inline CliRun run_program(const std::string& binary, const std::vector<std::string>& args) {
  static int counter = 0;
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::filesystem::path out = dir / ("litesr_cli_out_" + tag);
  const std::filesystem::path err = dir / ("litesr_cli_err_" + tag);
  std::string cmd = "'" + binary + "'";
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file_bytes(out);
  r.err = read_file_bytes(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// Runs the built `litesr` (LITESR_BINARY).
inline CliRun run_litesr(const std::vector<std::string>& args) { return run_program(LITESR_BINARY, args); }

// True when this build of `litesr` has the subcommand `name` (train, video and export are optional modules).
inline bool has_command(const std::string& name) {
  return run_litesr({"--help"}).out.find("\n  " + name + " ") != std::string::npos;
}

}  // namespace litesr::testing

// Skips the current test when the build lacks the subcommand; `option` names the CMake switch that removed it.
#define LITESR_REQUIRE_COMMAND(name, option)                                                     \
  if (!::litesr::testing::has_command(name)) {                                                 \
    GTEST_SKIP() << "this build has no `litesr " << (name) << "` (" << (option) << "=OFF)";    \
  }
