"""litesr.imresize, litesr.psnr and litesr.ssim: the same numbers as `litesr resize` and `litesr eval`."""

import json
import math

import numpy as np
import pytest

import litesr


def modcrop(image, scale):
    h, w = image.shape[:2]
    return image[: h - h % scale, : w - w % scale]


def read_eval_json(cli, tmp_path, *args):
    out = tmp_path / "eval.json"
    cli("eval", *args, "-s", "4", "--json", out, "--progress", "none", "-j", "1")
    return {image["name"]: image for image in json.loads(out.read_text())["images"]}


def test_model_output_scores_equal_litesr_eval(cli, set5, tmp_path):
    # `litesr eval -n elsr-x4` on Set5: LR files in, SR rounded to 8 bits, Y and RGB, shave = scale (4).
    expected = read_eval_json(cli, tmp_path, "-n", "elsr-x4", "-d", set5)
    up = litesr.Upscaler("elsr-x4", threads=1)
    for name, scores in expected.items():
        hr = modcrop(litesr.read_image(set5 / "HR" / f"{name}.png"), 4)
        lr = litesr.read_image(set5 / "LR_bicubic" / "X4" / f"{name}x4.png")
        sr = up.upscale(lr)
        assert litesr.psnr(sr, hr, shave=4) == scores["psnr_y"], name
        assert litesr.ssim(sr, hr, shave=4) == scores["ssim_y"], name
        assert litesr.psnr(sr, hr, y_only=False, shave=4) == scores["psnr_rgb"], name
        assert litesr.ssim(sr, hr, y_only=False, shave=4) == scores["ssim_rgb"], name
    assert 33.0 < expected["baby"]["psnr_y"] < 33.2  # a sanity check on the data itself


def test_bicubic_scores_equal_litesr_eval_including_a_grey_image(cli, set5, tmp_path):
    # `litesr eval --method bicubic` is imresize(LR, 4) (MATLAB's symmetric border); Set14's bridge.png is grey,
    # which switches the Y metrics to full-range luma.
    set14 = set5.parent / "Set14"
    if not (set14 / "HR" / "bridge.png").is_file():
        pytest.skip(f"Set14 not found in {set14.parent}")
    expected = read_eval_json(cli, tmp_path, "--method", "bicubic", "-d", set14)
    for name in ["bridge", "baboon", "comic"]:
        hr = modcrop(litesr.read_image(set14 / "HR" / f"{name}.png"), 4)
        lr = litesr.read_image(set14 / "LR_bicubic" / "X4" / f"{name}x4.png")
        sr = litesr.imresize(lr, 4)
        assert sr.shape[:2] == hr.shape[:2]
        scores = expected[name]
        assert litesr.psnr(sr, hr, shave=4) == scores["psnr_y"], name
        assert litesr.ssim(sr, hr, shave=4) == scores["ssim_y"], name
        assert litesr.psnr(sr, hr, y_only=False, shave=4) == scores["psnr_rgb"], name
        assert litesr.ssim(sr, hr, y_only=False, shave=4) == scores["ssim_rgb"], name
    assert litesr.read_image(set14 / "HR" / "bridge.png").shape[2] == 1


def test_imresize_reproduces_the_benchmark_lr_files(set5):
    # data/README.md: the LR files are imresize(modcrop(HR), 1/4) with replicate borders, bit for bit.
    for name in ["baby", "bird", "butterfly", "head", "woman"]:
        hr = modcrop(litesr.read_image(set5 / "HR" / f"{name}.png"), 4)
        lr = litesr.read_image(set5 / "LR_bicubic" / "X4" / f"{name}x4.png")
        np.testing.assert_array_equal(litesr.imresize(hr, 0.25, border="replicate"), lr, err_msg=name)
        assert not np.array_equal(litesr.imresize(hr, 0.25), lr)  # the border matters
        h, w = lr.shape[:2]
        np.testing.assert_array_equal(litesr.imresize(hr, output_shape=(h, w), border="replicate"), lr)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("args, kwargs", [(["-s", "0.5"], {"scale": 0.5}), (["-s", "3"], {"scale": 3}),
                                          (["--size", "20x9"], {"output_shape": (9, 20)})])
def test_imresize_equals_litesr_resize(cli, tmp_path, random_image, dtype, args, kwargs):
    image = random_image((17, 26, 3), dtype, seed=50)
    src = tmp_path / "in.png"
    out = tmp_path / "out.png"
    litesr.write_image(src, image)
    cli("resize", "-i", src, "-o", out, "--overwrite", "--progress", "none", *args)
    np.testing.assert_array_equal(litesr.imresize(image, **kwargs), litesr.read_image(out))


def test_imresize_layouts_and_errors(random_image):
    grey = random_image((10, 12), np.float32, seed=51)
    out = litesr.imresize(grey, 2)
    assert out.shape == (20, 24) and out.dtype == np.float32
    np.testing.assert_array_equal(out, litesr.imresize(grey[:, :, None], 2)[:, :, 0])
    strided = random_image((30, 30, 4), np.uint16, seed=52)[::3, ::2]
    np.testing.assert_array_equal(litesr.imresize(strided, 0.5), litesr.imresize(strided.copy(), 0.5))
    assert litesr.imresize(random_image((10, 10, 3), np.uint8), 1 / 3).shape == (4, 4, 3)  # ceil(10/3)
    assert litesr.imresize(random_image((8, 8), np.uint8), 0.5, antialias=False).shape == (4, 4)
    with pytest.raises(ValueError, match="exactly one"):
        litesr.imresize(grey)
    with pytest.raises(ValueError, match="exactly one"):
        litesr.imresize(grey, 2, output_shape=(3, 3))
    with pytest.raises(ValueError):
        litesr.imresize(grey, -1.0)
    with pytest.raises(ValueError):
        litesr.imresize(grey, output_shape=(0, 5))
    with pytest.raises(ValueError):
        litesr.imresize(grey, 2, border="wrap-around")
    with pytest.raises(ValueError, match="dtype"):
        litesr.imresize(grey.astype(np.float64), 2)


def test_psnr_closed_forms():
    zero = np.zeros((16, 16, 3), np.uint8)
    one = np.ones((16, 16, 3), np.uint8)
    # RGB: MSE 1 -> 10·log10(255²).
    assert litesr.psnr(zero, one, y_only=False) == pytest.approx(20 * math.log10(255), abs=1e-12)
    # Y: a step of 1 in R, G and B moves Y by (65.481 + 128.553 + 24.966) / 255 = 219 / 255.
    assert litesr.psnr(zero, one) == pytest.approx(20 * math.log10(255 / (219 / 255)), abs=1e-9)
    # A grey reference switches Y to full-range luma: a step of 1 stays 1.
    assert litesr.psnr(zero[:, :, 0], one[:, :, :1]) == pytest.approx(20 * math.log10(255), abs=1e-9)
    assert litesr.psnr(one, one) == math.inf
    assert litesr.ssim(one, one) == 1.0


def test_metric_inputs_follow_eval(random_image):
    hr = random_image((24, 24, 3), np.uint8, seed=60)
    sr = random_image((24, 24, 3), np.float32, seed=61)
    rounded = np.clip(np.floor(sr * np.float32(255) + np.float32(0.5)), 0, 255).astype(np.uint8)
    for y_only in (True, False):
        for metric in (litesr.psnr, litesr.ssim):
            # float32 SR is rounded like a saved PNG; alpha is ignored; strides do not matter.
            assert metric(sr, hr, y_only=y_only) == metric(rounded, hr, y_only=y_only)
            rgba = np.dstack([rounded, np.full(rounded.shape[:2], 7, np.uint8)])
            assert metric(rgba, hr, y_only=y_only) == metric(rounded, hr, y_only=y_only)
            assert metric(rounded[:, ::-1], hr[:, ::-1], y_only=y_only, shave=2) == metric(
                np.ascontiguousarray(rounded[:, ::-1]), np.ascontiguousarray(hr[:, ::-1]), y_only=y_only, shave=2)
    # Shaving removes the border: a difference only there does not count.
    other = hr.copy()
    other[0, :] = 255 - other[0, :]
    assert litesr.psnr(other, hr, shave=1) == math.inf
    assert litesr.psnr(other, hr) < 40


def test_metric_errors(random_image):
    a = random_image((16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match="differ in size"):
        litesr.psnr(a, a[:15])
    with pytest.raises(ValueError, match="shave"):
        litesr.psnr(a, a, shave=-1)
    with pytest.raises(ValueError, match="shav"):
        litesr.psnr(a, a, shave=8)
    with pytest.raises(ValueError, match="11x11"):
        litesr.ssim(a, a, shave=3)  # 10x10 left
    with pytest.raises(ValueError, match="dtype"):
        litesr.psnr(a.astype(np.int16), a)
    with pytest.raises(ValueError, match="empty"):
        litesr.ssim(a[:0], a[:0])
