#!/usr/bin/env bash
# Installs LiteSR's build and test dependencies from Debian 12 packages. Idempotent: packages already
# present are skipped, and apt is not touched at all when everything is installed.
# Usage: scripts/install-deps.sh [--minimal]   (--minimal: runtime/io/eval only, no LibTorch, no FFmpeg)
set -euo pipefail

core=(build-essential cmake ninja-build pkg-config git
      libpng-dev libjpeg62-turbo-dev libturbojpeg0-dev libwebp-dev libexif-dev
      libhwy-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev
      libgtest-dev libgmock-dev libbenchmark-dev)
full=(libtorch-dev libopenblas0-openmp libgloo-dev
      libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
      libonnx-dev libflatbuffers-dev flatbuffers-compiler)

wanted=("${core[@]}")
[[ "${1:-}" == "--minimal" ]] || wanted+=("${full[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
