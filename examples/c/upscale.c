/* Upscales an image file through LiteSR's C API, then an in-memory 8-bit RGB picture.
 *   upscale INPUT OUTPUT [MODEL]     e.g. upscale photo.png photo_x4.png elsr-x4
 * Build against an installed LiteSR: cc upscale.c $(pkg-config --cflags --libs litesr), or CMake's
 * find_package(LiteSR) and LiteSR::litesr (examples/cmake_consumer). */
#include <litesr/litesr.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(const char* what, litesr_status status) {
  fprintf(stderr, "%s: %s: %s\n", what, litesr_status_name(status), litesr_last_error());
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s INPUT OUTPUT [MODEL]\n", argv[0]);
    return 2;
  }
  litesr_upscaler_options options = {.model = argc > 3 ? argv[3] : NULL}; /* scale, threads, output size: 0 */
  litesr_upscaler* upscaler = NULL;
  litesr_status status = litesr_upscaler_create(&options, &upscaler);
  if (status != LITESR_OK) return fail("create", status);
  int scale = 0;
  litesr_upscaler_scale(upscaler, &scale);

  status = litesr_upscale_file(upscaler, argv[1], argv[2]);
  if (status != LITESR_OK) {
    litesr_upscaler_destroy(upscaler);
    return fail(argv[1], status);
  }

  /* A 32x24 gradient in memory; the output buffer is the caller's, scale x the size. */
  enum { W = 32, H = 24 };
  unsigned char* in = malloc(W * H * 3);
  unsigned char* out = malloc((size_t)W * scale * H * scale * 3);
  if (in == NULL || out == NULL) return 1;
  for (int i = 0; i < W * H * 3; ++i) in[i] = (unsigned char)(i * 7);
  litesr_image lr = {in, W, H, 3, 8, W * 3};
  litesr_image sr = {out, W * scale, H * scale, 3, 8, (size_t)W * scale * 3};
  status = litesr_upscale(upscaler, &lr, &sr);
  free(in);
  free(out);
  litesr_upscaler_destroy(upscaler);
  if (status != LITESR_OK) return fail("buffer", status);
  printf("litesr %s: %s -> %s (x%d), and a %dx%d buffer -> %dx%d\n", litesr_version(), argv[1], argv[2], scale, W,
         H, W * scale, H * scale);
  return 0;
}
