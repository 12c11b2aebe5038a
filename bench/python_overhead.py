#!/usr/bin/env python3
"""What the Python binding costs: litesr.Upscaler.upscale against the same upscale done natively, interleaved.

    PYTHONPATH=<build>/python python3 bench/python_overhead.py [--model NAME ...] [--threads 1] [--blocks 15]

Goal (issue #23): upscale() on a 320x180 uint8 RGB frame within 10 % of the C++ session on the same frame.
For each model, one process times blocks of
  python  `sr = up.upscale(frame)`: argument checks, a new numpy output array per call, the GIL released
          around ModelUpscaler::upscale_rgb8_into, which writes straight into that array;
  native  litesr._native_upscale_loop(up, frame, n): the same upscale_rgb8_into on the same Upscaler (same
          session, threads and buffers) n times in C++ into one preallocated output, the GIL released;
alternating which goes first (python, native, native, python, ...) so drift of the machine's speed hits both
alike. It prints the median, min and max ms per frame of each and median(python) / median(native).
The frame is the first 320x180 LR frame of the shared data's REDS demo clip when present
(../shared/data/video/BasicVSRpp_demo_000_LRx4), otherwise samples/sample.png cropped to 320x180.
"""

import argparse
import os
import pathlib
import statistics
import sys
import time

import numpy as np

import litesr

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_frame(width, height):
    data = pathlib.Path(os.environ.get("LITESR_DATA", ROOT / ".." / "shared" / "data"))
    candidates = [data / "video" / "BasicVSRpp_demo_000_LRx4" / "00000000.png", ROOT / "samples" / "sample.png"]
    for path in candidates:
        if path.is_file():
            image = litesr.read_image(path)[:, :, :3]
            if image.shape[0] >= height and image.shape[1] >= width:
                return np.ascontiguousarray(image[:height, :width]), path
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8), "random pixels"


def time_python(up, frame, n):
    start = time.perf_counter()
    for _ in range(n):
        up.upscale(frame)
    return time.perf_counter() - start


def measure(model, frame, threads, blocks, iterations):
    up = litesr.Upscaler(model, threads=threads)
    up.upscale(frame)  # sizes the session's buffers
    litesr._native_upscale_loop(up, frame, 1)
    if iterations <= 0:  # about 0.2 s per block
        probe = litesr._native_upscale_loop(up, frame, 3) / 3
        iterations = max(1, round(0.2 / probe))
    py_ms, native_ms = [], []
    for b in range(blocks):
        order = ("python", "native") if b % 2 == 0 else ("native", "python")
        for side in order:
            if side == "python":
                py_ms.append(time_python(up, frame, iterations) / iterations * 1000)
            else:
                native_ms.append(litesr._native_upscale_loop(up, frame, iterations) / iterations * 1000)
    return up, iterations, py_ms, native_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", help="model name (repeatable); default: elsr-x4 and the default")
    parser.add_argument("--threads", type=int, default=1, help="Upscaler threads (default 1)")
    parser.add_argument("--blocks", type=int, default=15, help="timed blocks per side (default 15)")
    parser.add_argument("--iterations", type=int, default=0, help="frames per block (default: ~0.2 s per block)")
    parser.add_argument("--size", default="320x180", help="frame WxH (default 320x180)")
    parser.add_argument("--max-ratio", type=float, default=0.0,
                        help="exit 1 when a median ratio exceeds this (e.g. 1.10); default: report only")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    models = args.model or ["elsr-x4", litesr.default_model()]
    frame, source = load_frame(width, height)
    print(f"frame {width}x{height} uint8 RGB from {source}; threads {args.threads}; {args.blocks} blocks per side, "
          f"interleaved")
    print(f"{'model':18} {'frames/block':>12} {'python ms (min..max)':>26} {'native ms (min..max)':>26} {'ratio':>7}")
    worst = 0.0
    for model in models:
        up, n, py_ms, native_ms = measure(model, frame, args.threads, args.blocks, args.iterations)
        ratio = statistics.median(py_ms) / statistics.median(native_ms)
        worst = max(worst, ratio)
        print(f"{up.model:18} {n:12d} "
              f"{statistics.median(py_ms):9.3f} ({min(py_ms):6.3f}..{max(py_ms):6.3f}) "
              f"{statistics.median(native_ms):9.3f} ({min(native_ms):6.3f}..{max(native_ms):6.3f}) {ratio:7.3f}")
    if args.max_ratio > 0 and worst > args.max_ratio:
        print(f"python/native ratio {worst:.3f} exceeds {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
