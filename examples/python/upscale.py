#!/usr/bin/env python3
"""Upscales one image with LiteSR from Python (docs/api.md, "Python"); run by ctest as Python.Example.

    python3 examples/python/upscale.py photo.png photo_x4.png [MODEL]

MODEL is a built-in name (python3 -c 'import litesr; print(litesr.models())') or a .safetensors file; the
default is litesr.default_model(). Import litesr from a build tree with PYTHONPATH=<build>/python.
"""

import sys
import time

import litesr


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    source, target = argv[1], argv[2]
    model = argv[3] if len(argv) == 4 else ""
    try:
        upscaler = litesr.Upscaler(model)  # all cores; Upscaler(model, threads=1) for one
        lr = litesr.read_image(source)  # numpy (H, W, C): uint8, or uint16 for 16-bit PNG
        start = time.perf_counter()
        sr = upscaler.upscale(lr)  # (scale*H, scale*W, C), same dtype; alpha and grey kept
        seconds = time.perf_counter() - start
        litesr.write_image(target, sr)  # format from the extension; written atomically
    except (OSError, ValueError, RuntimeError) as e:  # FileNotFoundError is an OSError
        print(f"upscale.py: {e}", file=sys.stderr)
        return 1
    h, w = lr.shape[:2]
    print(f"{source} {w}x{h} -> {target} {sr.shape[1]}x{sr.shape[0]} with {upscaler.model} "
          f"(x{upscaler.scale}, {upscaler.threads} threads) in {seconds * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
