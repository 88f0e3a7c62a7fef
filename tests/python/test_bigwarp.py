"""imglyb.bigwarp: argument checks here, and a real BigWarp in real windows under Xvfb where
``IMGLYB_TEST_BIGWARP_CLASSPATH`` names its jars.

BigWarp is not on Maven Central (nor are several of its dependencies), so CI has none and the
BigWarp tests are skipped there with that reason. They were run by hand against BigWarp built
from its public sources (see the closing notes of the napari/BigWarp issue and docs/examples.md).
The classpath puts ImgLib2 8 and BigDataViewer first, then BigWarp and its dependencies.
"""

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import imglyb

BIGWARP_CLASSPATH = os.environ.get("IMGLYB_TEST_BIGWARP_CLASSPATH", "")
needs_bigwarp = pytest.mark.skipif(
    not BIGWARP_CLASSPATH,
    reason="IMGLYB_TEST_BIGWARP_CLASSPATH names no BigWarp jars (BigWarp is not on Maven Central)",
)

# The scene: a fixed image, and a moving one that is the fixed image seen through a known affine
# (NumPy order). Landmarks are exact pairs of that affine; the warp must undo it.
SCENE = """
import itertools, numpy as np, os, imglyb, imglyb.bigwarp
from PIL import Image

def scene(ndim):
    rng = np.random.default_rng(1)
    shape = (96, 128) if ndim == 2 else (24, 48, 64)
    grid = np.indices(shape, dtype=np.float64)
    fixed = np.zeros(shape, np.float32)
    for _ in range(12):                                   # blobs of different sizes
        c = [rng.uniform(0.2 * s, 0.8 * s) for s in shape]
        r = rng.uniform(3, 9)
        fixed += np.exp(-sum((g - ci) ** 2 for g, ci in zip(grid, c)) / (2 * r * r)).astype(np.float32)
    turn = np.deg2rad(20)
    a = np.eye(ndim)
    a[-2:, -2:] = [[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]]
    a *= 1.1
    shift = np.array([6.0, -8.0] if ndim == 2 else [1.0, 6.0, -8.0])
    # moving(p) = fixed(a @ p + shift): the moving image is the fixed one seen through the affine.
    import scipy.ndimage as ndi
    moving = ndi.affine_transform(fixed, a, offset=shift, order=1).astype(np.float32)
    inv = np.linalg.inv(a)
    # Spread over the image, never all on one line (or plane): corners of a box, and its centre.
    corners = np.array(list(itertools.product(*[(0.2 * s, 0.8 * s) for s in shape])))
    fixed_pts = np.vstack([corners, [[0.5 * s for s in shape]], [[0.35 * s for s in shape]]])
    moving_pts = (fixed_pts - shift) @ inv.T                # a @ moving_pt + shift = fixed_pt
    return moving, fixed, moving_pts, fixed_pts

def corr(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])
"""


def run_bigwarp(code: str, tmp_path, timeout: float = 300) -> str:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: ./ci/setup installs Debian's xvfb"
    script = tmp_path / "bigwarp_check.py"
    script.write_text(SCENE + textwrap.dedent(code))
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["IMGLYB_CLASSPATH"] = BIGWARP_CLASSPATH
    env["IMGLYB_SYSTEM_JARS"] = "0"
    r = subprocess.run([xvfb_run, "-a", "-s", "-screen 0 1280x1024x24", sys.executable, str(script)],
                       env=env, capture_output=True, text=True, timeout=timeout, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok", r.stdout + r.stderr
    return r.stdout


@needs_bigwarp
@pytest.mark.parametrize("ndim", [2, 3])
def test_bigwarp_window_landmarks_round_trip_and_the_warp_matches_the_fixed_image(ndim, tmp_path):
    out = run_bigwarp(f"""
        moving, fixed, moving_pts, fixed_pts = scene({ndim})
        w = imglyb.bigwarp.show(moving, fixed, moving_pts, fixed_pts)
        got_moving, got_fixed = w.landmarks()
        np.testing.assert_allclose(got_moving, moving_pts, atol=1e-9)
        np.testing.assert_allclose(got_fixed, fixed_pts, atol=1e-9)
        for kind in ("tps", "affine"):
            w.transform_type = kind
            assert w.transform_type == kind
            warped = w.warp()
            assert warped.shape == fixed.shape and warped.dtype == moving.dtype
            before, after = corr(moving, fixed), corr(warped, fixed)
            print(kind, "unwarped", round(before, 3), "warped", round(after, 3))
            # The margin: the warp correlates with the fixed image at 0.99 or better, and leaves
            # at most a tenth of the unwarped image's decorrelation (1 - r).
            assert after >= 0.99 and (1 - after) <= 0.1 * (1 - before), (kind, before, after)
            # The same solve without a window gives the same pixels.
            np.testing.assert_allclose(imglyb.bigwarp.warp(moving, fixed.shape, moving_pts, fixed_pts, kind), warped, atol=1e-5)
        # Landmarks set again replace the old ones.
        w.set_landmarks(moving_pts[:-1], fixed_pts[:-1])
        assert len(w.landmarks()[0]) == len(moving_pts) - 1
        # A point clicked in the moving window only is not a pair, and not read back as one.
        from imglyb.bdv import on_event_thread
        table = w.bigwarp.getLandmarkPanel().getTableModel()
        on_event_thread(lambda: table.add(imglyb.jarray("double", [5.0] * {ndim}), True))
        assert int(table.getRowCount()) == len(moving_pts)
        got_moving, got_fixed = w.landmarks()
        np.testing.assert_allclose(got_moving, moving_pts[:-1], atol=1e-9)
        png = os.path.join(os.getcwd(), "bigwarp.png")
        w.capture_png(png)
        assert Image.open(png).size[0] >= 512
        w.close()
        print("ok")
    """, tmp_path)
    assert "warped" in out


@needs_bigwarp
def test_the_warp_example_uses_bigwarp_when_it_is_there(tmp_path):
    example = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "warp.py")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["IMGLYB_CLASSPATH"] = BIGWARP_CLASSPATH
    env["IMGLYB_SYSTEM_JARS"] = "0"
    r = subprocess.run([shutil.which("xvfb-run"), "-a", "-s", "-screen 0 1280x1024x24", sys.executable, example,
                        "--headless", "--out", str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "BigWarp" in r.stdout, r.stdout
    data = np.load(tmp_path / "warp.npz")
    assert data["out"].shape == data["image"].shape and data["out"].max() > 0.5


# Without BigWarp: what is checked before Java is asked.


def test_without_bigwarp_on_the_classpath_the_error_says_how_to_add_it():
    if imglyb.bigwarp.available():
        pytest.skip("BigWarp is on this session's classpath")
    with pytest.raises(imglyb.ImglybError, match="BigWarp .* is not on the Java classpath: call imglyb.config.add_fiji"):
        imglyb.bigwarp.show(np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32))
    with pytest.raises(imglyb.ImglybError, match="not on the Java classpath"):
        imglyb.bigwarp.solve(np.zeros((4, 2)), np.ones((4, 2)))


def test_bad_arguments_are_clear_errors():
    image = np.zeros((8, 8), np.float32)
    pts = np.array([[1.0, 1.0], [5.0, 2.0], [3.0, 6.0], [6.0, 6.0]])
    with pytest.raises(ValueError, match="unknown transform 'spline'"):
        imglyb.bigwarp.show(image, image, transform="spline")
    with pytest.raises(ValueError, match="2-D or 3-D"):
        imglyb.bigwarp.show(np.zeros(8), np.zeros(8))
    with pytest.raises(ValueError, match="a 2-D moving image and a 3-D fixed one"):
        imglyb.bigwarp.show(image, np.zeros((2, 8, 8)))
    with pytest.raises(TypeError, match="integers or floats"):
        imglyb.bigwarp.show(image.astype(np.complex64), image)
    with pytest.raises(ValueError, match=r"moving landmarks must be an \(n, 2\) array"):
        imglyb.bigwarp.show(image, image, np.zeros((3, 3)), pts)
    with pytest.raises(ValueError, match="4 moving landmarks but 2 fixed ones"):
        imglyb.bigwarp.show(image, image, pts, pts[:2])
    with pytest.raises(ValueError, match="from at least 4 landmark pairs, got 3"):
        imglyb.bigwarp.warp(image, (8, 8), pts[:3], pts[:3])
    with pytest.raises(ValueError, match="finite"):
        imglyb.bigwarp.solve(np.array([[np.nan, 1.0], [2, 2], [3, 1], [4, 4]]), pts)
    with pytest.raises(ValueError, match=r"\(n, 2\) or \(n, 3\)"):
        imglyb.bigwarp.solve(np.zeros((3, 4)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="onto a 3-D fixed grid"):
        imglyb.bigwarp.warp(image, (2, 8, 8), pts, pts)
