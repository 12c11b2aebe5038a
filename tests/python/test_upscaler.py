"""litesr.Upscaler: layouts, dtypes, strides, errors, bit-exactness against `litesr upscale` (also at any output
size: output_scale / output_shape against `-s` / `--size`), threads, GIL."""

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


def test_int8_model_is_listed_and_stays_close_to_its_float_model(random_image):
    info = {m["name"]: m for m in litesr.models()}
    assert info["elsr-x4-int8"]["precision"] == "int8" and info["elsr-x4"]["precision"] == "fp32"
    lr = random_image((40, 48, 3), np.float32, seed=3) * 0.5 + 0.25  # mid-range values, like photos
    fp = litesr.Upscaler("elsr-x4", threads=2).upscale(lr)
    i8 = litesr.Upscaler("elsr-x4-int8", threads=2).upscale(lr)
    assert i8.shape == fp.shape and i8.dtype == np.float32
    assert np.abs(i8 - fp).mean() < 0.01  # a few grey levels on average; the same network


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
    ("evsrnet-x4-y", (23, 31, 3), np.uint8),  # multi-frame luma: a static window of Y, bicubic chroma
    ("evsrnet-x4-y", (23, 31, 4), np.uint16),
    ("bicubic", (23, 31, 3), np.uint8),
    ("elsr-x4-int8", (23, 31, 3), np.uint8),  # INT8 (the integer band executor)
    ("elsr-x4-int8", (19, 21, 4), np.uint16),
    ("evsrnet-x4-int8", (23, 31, 3), np.uint8),  # INT8 recurrent step, a static window of int8 states
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


# Any output size: (model, the CLI's option, the Upscaler's keywords, input shape, dtype).
OUTPUT_SIZE_CASES = [
    ("elsr-x4", ["-s", "1.5"], {"output_scale": 1.5}, (23, 31, 3), np.uint8),  # elsr-x2, then the resize
    ("elsr-x4", ["-s", "1.5"], {"output_scale": 1.5}, (23, 31), np.uint8),
    ("elsr-x4", ["-s", "1.5"], {"output_scale": 1.5}, (23, 31, 4), np.uint16),
    ("elsr-x4", ["-s", "3"], {"output_scale": 3}, (23, 31, 3), np.uint8),  # elsr-x4, then the antialiased shrink
    ("elsr-x4", ["--size", "50x40"], {"output_shape": (40, 50)}, (23, 31, 3), np.uint8),
    ("elsr-x4", ["--size", "50x40"], {"output_shape": (40, 50)}, (23, 31, 2), np.uint8),
    ("elsr-x4", ["--size", "50x40"], {"output_shape": (40, 50)}, (23, 31, 3), np.uint16),
    ("evsrnet-nas-x4", ["-s", "2.5"], {"output_scale": 2.5}, (23, 31, 3), np.uint8),  # a static window, resized
    ("bicubic", ["-s", "2.5"], {"output_scale": 2.5}, (23, 31, 3), np.uint8),  # one resize of the input
]


@pytest.mark.parametrize("model, cli_size, keywords, shape, dtype", OUTPUT_SIZE_CASES)
def test_output_sizes_bit_exact_with_the_cli(cli, tmp_path, random_image, model, cli_size, keywords, shape, dtype):
    lr = random_image(shape, dtype, seed=11)
    src = tmp_path / "lr.png"
    out = tmp_path / "sr.png"
    litesr.write_image(src, lr)
    cli("upscale", "-i", src, "-o", out, "-n", model, *cli_size, "--overwrite", "-j", "1", "--progress", "none")
    expected = litesr.read_image(out)
    up = litesr.Upscaler(model, threads=1, **keywords)
    decoded = litesr.read_image(src)
    sr = up.upscale(decoded)
    assert sr.shape == up.output_shape(decoded.shape)
    np.testing.assert_array_equal(sr, expected)
    if lr.ndim == 2:
        assert up.output_shape(lr.shape) == expected.shape[:2]
        np.testing.assert_array_equal(up.upscale(lr), expected[:, :, 0])


def test_output_scale_runs_the_family_member_and_says_so():
    up = litesr.Upscaler("elsr-x4", threads=1, output_scale=1.5)
    assert (up.model, up.scale) == ("elsr-x2", 2)
    assert repr(up) == "litesr.Upscaler(model='elsr-x2', scale=2, threads=1, output_scale=1.5)"
    assert up.output_shape((17, 23)) == (26, 35)  # ceil(side x 1.5)
    assert up.output_shape((17, 23, 4)) == (26, 35, 4)
    exact = litesr.Upscaler("elsr-x4", threads=1, output_shape=(40, 50))
    assert (exact.model, exact.scale) == ("elsr-x4", 4)
    assert repr(exact) == "litesr.Upscaler(model='elsr-x4', scale=4, threads=1, output_shape=(40, 50))"
    assert exact.output_shape((17, 23, 3)) == (40, 50, 3)
    assert litesr.Upscaler("elsr-x4", threads=1).output_shape((17, 23)) == (68, 92)


@pytest.mark.parametrize("keywords", [{"output_scale": 1.5}, {"output_shape": (40, 50)}])
def test_resized_outputs_from_strided_inputs_and_float32(random_image, keywords):
    up = litesr.Upscaler("elsr-x4", threads=1, **keywords)
    base = random_image((46, 62, 3), np.uint8, seed=12)
    for view in (base[::2, ::2], base[3:26, 5:36], base[:, ::-1][:23, :31]):
        np.testing.assert_array_equal(up.upscale(view), up.upscale(np.ascontiguousarray(view)))
    # float32: the model's float output resized as litesr.imresize resizes float32 (unrounded), the same samples
    # inside [0, 1].
    lr = random_image((23, 31, 3), np.float32, seed=13)
    sr = up.upscale(lr)
    model_sr = litesr.Upscaler(up.model, threads=1).upscale(lr)
    if "output_scale" in keywords:
        want = litesr.imresize(model_sr, keywords["output_scale"] / up.scale)
    else:
        want = litesr.imresize(model_sr, output_shape=keywords["output_shape"])
    assert sr.shape == want.shape == up.output_shape(lr.shape)
    np.testing.assert_array_equal(np.clip(sr, 0, 1), np.clip(want, 0, 1))


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"output_scale": 1.0}, r"output_scale: scale 1 is not a factor in \(1, 16\]$"),
        ({"output_scale": 0.5}, r"scale 0.5 is not a factor in \(1, 16\]"),
        ({"output_scale": 0}, r"scale 0 is not a factor in \(1, 16\]"),  # None means none, not 0
        ({"output_scale": -2.0}, r"scale -2 is not"),
        ({"output_scale": float("nan")}, r"scale nan is not"),
        ({"output_scale": float("inf")}, r"scale inf is not"),
        ({"output_scale": 17}, r"scale 17 is not"),
        ({"output_scale": 5}, "no shipped model of elsr-x4's family reaches x5"),
        ({"output_shape": (0, 50)}, r"output_shape \(height, width\) = \(0, 50\): output size 50x0: each side must be 1..65536"),
        ({"output_shape": (40, -1)}, r"= \(40, -1\)"),
        ({"output_shape": (40, 70000)}, r"= \(40, 70000\)"),
        ({"output_scale": 1.5, "output_shape": (40, 50)}, "give output_scale or output_shape, not both"),
        ({"scale": 4, "output_scale": 2}, "give scale or an output size"),
        ({"scale": 4, "output_shape": (40, 50)}, "give scale or an output size"),
    ],
)
def test_bad_output_sizes_raise_value_error(keywords, message):
    with pytest.raises(ValueError, match=message):
        litesr.Upscaler("elsr-x4", threads=1, **keywords)


def test_output_size_keywords_take_numbers_and_pairs_only():
    for shape in [(40,), (40, 50, 3), 40, "40x50"]:
        with pytest.raises(TypeError):
            litesr.Upscaler("elsr-x4", output_shape=shape)
    with pytest.raises(TypeError):
        litesr.Upscaler("elsr-x4", output_scale="1.5")
    with pytest.raises(TypeError):
        litesr.Upscaler("elsr-x4", 0, 0, 1.5)  # keyword-only


def test_sizes_the_model_cannot_reach_raise_value_error(elsr):
    exact = litesr.Upscaler("elsr-x4", threads=1, output_shape=(40, 50))
    with pytest.raises(ValueError, match="more than the model's x4"):
        exact.upscale(np.zeros((9, 30, 3), np.uint8))  # 40 rows from 9: x4.44
    with pytest.raises(ValueError, match="more than the model's x4"):
        exact.output_shape((9, 30))
    with pytest.raises(ValueError, match="65536"):
        litesr.Upscaler("bicubic", threads=1, output_scale=8).upscale(np.zeros((9000, 1, 3), np.uint8))
    for bad, message in [((5,), "dimensions"), ((0, 5), "1..65536"), ((5, 70000), "1..65536"), ((5, 5, 5), "C")]:
        with pytest.raises(ValueError, match=message):
            elsr.output_shape(bad)


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
    # thread sees must be far shorter than the call itself. A loaded machine can deschedule the main thread once
    # in a while, so the best of three attempts counts (with the GIL held, every attempt pauses a whole call).
    # The default model, SAM-SR, on an image large enough that one call takes >= 0.1 s (256x256 under the
    # sanitizers, 512x512 in a release build): the bound below is then out of reach of an ordinary descheduling of
    # the main thread on a loaded machine, and a call that held the GIL would still exceed it.
    up = litesr.Upscaler(threads=1)
    size = 256
    while True:
        lr = random_image((size, size, 3), np.uint8, seed=40)
        up.upscale(lr)  # the first call at a size sizes the session's buffers
        start = time.perf_counter()
        up.upscale(lr)
        call = time.perf_counter() - start
        if call >= 0.1 or size >= 1024:
            break
        size *= 2
    repeats = max(1, int(0.6 / call))

    def longest_pause():
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
        return longest

    longest = min(longest_pause() for _ in range(3))
    assert longest < max(0.5 * call, 0.02), f"main thread paused {longest:.3f} s during {call:.3f} s calls"


def test_luma_model_upscales_y_and_takes_bicubic_chroma(random_image):
    info = {m["name"]: m for m in litesr.models()}
    assert info["fsrcnn-x4-y"]["color"] == "y" and info["elsr-x4"]["color"] == "rgb"
    lr = random_image((24, 20, 3), np.float32, seed=5) * 0.5 + 0.25
    sr = litesr.Upscaler("fsrcnn-x4-y", threads=2).upscale(lr)
    assert sr.shape == (96, 80, 3) and sr.dtype == np.float32

    def chroma(rgb):  # MATLAB rgb2ycbcr's Cb and Cr, / 255
        r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
        return np.stack([128 - 37.797 * r - 74.203 * g + 112.0 * b,
                         128 + 112.0 * r - 93.786 * g - 18.214 * b], axis=2) / 255

    # The chroma is the input's, resized by MATLAB bicubic (away from the few clamped pixels).
    expected = litesr.imresize(np.ascontiguousarray(chroma(lr).astype(np.float32)), 4)
    assert np.median(np.abs(chroma(sr) - expected)) < 1e-4
    # A grey image stays grey.
    grey = np.repeat(lr[:, :, :1], 3, axis=2)
    out = litesr.Upscaler("fsrcnn-x4-y", threads=1).upscale(np.ascontiguousarray(grey))
    assert np.abs(out[:, :, 0] - out[:, :, 1]).max() < 1e-5 and np.abs(out[:, :, 2] - out[:, :, 1]).max() < 1e-5
