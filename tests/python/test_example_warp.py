"""examples/warp.py as a user runs it, headless: the affine fitted to the landmarks is close to
the one they were made with, Java's warped pixels equal a bilinear resampling computed here in
NumPy, and the PNG shows the moving and the warped image side by side."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "warp.py"

# The affine (moving -> fixed, x = column, y = row) the example's landmarks are made with, as
# its docstring states it; written out here rather than imported from the example.
KNOWN_AFFINE = np.array([[0.95, -0.20, 14.0], [0.22, 0.90, -8.0]])


def bilinear_zero_outside(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``image`` at real positions (``x`` column, ``y`` row) as ImgLib2's NLinearInterpolator
    over ``Views.extendZero`` samples it: pixel centres at integer coordinates, the four
    neighbours weighted linearly, zero outside the image."""
    h, w = image.shape
    x0 = np.floor(x).astype(np.int64)
    y0 = np.floor(y).astype(np.int64)
    fx = x - x0
    fy = y - y0

    def at(yi, xi):
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        return np.where(inside, image[np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], 0.0)

    return ((1 - fx) * (1 - fy) * at(y0, x0) + fx * (1 - fy) * at(y0, x0 + 1)
            + (1 - fx) * fy * at(y0 + 1, x0) + fx * fy * at(y0 + 1, x0 + 1))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("warp")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    r = subprocess.run(
        [sys.executable, str(EXAMPLE), "--headless", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    with np.load(out / "warp.npz") as saved:
        arrays = {k: saved[k] for k in saved.files}
    return out, arrays


def test_the_fitted_affine_recovers_the_known_one(result):
    _, a = result
    moving, fixed, affine = a["moving"], a["fixed"], a["affine"]
    assert affine.shape == (2, 3) and len(moving) >= 3
    # The landmarks are the known affine plus a little noise...
    predicted = moving @ KNOWN_AFFINE[:, :2].T + KNOWN_AFFINE[:, 2]
    assert 0 < np.abs(fixed - predicted).max() < 1.5
    # ...and the fit is their least-squares affine, close to the known one.
    design = np.column_stack([moving, np.ones(len(moving))])
    refit = np.linalg.lstsq(design, fixed, rcond=None)[0].T
    np.testing.assert_allclose(affine, refit, atol=1e-9)
    np.testing.assert_allclose(affine[:, :2], KNOWN_AFFINE[:, :2], atol=0.02)
    np.testing.assert_allclose(affine[:, 2], KNOWN_AFFINE[:, 2], atol=0.5)


def test_java_warped_pixels_equal_a_numpy_bilinear_resampling(result):
    _, a = result
    image, out, affine = a["image"], a["out"], a["affine"]
    assert image.dtype == out.dtype == np.float32 and image.shape == out.shape == (96, 128)
    # Every output pixel (x, y) is the moving image at inverse(affine)(x, y).
    inverse = np.linalg.inv(np.vstack([affine, [0.0, 0.0, 1.0]]))
    y, x = np.indices(out.shape, dtype=np.float64)
    u = inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2]
    v = inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2]
    reference = bilinear_zero_outside(image.astype(np.float64), u, v)
    assert np.abs(out - reference).max() < 1e-4
    # The warp is visible: pixels that map outside the moving image are zero, and the disc
    # centred at (84, 40) in the moving image lands at the known affine's image of it.
    outside = (u < -1) | (u > 128) | (v < -1) | (v > 96)
    assert outside.sum() > 100 and (out[outside] == 0).all()
    assert not np.allclose(out, image, atol=0.1)
    cx, cy = KNOWN_AFFINE @ [84.0, 40.0, 1.0]
    assert out[int(round(cy)), int(round(cx))] == pytest.approx(1.0, abs=1e-6)
    assert image[40, 84] == 1.0


def test_the_png_shows_moving_and_warped_side_by_side(result):
    folder, a = result
    stacked = np.hstack([a["image"], a["out"]]).astype(np.float64)
    shown = np.asarray(Image.open(folder / "warp.png").convert("L")).astype(np.float64)
    assert shown.shape == (96, 256)
    lo, hi = stacked.min(), stacked.max()  # the display range ImageJ was given
    expected = np.round(255 * (stacked - lo) / (hi - lo))
    assert np.abs(shown - expected).max() <= 1
