"""The examples run as a new user runs them, in a fresh interpreter."""

import pathlib

from conftest import run_python

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_shares_pixels_both_ways():
    r = run_python((EXAMPLES / "quickstart.py").read_text(), timeout=120)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "ImgLib2 check sum of a 4x3 ArrayImg filled with 0..11 in Java = 66" in out
    assert "NumPy (3, 4) is ImgLib2 StridedImg [4, 3]" in out
    assert "NumPy sees a[2, 0] = -1.0" in out
    assert "shares a's memory: True" in out


def test_window_captures_are_real_windows_at_a_readable_size():
    """ci/examples also captures each example's real ImageJ window on the (Xvfb) screen, zoomed
    to at least 512 pixels wide, for docs/examples.md: the capture holds ImageJ's info line above
    the image, and the image's own brightest pixels."""
    import numpy as np
    from PIL import Image

    out = pathlib.Path(__file__).resolve().parents[2] / "target" / "examples"
    for name in ("hdf5_viewer", "paint", "warp", "labels"):
        shot = np.asarray(Image.open(out / f"{name}-window.png").convert("RGB"))
        render = np.asarray(Image.open(out / f"{name}.png").convert("RGB"))
        assert shot.shape[1] >= 512, (name, shot.shape)
        assert shot.shape[1] > render.shape[1] and shot.shape[0] > render.shape[0]
        # The info line: ImageJ's light grey window background with dark text, above the image.
        top = shot[:12].reshape(-1, 3)
        assert (top.min(axis=1) > 200).mean() > 0.5 and (top.max(axis=1) < 100).any(), name
        # The rendered slice's brightest colour appears in the window.
        brightest = render.reshape(-1, 3)[render.reshape(-1, 3).sum(axis=1).argmax()]
        assert (np.abs(shot.astype(int) - brightest).sum(axis=-1) <= 6).any(), name
