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
