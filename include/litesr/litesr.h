/* LiteSR C API: upscale images with LiteSR's engine from C, or from any language with a C FFI.
 *
 * Link with -llitesr (pkg-config litesr, or CMake find_package(LiteSR) and the target LiteSR::litesr).
 *
 * Errors: every call that can fail returns a litesr_status; litesr_last_error() gives the message of the last
 * failing call on the calling thread (valid until the next failing call on that thread). No call aborts,
 * throws a C++ exception or exits; NULL handles and bad buffers are LITESR_INVALID_ARGUMENT.
 * Threads: a litesr_upscaler is used by one thread at a time (serialise calls on one handle); separate
 * handles are independent and may run concurrently. Each handle owns its worker threads.
 * Images: interleaved samples, top row first; 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA channels; 8-bit
 * (uint8_t) or 16-bit (uint16_t, native byte order) samples; any row stride. Alpha is upscaled separately
 * and grey through the RGB network, as `litesr upscale` does (docs/api.md).
 */
#ifndef LITESR_LITESR_H_
#define LITESR_LITESR_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LITESR_API __attribute__((visibility("default")))
#else
#define LITESR_API
#endif

typedef enum litesr_status {
  LITESR_OK = 0,
  LITESR_INVALID_ARGUMENT = 1,   /* a NULL handle, an impossible size, stride or layout */
  LITESR_NOT_FOUND = 2,          /* a model name or file that does not exist */
  LITESR_ALREADY_EXISTS = 3,
  LITESR_IO_ERROR = 4,
  LITESR_CORRUPT_DATA = 5,       /* a malformed image or model file */
  LITESR_UNSUPPORTED = 6,
  LITESR_RESOURCE_EXHAUSTED = 7, /* out of memory, absurd dimensions */
  LITESR_CANCELLED = 8,
  LITESR_INTERNAL = 9            /* a LiteSR bug */
} litesr_status;

typedef struct litesr_image {
  void* data;      /* the first sample of the top row */
  int width;       /* pixels, >= 1 */
  int height;      /* pixels, >= 1 */
  int channels;    /* 1..4 */
  int bit_depth;   /* 8 or 16 */
  size_t stride;   /* bytes between row starts: >= width * channels * bit_depth / 8, a multiple of bit_depth / 8 */
} litesr_image;

typedef struct litesr_upscaler_options {
  const char* model; /* a built-in name (`litesr models`) or a .safetensors path; NULL or "" = the default */
  int scale;         /* 0 = the model's own; bicubic takes 2..8 (0 = 4) */
  int threads;       /* 0 = all cores */
} litesr_upscaler_options;

typedef struct litesr_upscaler litesr_upscaler;

/* "0.1.0". Never NULL. */
LITESR_API const char* litesr_version(void);
/* The message of the last failing call on this thread ("" if none). Never NULL. */
LITESR_API const char* litesr_last_error(void);
/* "ok", "invalid argument", ... Never NULL. */
LITESR_API const char* litesr_status_name(litesr_status status);

/* Opens a model. `options` NULL = the default model, its scale, all cores. On success *out is a new handle. */
LITESR_API litesr_status litesr_upscaler_create(const litesr_upscaler_options* options, litesr_upscaler** out);
/* Releases a handle; NULL is ignored. */
LITESR_API void litesr_upscaler_destroy(litesr_upscaler* upscaler);
/* The model's scale factor. */
LITESR_API litesr_status litesr_upscaler_scale(const litesr_upscaler* upscaler, int* scale);

/* Upscales `input` into `output`, which the caller allocates: scale x the input's width and height, the same
 * channels and bit depth. 8-bit RGB is written straight into `output` (no intermediate copy). */
LITESR_API litesr_status litesr_upscale(litesr_upscaler* upscaler, const litesr_image* input,
                                        const litesr_image* output);

/* Reads an image file (PNG, JPEG, WebP), upscales it and writes `output_path` atomically in the format of
 * its extension, keeping alpha, 16-bit depth, ICC and EXIF as `litesr upscale` does; replaces an existing
 * file. */
LITESR_API litesr_status litesr_upscale_file(litesr_upscaler* upscaler, const char* input_path,
                                             const char* output_path);

#ifdef __cplusplus
}
#endif

#endif /* LITESR_LITESR_H_ */
