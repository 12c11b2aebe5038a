#!/usr/bin/env bash
# Installs LiteSR's build and test dependencies from Debian 12 packages. Idempotent: packages already
# present are skipped, and apt is not touched at all when everything is installed.
# Usage: scripts/install-deps.sh [--minimal] [--fuzz] [--arm64]   (--minimal: runtime/io/eval only, no LibTorch, no
#        FFmpeg; --fuzz: also clang + libclang-rt-14-dev for the libFuzzer targets, docs/fuzzing.md; --arm64: ONLY
#        what the arm64 cross build and its QEMU tests need (the `arm64` presets, docs/arm.md): the cross compilers,
#        qemu-user-static and the arm64 multiarch -dev packages, adding the arm64 architecture to dpkg if needed)
set -euo pipefail

core=(build-essential cmake ninja-build pkg-config git
      libpng-dev libisal-dev libjpeg62-turbo-dev libturbojpeg0-dev libwebp-dev
      libhwy-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
      libgtest-dev libgmock-dev libbenchmark-dev
      python3-dev pybind11-dev python3-numpy python3-pytest)  # the Python module litesr (python/) and its tests
full=(libtorch-dev libopenblas0-openmp libgloo-dev
      libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
      libonnx-dev libflatbuffers-dev flatbuffers-compiler nodejs
      libarmnn-dev libarmnntfliteparser-dev libarmnn-cpuref-backend22
      libxnnpack-dev libpthreadpool-dev libdnnl-dev)  # `litesr bench --peers`: XNNPACK and oneDNN (docs/benchmarks.md)
full+=(chromium)  # headless browser for the HTML report tests (tests/report, tests/cli; docs/report.md)

fuzz=(clang libclang-rt-14-dev)
# --arm64: build tools and the header-only (Architecture: all) packages run on the build machine; the libraries the
# runtime, io and the test suites link are the arm64 builds (multiarch, /usr/lib/aarch64-linux-gnu).
arm64=(cmake ninja-build pkg-config nlohmann-json3-dev libcli11-dev crossbuild-essential-arm64 qemu-user-static
       libhwy-dev:arm64 libpng-dev:arm64 zlib1g-dev:arm64 libjpeg62-turbo-dev:arm64
       libturbojpeg0-dev:arm64 libwebp-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64)

minimal=0
with_fuzz=0
with_arm64=0
for arg in "$@"; do
  case "$arg" in
    --minimal) minimal=1 ;;
    --fuzz) with_fuzz=1 ;;
    --arm64) with_arm64=1 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done
wanted=("${core[@]}")
((minimal)) || wanted+=("${full[@]}")
((with_fuzz == 0)) || wanted+=("${fuzz[@]}")
if ((with_arm64)); then
  wanted=("${arm64[@]}")
  minimal=1  # no tools/ (npm) either
fi

# Full installs also get ONNX Runtime for the export tests (tests/export, docs/export.md): the npm package
# onnxruntime-node pinned by tools/package-lock.json, CPU binaries only (ONNXRUNTIME_NODE_INSTALL=skip: no
# CUDA download), from the npm registry alone. Skipped when the installed tree matches the lockfile.
# The same lockfile pins puppeteer-core, which drives Debian's chromium in the HTML report tests (docs/report.md).
install_tools() {
  ((minimal == 0)) || return 0
  local tools_dir stamp want
  tools_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools"
  stamp="$tools_dir/node_modules/.litesr-lock-sha256"
  want="$(sha256sum "$tools_dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "install-deps: tools/node_modules up to date"
    return 0
  fi
  if ! command -v npm > /dev/null; then  # Debian's nodejs ships without npm (NodeSource's bundles it)
    local sudo_cmd=""
    [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends npm
  fi
  echo "install-deps: npm ci in tools/ (onnxruntime-node)"
  (cd "$tools_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
}

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages present"
  install_tools
  exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
if ((with_arm64)) && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "install-deps: adding the arm64 architecture to dpkg"
  $sudo dpkg --add-architecture arm64
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_tools
