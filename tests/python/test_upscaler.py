"""litesr.Upscaler: layouts, dtypes, strides, errors, bit-exactness against `litesr upscale`, threads, GIL."""

import threading
import time

import numpy as np
import pytest

import litesr

DTYPES = [np.uint8, np.uint16, np.float32]


def test_properties_and_default_model():
    up = litesr.Upscaler(threads=1)
    assert up.model == litesr.default_model()
    assert up.scale == 4
    assert up.threads == 1
    assert "Upscaler(model=" in repr(up)
    x2 = litesr.Upscaler("elsr-x2", scale=2, threads=2)
    assert (x2.model, x2.scale, x2.threads) == ("elsr-x2", 2, 2)
    assert litesr.Upscaler("bicubic", scale=3).scale == 3
    assert litesr.Upscaler(model="bicubic").scale == 4


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(13, 17), (13, 17, 1), (13, 17, 2), (13, 17, 3), (13, 17, 4)])
def test_every_dtype_and_layout(elsr, random_image, dtype, shape):
    lr = random_image(shape, dtype)
    sr = elsr.upscale(lr)
    assert sr.dtype == lr.dtype
    assert sr.shape == (4 * shape[0], 4 * shape[1]) + shape[2:]
    assert sr.flags.c_contiguous and sr.flags.writeable and sr.flags.owndata
    if dtype == np.float32:
        assert sr.min() >= 0.0 and sr.max() <= 1.0  # the runtime clamps float outputs to [0, 1]
    assert sr.std() > 0  # not a blank image
    # Deterministic, and the input is left alone.
    before = lr.copy()
    np.testing.assert_array_equal(elsr.upscale(lr), sr)
    np.testing.assert_array_equal(lr, before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_dimensional_equals_one_channel(elsr, random_image, dtype):
    lr = random_image((11, 9), dtype, seed=1)
    np.testing.assert_array_equal(elsr.upscale(lr), elsr.upscale(lr[:, :, None])[:, :, 0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_strided_inputs_equal_contiguous_copies(elsr, random_image, dtype, channels):
    base = random_image((40, 50, channels), dtype, seed=2)
    views = {
        "every other pixel": base[::2, ::2],
        "crop (row stride > width)": base[3:30, 5:41],
        "flipped rows": base[::-1],
        "flipped columns": base[:, ::-1],
        "transposed": base.transpose(1, 0, 2),
        "channel-planar (Fortran order)": np.asfortranarray(base),
        "broadcast rows": np.broadcast_to(base[:1], base.shape),
    }
    if channels >= 3:
        views["reversed channels"] = base[:, :, ::-1]
    for name, view in views.items():
        expected = elsr.upscale(np.ascontiguousarray(view))
        np.testing.assert_array_equal(elsr.upscale(view), expected, err_msg=name)


def test_unaligned_and_one_pixel_inputs(elsr, random_image):
    # A float32 image at an odd byte offset (not 4-byte aligned) is copied, not read misaligned.
    lr = random_image((8, 7, 3), np.float32, seed=3)
    raw = np.zeros(lr.nbytes + 1, np.uint8)
    unaligned = np.frombuffer(raw.data, dtype=np.float32, count=lr.size, offset=1).reshape(lr.shape)
    assert unaligned.ctypes.data % 4 != 0
    unaligned[...] = lr
    np.testing.assert_array_equal(elsr.upscale(unaligned), elsr.upscale(lr))
    for shape in [(1, 1, 3), (1, 9, 3), (9, 1, 3), (1, 1)]:
        assert elsr.upscale(random_image(shape, np.uint8)).shape[:2] == (4 * shape[0], 4 * shape[1])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((8, 8, 3), np.float64), "dtype"),
        (np.zeros((8, 8, 3), np.int32), "dtype"),
        (np.zeros((8, 8, 3), np.int8), "dtype"),
        (np.zeros((8, 8, 3), bool), "dtype"),
        (np.zeros((8, 8, 3), ">u2"), "dtype"),  # non-native byte order
        (np.zeros(8, np.uint8), "shape"),
        (np.zeros((2, 8, 8, 3), np.uint8), "shape"),
        (np.zeros((0, 8, 3), np.uint8), "empty"),
        (np.zeros((8, 0), np.uint8), "empty"),
        (np.zeros((8, 8, 0), np.uint8), "channels"),
        (np.zeros((8, 8, 5), np.uint8), "channels"),
        (np.zeros((20000, 1, 3), np.uint8), "at most"),  # output side 80000 > 65536
    ],
)
def test_bad_arrays_raise_value_error(elsr, bad, message):
    with pytest.raises(ValueError, match=message):
        elsr.upscale(bad)


def test_non_arrays_raise_type_error(elsr):
    with pytest.raises(TypeError):
        elsr.upscale("not an image")


def test_open_errors():
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        litesr.Upscaler("no-such-model")
    with pytest.raises(FileNotFoundError):
        litesr.Upscaler("/nonexistent/model.safetensors")
    with pytest.raises(ValueError):
        litesr.Upscaler("elsr-x4", scale=2)  # not the model's scale
    with pytest.raises(ValueError):
        litesr.Upscaler("elsr-x4", threads=-1)
    with pytest.raises(ValueError):
        litesr.Upscaler("bicubic", scale=-2)
    with pytest.raises(TypeError):
        litesr.Upscaler(42)


def test_corrupt_model_file_raises_runtime_error(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(RuntimeError):
        litesr.Upscaler(bad)  # os.PathLike is accepted


def test_float32_convention_matches_the_uint16_path(elsr, random_image):
    # uint16 RGB runs the network in float32 on v / 65535 and rounds back (base/image_ops.h); doing the same
    # conversions in numpy around the float32 path must give the very same samples: float32 is [0, 1].
    lr16 = random_image((21, 19, 3), np.uint16, seed=4)
    lr32 = lr16.astype(np.float32) * (np.float32(1) / np.float32(65535))
    sr32 = elsr.upscale(lr32)
    s = sr32 * np.float32(65535)
    quantized = np.where(s > 0, np.minimum(np.floor(s + np.float32(0.5)), 65535), 0).astype(np.uint16)
    np.testing.assert_array_equal(quantized, elsr.upscale(lr16))


def test_float32_matches_the_uint8_path(elsr, random_image):
    # The fused u8 path reads v / 255 and rounds its output half up; the float path must agree to 1 LSB.
    lr8 = random_image((24, 32, 3), np.uint8, seed=5)
    sr8 = elsr.upscale(lr8).astype(np.int32)
    sr32 = elsr.upscale(lr8.astype(np.float32) / np.float32(255))
    rounded = np.floor(sr32.astype(np.float64) * 255 + 0.5).astype(np.int32)
    assert np.abs(rounded - sr8).max() <= 1


def test_float32_grey_and_alpha_rules(elsr, random_image):
    # Grey goes through the RGB network replicated and is averaged back; alpha likewise, separately.
    grey = random_image((15, 12), np.float32, seed=6)
    rgb = elsr.upscale(np.repeat(grey[:, :, None], 3, axis=2))
    mean = (rgb[:, :, 0] + rgb[:, :, 1] + rgb[:, :, 2]) / np.float32(3)
    np.testing.assert_array_equal(elsr.upscale(grey), mean)
    rgba = random_image((15, 12, 4), np.float32, seed=7)
    sr = elsr.upscale(rgba)
    np.testing.assert_array_equal(sr[:, :, :3], elsr.upscale(np.ascontiguousarray(rgba[:, :, :3])))
    np.testing.assert_array_equal(sr[:, :, 3], elsr.upscale(np.ascontiguousarray(rgba[:, :, 3])))


def test_multi_frame_model_on_still_images(random_image):
    # evsrnet runs a still image as a static window; every call starts a new window, so calls are independent.
    up = litesr.Upscaler("evsrnet-nas-x4", threads=1)
    a = random_image((12, 10, 3), np.uint8, seed=8)
    b = random_image((12, 10, 3), np.uint8, seed=9)
    first = up.upscale(a)
    up.upscale(b)
    np.testing.assert_array_equal(up.upscale(a), first)
    f = a.astype(np.float32) / np.float32(255)
    first32 = up.upscale(f)
    up.upscale(b.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(up.upscale(f), first32)


CLI_CASES = [
    ("elsr-x4", (23, 31, 3), np.uint8),
    ("elsr-x4", (23, 31), np.uint8),
    ("elsr-x4", (23, 31, 2), np.uint8),
    ("elsr-x4", (23, 31, 4), np.uint8),
    ("elsr-x4", (23, 31, 3), np.uint16),
    ("elsr-x4", (23, 31, 4), np.uint16),
    ("elsr-x4", (23, 31), np.uint16),
    ("elsr-x2", (23, 31, 3), np.uint8),
    ("", (23, 31, 3), np.uint8),  # the default model (SAM-SR: squeeze-excite over the whole image)
    ("evsrnet-nas-x4", (23, 31, 3), np.uint8),  # multi-frame, as a static window
    ("bicubic", (23, 31, 3), np.uint8),
]


@pytest.mark.parametrize("model, shape, dtype", CLI_CASES)
def test_bit_exact_with_the_cli(cli, tmp_path, random_image, model, shape, dtype):
    lr = random_image(shape, dtype, seed=10)
    src = tmp_path / "lr.png"
    out = tmp_path / "sr.png"
    litesr.write_image(src, lr)
    args = ["upscale", "-i", src, "-o", out, "--overwrite", "-j", "1", "--progress", "none"]
    if model:
        args += ["-n", model]
    cli(*args)
    expected = litesr.read_image(out)
    up = litesr.Upscaler(model, threads=1)
    sr = up.upscale(litesr.read_image(src))
    assert sr.dtype == expected.dtype
    np.testing.assert_array_equal(sr, expected)
    # The 2-D form of a grey image is the same pixels.
    if lr.ndim == 2:
        np.testing.assert_array_equal(up.upscale(lr), expected[:, :, 0])


def test_different_upscalers_in_two_threads(random_image):
    frames = [random_image((45, 64, 3), np.uint8, seed=20 + i) for i in range(6)]
    ups = [litesr.Upscaler("elsr-x4", threads=1), litesr.Upscaler("sam-sr-xlite-x4", threads=1)]
    expected = [[up.upscale(f) for f in frames] for up in ups]
    results = [[None] * len(frames) for _ in ups]
    errors = []

    def work(k):
        try:
            for _ in range(3):
                for i, f in enumerate(frames):
                    results[k][i] = ups[k].upscale(f)
                    np.testing.assert_array_equal(results[k][i], expected[k][i])
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_one_upscaler_shared_by_threads_is_serialised(elsr, random_image):
    frames = [random_image((30, 20, c), np.uint8, seed=30 + c) for c in (1, 3, 4)]
    expected = [elsr.upscale(f) for f in frames]
    errors = []

    def work():
        try:
            for _ in range(5):
                for f, e in zip(frames, expected):
                    np.testing.assert_array_equal(elsr.upscale(f), e)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_upscale_releases_the_gil(random_image):
    # While one thread upscales, Python code in another thread keeps running: the longest pause the main
    # thread sees must be far shorter than the call itself.
    up = litesr.Upscaler(threads=1)  # the default model, SAM-SR: ~0.1-0.3 s for this image on one core
    lr = random_image((256, 256, 3), np.uint8, seed=40)
    up.upscale(lr)  # the first call sizes the session's buffers
    start = time.perf_counter()
    up.upscale(lr)
    call = time.perf_counter() - start
    repeats = max(1, int(0.6 / call))
    done = threading.Event()

    def work():
        for _ in range(repeats):
            up.upscale(lr)
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    longest = 0.0
    last = time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    assert longest < max(0.5 * call, 0.02), f"main thread paused {longest:.3f} s during {call:.3f} s calls"
