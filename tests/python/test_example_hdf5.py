"""examples/hdf5_viewer.py as a user runs it, headless: the PNG it writes is the middle slice of
the HDF5 volume, scaled by the display range ImageJ was given (the volume's min to max)."""

import pathlib
import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "hdf5_viewer.py"


def test_the_screenshot_shows_the_middle_slice_of_the_file(tmp_path):
    r = subprocess.run(
        [sys.executable, str(EXAMPLE), "--headless", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "the window reads the array's own memory: True" in r.stdout
    with h5py.File(tmp_path / "hdf5_viewer.h5", "r") as f:
        volume = f["volume"][...]
    assert volume.shape == (16, 96, 128)
    shown = np.asarray(Image.open(tmp_path / "hdf5_viewer.png").convert("L")).astype(float)
    lo, hi = float(volume.min()), float(volume.max())
    expected = (volume[8] - lo) * 255.0 / (hi - lo)
    assert shown.shape == expected.shape
    assert np.abs(shown - expected).max() <= 0.51
    # The blob at (8, 60, 90) is the brightest spot of that slice.
    assert np.unravel_index(np.argmax(shown), shown.shape) == (60, 90)
