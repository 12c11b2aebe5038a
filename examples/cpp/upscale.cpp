// Upscales an image file through LiteSR's C++ API, then an in-memory 16-bit RGBA picture.
//   upscale_cpp INPUT OUTPUT [MODEL]     e.g. upscale_cpp photo.png photo_x4.png elsr-x4
// Build against an installed LiteSR: c++ -std=c++17 upscale.cpp $(pkg-config --cflags --libs litesr), or
// CMake's find_package(LiteSR) and LiteSR::litesr (examples/cmake_consumer).
#include <litesr/litesr.hpp>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INPUT OUTPUT [MODEL]\n", argv[0]);
    return 2;
  }
  try {
    litesr::Upscaler upscaler({argc > 3 ? argv[3] : ""});
    upscaler.upscale_file(argv[1], argv[2]);

    // A 40x30 RGBA gradient with 16-bit samples; the result is a new image, scale x the size.
    litesr::Image picture(40, 30, 4, 16);
    auto* samples = reinterpret_cast<std::uint16_t*>(picture.data());
    for (std::size_t i = 0; i < picture.size_bytes() / 2; ++i) samples[i] = static_cast<std::uint16_t>(i * 131);
    const litesr::Image big = upscaler.upscale(picture.view());
    std::printf("litesr %s: %s -> %s (x%d), and a %dx%d RGBA16 picture -> %dx%d\n", litesr::version().c_str(),
                argv[1], argv[2], upscaler.scale(), picture.width(), picture.height(), big.width(), big.height());
    return 0;
  } catch (const litesr::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
