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

/* Outputs at another size than scale x the input (`litesr upscale -s 1.5` / `--size 1920x1080`, docs/upscale.md
 * "Any output size"): give at most one of `output_scale` and `output_width` + `output_height`, and then leave
 * `scale` 0. The network runs at an integer scale it has, then MATLAB's bicubic resize (antialiased when it
 * shrinks) brings its output to the size asked for. With `output_scale` a built-in `model` names a family: its
 * member at the smallest scale >= the factor runs (elsr-x4 with 1.5 runs elsr-x2); a .safetensors file runs
 * itself and must reach the factor; bicubic resizes the input directly. An exact size runs the named model, and
 * an input it would have to enlarge more than its scale is an error of that call. Fields a program does not set
 * must be 0: initialise the struct with designated initializers (`= {.model = "elsr-x4", .output_scale = 1.5}`)
 * or `= {0}` and then assign. */
typedef struct litesr_upscaler_options {
  const char* model;   /* a built-in name (`litesr models`) or a .safetensors path; NULL or "" = the default */
  int scale;           /* 0 = the model's own; bicubic takes 2..8 (0 = 4) */
  int threads;         /* 0 = all cores */
  double output_scale; /* 0 = none; a factor in (1, 16]: each side becomes ceil(side x output_scale) */
  int output_width;    /* 0 = none; with output_height: exactly output_width x output_height pixels, 1..65536 each */
  int output_height;
} litesr_upscaler_options;

typedef struct litesr_upscaler litesr_upscaler;

/* "0.2.0". Never NULL. */
LITESR_API const char* litesr_version(void);
/* The message of the last failing call on this thread ("" if none). Never NULL. */
LITESR_API const char* litesr_last_error(void);
/* "ok", "invalid argument", ... Never NULL. */
LITESR_API const char* litesr_status_name(litesr_status status);

/* Opens a model. `options` NULL = the default model, its scale, all cores. On success *out is a new handle. */
LITESR_API litesr_status litesr_upscaler_create(const litesr_upscaler_options* options, litesr_upscaler** out);
/* Releases a handle; NULL is ignored. */
LITESR_API void litesr_upscaler_destroy(litesr_upscaler* upscaler);
/* The scale factor of the model that runs (with `output_scale`, the family member chosen: 2 for elsr-x4 and 1.5).
 * Outputs are this scale x the input unless an output size was given: see litesr_upscaler_output_size. */
LITESR_API litesr_status litesr_upscaler_scale(const litesr_upscaler* upscaler, int* scale);
/* The size in pixels litesr_upscale writes for an input_width x input_height input (each side 1..65536): scale x
 * the input, or the output size of the options. LITESR_INVALID_ARGUMENT for NULL pointers, a side outside
 * 1..65536, or an exact output size this input would need more than the model's scale for (the message names the
 * factor); LITESR_RESOURCE_EXHAUSTED for an output side beyond 65536. *output_width and *output_height are
 * written only on success. */
LITESR_API litesr_status litesr_upscaler_output_size(const litesr_upscaler* upscaler, int input_width,
                                                     int input_height, int* output_width, int* output_height);

/* Upscales `input` into `output`, which the caller allocates: litesr_upscaler_output_size's width and height (scale
 * x the input's unless an output size was given), the same channels and bit depth. 8-bit RGB at the model's scale
 * is written straight into `output` (no intermediate copy); resized outputs go through an intermediate image. */
LITESR_API litesr_status litesr_upscale(litesr_upscaler* upscaler, const litesr_image* input,
                                        const litesr_image* output);

/* Reads an image file (PNG, JPEG, WebP), upscales it (to the options' output size, if any) and writes
 * `output_path` atomically in the format of its extension, keeping alpha, 16-bit depth, ICC and EXIF as
 * `litesr upscale` does; replaces an existing file. */
LITESR_API litesr_status litesr_upscale_file(litesr_upscaler* upscaler, const char* input_path,
                                             const char* output_path);

#ifdef __cplusplus
}
#endif

#endif /* LITESR_LITESR_H_ */
