#include "sample_scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace litesr::testing {

namespace {

using Rgb = std::array<double, 3>;  // linear-ish 0..1 display values

constexpr double kPi = 3.14159265358979323846;

Rgb mix(const Rgb& a, const Rgb& b, double t) {
  return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

// Distance from point p to segment ab.
double segment_distance(double px, double py, double ax, double ay, double bx, double by) {
  const double vx = bx - ax, vy = by - ay;
  const double t = std::clamp(((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy), 0.0, 1.0);
  return std::hypot(px - (ax + t * vx), py - (ay + t * vy));
}

// Colour of the scene at continuous coordinates (x, y) in a 320x240 frame.
Rgb scene(double x, double y) {
  const double horizon = 150;
  Rgb c;
  if (y < horizon) {  // sky: deep blue at the top to hazy near the horizon, with a soft sun
    c = mix({0.18, 0.35, 0.75}, {0.85, 0.82, 0.78}, std::pow(y / horizon, 1.6));
    const double d = std::hypot(x - 250, y - 60);
    c = mix(c, {1.0, 0.95, 0.75}, 1 - smoothstep(18, 22, d));
    c = mix(c, {1.0, 0.9, 0.7}, 0.35 * std::exp(-d / 40));
  } else {  // ground: perspective stripes converging to a vanishing point
    const double depth = (y - horizon) / (240 - horizon);
    const double u = (x - 160) / (0.05 + depth);
    const double stripe = 0.5 + 0.5 * std::sin(u * 0.06);
    c = mix({0.25, 0.35, 0.15}, {0.45, 0.55, 0.25}, stripe);
    c = mix(c, {0.6, 0.62, 0.55}, 0.5 * (1 - depth));
  }
  // Shaded spheres (Lambert shading, light from the upper right).
  const std::array<std::array<double, 6>, 3> spheres = {{{60, 170, 28, 0.8, 0.2, 0.15},
                                                         {115, 190, 18, 0.2, 0.5, 0.85},
                                                         {200, 185, 22, 0.9, 0.75, 0.2}}};
  for (const auto& s : spheres) {
    const double dx = (x - s[0]) / s[2], dy = (y - s[1]) / s[2];
    const double r2 = dx * dx + dy * dy;
    if (r2 < 1) {
      const double dz = std::sqrt(1 - r2);
      const double lambert = std::max(0.0, 0.5 * dx - 0.6 * dy + 0.62 * dz);
      const double spec = std::pow(std::max(0.0, lambert), 30);
      const Rgb base = {s[3], s[4], s[5]};
      c = mix(mix(base, {0, 0, 0}, 0.75 * (1 - lambert)), {1, 1, 1}, spec);
    }
  }
  // Grating panel: rows of sinusoids with rising frequency, bottom-right.
  if (x >= 236 && x < 312 && y >= 150 && y < 230) {
    const double t = (y - 150) / 80;  // 0..1
    const double freq = 1.0 / (40.0 * std::pow(2.5 / 40.0, t));
    const double v = 0.5 + 0.45 * std::sin(2 * kPi * freq * (x - 236));
    c = {v, v, v};
  }
  // Thin lines at several angles (1 px wide, anti-aliased by supersampling).
  const std::array<std::array<double, 4>, 5> lines = {{{10, 10, 150, 40},
                                                       {10, 20, 150, 110},
                                                       {20, 130, 120, 20},
                                                       {160, 10, 161, 140},
                                                       {170, 100, 310, 98}}};
  for (const auto& l : lines) {
    if (segment_distance(x, y, l[0], l[1], l[2], l[3]) < 0.5) c = {0.08, 0.08, 0.1};
  }
  // Text-like strokes: a few lines of pseudo-glyphs made of bars, top-left on a pale card.
  if (x >= 180 && x < 300 && y >= 112 && y < 144) {
    c = {0.95, 0.94, 0.9};
    const int col = static_cast<int>((x - 184) / 7);
    const int row = static_cast<int>((y - 115) / 9);
    const double gx = std::fmod(x - 184, 7), gy = std::fmod(y - 115, 9);
    if (x >= 184 && x < 296 && y >= 115 && row < 3) {
      const uint32_t h = static_cast<uint32_t>(col * 7919 + row * 104729) * 2654435761u;
      const bool stem = (h >> 3) & 1, top = (h >> 5) & 1, mid = (h >> 7) & 1, bottom = (h >> 9) & 1;
      const bool ink = (stem && gx >= 1 && gx < 2.2 && gy < 7) || (top && gy < 1.2 && gx < 5) ||
                       (mid && gy >= 3 && gy < 4.2 && gx < 5) || (bottom && gy >= 5.8 && gy < 7 && gx < 5) ||
                       ((h >> 11) & 1 && gx >= 4 && gx < 5.2 && gy < 7);
      if (ink && ((h >> 13) % 5 != 0)) c = {0.1, 0.1, 0.15};
    }
  }
  return c;
}

}  // namespace

Image make_sample_scene(int width, int height) {
  Image img = Image::create(width, height, 3, PixelType::kU8).value();
  const ImageView<uint8_t> v = img.view<uint8_t>();
  const double sx = 320.0 / width, sy = 240.0 / height;
  constexpr int kSuper = 4;
  uint32_t grain = 0x9E3779B9u;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      Rgb acc = {0, 0, 0};
      for (int j = 0; j < kSuper; ++j)
        for (int i = 0; i < kSuper; ++i) {
          const Rgb c = scene((x + (i + 0.5) / kSuper) * sx, (y + (j + 0.5) / kSuper) * sy);
          for (int k = 0; k < 3; ++k) acc[k] += c[k];
        }
      grain = grain * 1664525u + 1013904223u;
      const double noise = ((grain >> 24) / 255.0 - 0.5) * (3.0 / 255.0);  // ±1.5 code values
      for (int k = 0; k < 3; ++k) {
        const double value = acc[k] / (kSuper * kSuper) + noise;
        v.at(x, y, k) = static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 1.0) * 255));
      }
    }
  }
  return img;
}

}  // namespace litesr::testing
