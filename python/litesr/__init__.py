"""LiteSR: fast super-resolution on a plain CPU, from Python (docs/api.md, "Python").

    import litesr
    up = litesr.Upscaler("elsr-x4")              # or Upscaler() for litesr.default_model()
    lr = litesr.read_image("photo.png")          # numpy (H, W, C), uint8 or uint16
    sr = up.upscale(lr)                          # (4H, 4W, C), same dtype
    litesr.write_image("photo_x4.png", sr)

Images are numpy arrays of shape (H, W) or (H, W, C) with C = 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA),
dtype uint8 (0..255), uint16 (0..65535) or float32 (0..1), any strides. Errors: ValueError for bad arrays and
arguments, FileNotFoundError for unknown models and missing files, RuntimeError for everything else. Long calls
(upscale, imresize, psnr, ssim, read_image, write_image) release the GIL.
"""

from ._litesr import (
    Upscaler,
    __version__,
    default_model,
    default_video_model,
    imresize,
    models,
    psnr,
    read_image,
    ssim,
    write_image,
)
from ._litesr import _native_upscale_loop  # benchmark helper (bench/python_overhead.py), not public API

__all__ = [
    "Upscaler",
    "__version__",
    "default_model",
    "default_video_model",
    "imresize",
    "models",
    "psnr",
    "read_image",
    "ssim",
    "write_image",
]
