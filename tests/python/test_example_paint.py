"""examples/paint.py as a user runs it, headless under Xvfb: synthetic clicks in a real ImageJ
window reach the Python mouse listener, which paints spheres into the NumPy array through
ImgLib2. The array must differ from the original volume exactly by those spheres (computed here
on their own), and the PNG of the shown slice must be white exactly there and the scaled
background elsewhere. Without a display the example says how to get one."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "paint.py"


def load_example():
    spec = importlib.util.spec_from_file_location("paint_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_example(args: list[str], display: bool, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs the example in a fresh interpreter, under Xvfb when ``display``, else with no DISPLAY."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    command = [sys.executable, str(EXAMPLE), *args]
    if display:
        xvfb_run = shutil.which("xvfb-run")
        assert xvfb_run, "xvfb-run is missing: ./ci/setup installs Debian's xvfb"
        command = [xvfb_run, "-a", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def ball(shape, center, radius):
    """Voxels within ``radius`` of ``center`` (z, y, x), by explicit distances to every voxel."""
    coords = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), axis=-1)
    d2 = ((coords - np.asarray(center)) ** 2).sum(axis=-1)
    return d2 <= radius * radius


def test_clicks_paint_spheres_into_the_array_and_the_window_shows_them(tmp_path):
    example = load_example()
    r = run_example(["--headless", "--out", str(tmp_path)], display=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "painted 3 spheres" in r.stdout

    record = json.loads((tmp_path / "paint_clicks.json").read_text())
    clicks = [(c["z"], c["y"], c["x"]) for c in record["clicks"]]
    # The screen positions the events carried came back to the pixels and slices clicked.
    assert clicks == [tuple(c) for c in example.HEADLESS_CLICKS]

    original = example.make_volume()
    assert original.shape == (8, 96, 128) and original.dtype == np.float32
    painted = np.zeros(original.shape, bool)
    expected = original.copy()
    for c in record["clicks"]:
        sphere = ball(original.shape, (c["z"], c["y"], c["x"]), c["radius"])
        assert c["radius"] == 4 and c["value"] == 255
        expected[sphere] = c["value"]
        painted |= sphere
    # The last click is at the corner: its sphere is clipped on three sides, nothing wrapped.
    assert 0 < ball(original.shape, clicks[-1], 4).sum() < ball((9, 9, 9), (4, 4, 4), 4).sum()

    arr = np.load(tmp_path / "paint.npy")
    assert arr.dtype == np.float32 and arr.shape == original.shape
    assert (original < 255).all()
    assert np.array_equal(arr != original, painted)    # changed exactly in the brush region
    assert np.array_equal(arr, expected)               # to exactly the brush value

    # The PNG is the slice shown at the end, as ImageJ draws it with the display range 0..255.
    z = record["slice"]
    assert z == clicks[-1][0]
    lo, hi = record["display_range"]
    assert (lo, hi) == (0, 255)
    shown = np.asarray(Image.open(tmp_path / "paint.png").convert("L"))
    assert shown.shape == (96, 128)
    on_slice = painted[z]
    # Two spheres reach this slice: the corner one and a smaller disc of the one two slices up.
    assert on_slice[:, :100].sum() > 20 and on_slice[:, 100:].sum() > 5
    assert np.array_equal(shown == 255, on_slice)
    background = np.round((original[z] - lo) * 255.0 / (hi - lo))
    assert np.abs(shown[~on_slice].astype(float) - background[~on_slice]).max() <= 1


def test_headless_without_a_display_says_how_to_get_one(tmp_path):
    r = run_example(["--headless", "--out", str(tmp_path)], display=False)
    assert r.returncode != 0
    assert "DISPLAY" in r.stderr and "Xvfb" in r.stderr
    assert not (tmp_path / "paint.png").exists()
