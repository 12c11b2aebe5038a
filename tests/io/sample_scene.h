// The synthetic, photo-like scene behind samples/sample.png (the README's example input).
//
// Everything is drawn procedurally, so the repository ships no third-party imagery: a sky gradient with a soft
// sun, a ground plane with perspective stripes, shaded spheres, a panel of sinusoidal gratings whose frequency
// rises from 1/40 to 1/2.5 cycles per pixel (where super-resolution shows its worth), thin anti-aliased lines
// at several angles, blocks of text-like strokes, and a faint deterministic film grain. Edges are
// anti-aliased by 4x4 supersampling. Deterministic apart from libm rounding (at most one code value).
#pragma once

#include "base/image.h"

namespace litesr::testing {

Image make_sample_scene(int width = 320, int height = 240);

}  // namespace litesr::testing
