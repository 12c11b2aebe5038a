#!/bin/sh
# LiteSR vs LibTorch, ONNX Runtime, XNNPACK, oneDNN on the default cases, plus the PSNR-vs-MACs chart (docs/benchmarks.md).
# Builds nothing: build `litesr` first (cmake --preset release && cmake --build --preset release --target litesr;
# LibTorch and ONNX export compiled in, and `cd tools && npm ci` for onnxruntime-node). Run from the checkout root;
# extra arguments go to `litesr bench` (e.g. -j 4 --reps 21 --json bench.json); LITESR=path picks another binary.
#   bench/peers.sh [litesr bench options...]
mkdir -p docs/img && exec "${LITESR:-build/release/src/cli/litesr}" bench --peers --chart docs/img/bench_peers.svg --tradeoff docs/img/psnr_vs_macs.svg --data ../shared/data/sr_benchmark/Set5 "$@"
