"""litesr.read_image / litesr.write_image, the module's list of models, and the installed package."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import litesr


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_round_trip(tmp_path, random_image, dtype, channels):
    image = random_image((19, 23, channels), dtype, seed=channels)
    path = tmp_path / f"image_{channels}.png"
    litesr.write_image(path, image)
    back = litesr.read_image(path)
    assert back.dtype == dtype and back.shape == image.shape and back.flags.c_contiguous
    np.testing.assert_array_equal(back, image)
    # A strided view is written as its pixels; str paths work as well as os.PathLike.
    litesr.write_image(str(path), image[::-1, ::2])
    np.testing.assert_array_equal(litesr.read_image(str(path)), image[::-1, ::2])


def test_two_dimensional_arrays_are_grey(tmp_path, random_image):
    grey = random_image((9, 14), np.uint8)
    litesr.write_image(tmp_path / "g.png", grey)
    np.testing.assert_array_equal(litesr.read_image(tmp_path / "g.png"), grey[:, :, None])


def test_jpeg_and_webp(tmp_path, random_image):
    image = np.full((32, 32, 3), 128, np.uint8)
    image[8:24, 8:24] = (200, 60, 30)
    litesr.write_image(tmp_path / "a.jpg", image, quality=98)
    jpg = litesr.read_image(tmp_path / "a.jpg")
    assert jpg.shape == image.shape and np.abs(jpg.astype(int) - image).mean() < 3
    litesr.write_image(tmp_path / "a.webp", image, lossless=True)
    np.testing.assert_array_equal(litesr.read_image(tmp_path / "a.webp"), image)


def test_io_errors(tmp_path, random_image):
    image = random_image((4, 4, 3), np.uint8)
    with pytest.raises(FileNotFoundError):
        litesr.read_image(tmp_path / "missing.png")
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(RuntimeError, match="corrupt.png"):
        litesr.read_image(tmp_path / "corrupt.png")
    (tmp_path / "text.png").write_text("hello")
    with pytest.raises(RuntimeError):
        litesr.read_image(tmp_path / "text.png")
    with pytest.raises(ValueError, match="float32"):
        litesr.write_image(tmp_path / "f.png", image.astype(np.float32))
    with pytest.raises(ValueError):
        litesr.write_image(tmp_path / "a.bmp", image)  # unknown extension
    with pytest.raises(ValueError):
        litesr.write_image(tmp_path / "a.jpg", image, quality=0)
    with pytest.raises(ValueError):
        litesr.write_image(tmp_path / "a.png", image, png_level=12)
    litesr.write_image(tmp_path / "exists.png", image)
    with pytest.raises(RuntimeError, match="exists"):
        litesr.write_image(tmp_path / "exists.png", image, overwrite=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        litesr.write_image(tmp_path / "no" / "such" / "folder.png", image)
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(RuntimeError, match="i/o error"):
        litesr.write_image(tmp_path / "folder.png", image)
    with pytest.raises(TypeError):
        litesr.read_image(3)


def test_models_match_the_cli(cli, tmp_path):
    out = tmp_path / "models.json"
    cli("models", "--json", out)
    assert litesr.models() == json.loads(out.read_text())["models"]
    names = [m["name"] for m in litesr.models()]
    assert "elsr-x4" in names and "bicubic" in names
    assert [m["name"] for m in litesr.models() if m["default"]] == [litesr.default_model()]
    assert [m["name"] for m in litesr.models() if m["default_video"]] == [litesr.default_video_model()]


def test_version():
    assert litesr.__version__.count(".") == 2


def test_installed_package_imports(tmp_path):
    """`cmake --install` puts the package under the prefix; it imports from there alone."""
    build = os.environ.get("LITESR_BUILD_DIR")
    if not build:
        pytest.skip("LITESR_BUILD_DIR is not set (ctest sets it)")
    prefix = tmp_path / "prefix"
    cmake = os.environ.get("LITESR_CMAKE", "cmake")
    done = subprocess.run([cmake, "--install", build, "--prefix", str(prefix)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    inits = list(prefix.glob("lib/python3*/*-packages/litesr/__init__.py"))
    assert len(inits) == 1, f"no installed package under {prefix}: {sorted(map(str, prefix.rglob('*')))[:40]}"
    package_root = inits[0].parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(package_root)
    script = (
        "import litesr, numpy as np; "
        "print(litesr.__file__); "
        "print(litesr.Upscaler('elsr-x4', threads=1).upscale(np.zeros((4, 5, 3), np.uint8)).shape)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    file, shape = done.stdout.splitlines()[-2:]
    assert pathlib.Path(file).resolve().is_relative_to(package_root.resolve())
    assert shape == "(16, 20, 3)"
