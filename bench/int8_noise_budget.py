#!/usr/bin/env python3
"""Where an INT8 model's PSNR goes: a rounding-noise budget per activation tensor (docs/quantization.md).

  bench/int8_noise_budget.py MODEL.safetensors DATA_DIR [--scale 4] [--top 20]

For each group of activation parameters in the model's `litesr.quantization` (steps tied to the same scale and
zero point, e.g. a conv and its ReLU, move together), the script writes a copy of the model with that group's step
doubled about the same centre (the range twice as wide), evaluates it with `litesr eval -d DATA_DIR` (PSNR-Y), and
compares with the model as shipped. Rounding noise has variance step²/12, so doubling a step multiplies its noise
by 4: the PSNR a group costs at its shipped step is about a third of the drop it causes when doubled (a wider range
also clips less, so a group that clips in the shipped model can show a negative cost). The image's parameters
(1/255, −128) are fixed by the scheme, not calibrated, and are left out. The model file is read, never modified.
Use held-out images (not a test set you report): the budget is for understanding, and it evaluates ~1 model per
tensor group (SAM-SR XLITE: 89 groups, ~40 s on 10 BSD200 images with one thread).

LITESR=path picks the binary (default build/release/src/cli/litesr from the checkout root).
Output: one line per group, largest estimated cost first, then their sum (compare with float − INT8 PSNR-Y).
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict

IMAGE_PARAMS = (1.0 / 255.0, -128)


def read_model(path):
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f'{path}: not a safetensors file')
    n = struct.unpack('<Q', raw[:8])[0]
    if n > len(raw) - 8:
        raise ValueError(f'{path}: header length {n} past the end of the file')
    header = json.loads(raw[8:8 + n])
    meta = header.get('__metadata__', {})
    if 'litesr.quantization' not in meta:
        raise ValueError(f'{path}: not an INT8 model (no litesr.quantization metadata)')
    return header, raw[8 + n:], json.loads(meta['litesr.quantization'])


def write_model(path, header, body, quantization):
    header = json.loads(json.dumps(header))
    header['__metadata__']['litesr.quantization'] = json.dumps(quantization)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + body)


def psnr_y(litesr, model, data, scale):
    run = subprocess.run([litesr, 'eval', '-n', model, '-d', data, '-s', str(scale), '-j', '1'],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f'litesr eval -n {model} failed ({run.returncode}): {run.stderr.strip()}')
    # the table's last row: dataset, scale, images, PSNR-Y, ...
    return float(run.stdout.strip().splitlines()[-1].split()[3])


def doubled(scale, zero_point):
    """The parameters of the range twice as wide about the same centre."""
    lo, hi = scale * (-128 - zero_point), scale * (127 - zero_point)
    centre, width = (lo + hi) / 2, hi - lo
    wide_scale = 2 * scale
    return wide_scale, max(-128, min(127, round(-128 - (centre - width) / wide_scale)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('model')
    parser.add_argument('data', help='a folder of HR images (or HR/ and LR_bicubic/), as litesr eval -d takes')
    parser.add_argument('--scale', type=int, default=4)
    parser.add_argument('--top', type=int, default=0, help='print only the N most costly groups (0: all)')
    args = parser.parse_args()
    litesr = os.environ.get('LITESR', 'build/release/src/cli/litesr')
    header, body, quantization = read_model(args.model)
    groups = defaultdict(list)
    for key, (scale, zero_point) in quantization['activations'].items():
        if abs(scale - IMAGE_PARAMS[0]) < 1e-9 and zero_point == IMAGE_PARAMS[1]:
            continue
        groups[(scale, zero_point)].append(key)
    base = psnr_y(litesr, args.model, args.data, args.scale)
    print(f'{args.model}: PSNR-Y {base:.4f} dB as shipped; {len(groups)} parameter groups', flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, 'probe.safetensors')
        for (scale, zero_point), keys in sorted(groups.items(), key=lambda g: g[1]):
            changed = dict(quantization)
            changed['activations'] = dict(quantization['activations'])
            for key in keys:
                changed['activations'][key] = list(doubled(scale, zero_point))
            write_model(probe, header, body, changed)
            drop = base - psnr_y(litesr, probe, args.data, args.scale)
            rows.append((drop / 3, drop, keys))
    rows.sort(key=lambda r: -r[0])
    print('cost dB (est.)  drop at 2x step  group')
    for cost, drop, keys in rows[:args.top or len(rows)]:
        print(f'{cost:+14.4f}  {drop:+15.4f}  {",".join(keys)}')
    print(f'sum of the estimated costs: {sum(r[0] for r in rows):.4f} dB')


if __name__ == '__main__':
    try:
        main()
    except (OSError, RuntimeError, ValueError) as e:
        sys.exit(f'int8_noise_budget: {e}')
