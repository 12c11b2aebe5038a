"""Shared fixtures of the litesr Python tests (run by ctest as Python.Pytest; see python/CMakeLists.txt).

Environment (set by ctest): PYTHONPATH=<build>/python, LITESR_CLI (the `litesr` binary), LITESR_DATA (the real
SR data, ../shared/data), LITESR_BUILD_DIR and LITESR_CMAKE (for `cmake --install`).
"""

import os
import pathlib
import subprocess

import numpy as np
import pytest

import litesr


def _env_path(name):
    value = os.environ.get(name, "")
    return pathlib.Path(value) if value else None


@pytest.fixture(scope="session")
def cli():
    """Runs the `litesr` command line (the C++ reference): cli("upscale", "-i", ...) -> CompletedProcess."""
    binary = _env_path("LITESR_CLI")
    if binary is None or not binary.is_file():
        pytest.skip("LITESR_CLI is not set to the litesr binary (ctest sets it)")

    def run(*args):
        done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
        assert done.returncode == 0, f"litesr {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
        return done

    return run


@pytest.fixture(scope="session")
def set5():
    """The Set5 folder of the shared data (HR/, LR_bicubic/X4/); skips when the data is absent."""
    data = _env_path("LITESR_DATA") or pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    folder = data / "sr_benchmark" / "Set5"
    if not (folder / "HR" / "baby.png").is_file() or not (folder / "LR_bicubic" / "X4" / "babyx4.png").is_file():
        pytest.skip(f"real SR data not found: {folder} (set LITESR_DATA to the shared data folder)")
    return folder


@pytest.fixture(scope="session")
def elsr():
    """One elsr-x4 upscaler on one thread (the fastest shipped model), shared by the tests."""
    return litesr.Upscaler("elsr-x4", threads=1)


@pytest.fixture(scope="session")
def random_image():
    """random_image(shape, dtype, seed=0): uint8/uint16 over their full range, float32 in [0, 1]."""

    def make(shape, dtype, seed=0):
        rng = np.random.default_rng(seed)
        if np.dtype(dtype) == np.float32:
            return rng.random(shape, dtype=np.float32)
        return rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True, dtype=dtype)

    return make
