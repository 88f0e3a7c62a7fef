"""examples/labels.py as a user runs it, headless: every pixel of the PNG is the colour of the
label at that position on the middle slice, by the formula documented in
``org.imglyb.examples.LabelColors`` and recomputed here; and the colour view reads the labels
live, all 64 bits of them."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import imglyb

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "labels.py"

MASK64 = (1 << 64) - 1


def label_argb(label: int) -> int:
    """The documented colour of a label, as an unsigned 32-bit ARGB value: 0 for label 0, else
    0xFF000000 | (h & 0xFFFFFF) | 0x404040 with h a 64-bit mix of the label."""
    label &= MASK64
    if label == 0:
        return 0
    h = (label * 0x9E3779B97F4A7C15) & MASK64
    h = ((h ^ (h >> 32)) * 0xD6E8FEB86659FD93) & MASK64
    h ^= h >> 32
    return 0xFF000000 | (h & 0xFFFFFF) | 0x404040


def rgb(argb: int) -> tuple[int, int, int]:
    return (argb >> 16) & 0xFF, (argb >> 8) & 0xFF, argb & 0xFF


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("labels")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    r = subprocess.run(
        [sys.executable, str(EXAMPLE), "--headless", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    labels = np.load(out / "labels.npy")
    shown = np.asarray(Image.open(out / "labels.png").convert("RGB"))
    return labels, shown


def test_the_png_shows_each_label_of_the_middle_slice_in_its_colour(result):
    labels, shown = result
    assert labels.dtype == np.uint64 and labels.shape == (5, 64, 80)
    plane = labels[2]
    assert shown.shape == (64, 80, 3)
    present = {int(v) for v in np.unique(plane)}
    assert present == {0, 1, 2, 7, 1000, 2**40 + 3, 2**63 + 5}
    colours = {label: rgb(label_argb(label)) for label in present}
    assert len(set(colours.values())) == len(present)      # distinct, so the check means something
    assert colours[0] == (0, 0, 0) and all(c != (0, 0, 0) for l, c in colours.items() if l)
    # Known spots: label 7's box, the 2**63 + 5 patch inside it, and background.
    assert plane[35, 50] == 7 and tuple(shown[35, 50]) == rgb(label_argb(7))
    assert plane[54, 65] == 2**63 + 5 and tuple(shown[54, 65]) == rgb(label_argb(2**63 + 5))
    assert plane[2, 2] == 0 and tuple(shown[2, 2]) == (0, 0, 0)
    # Every pixel.
    expected = np.zeros_like(shown)
    for label, colour in colours.items():
        expected[plane == label] = colour
    mismatched = np.argwhere((shown != expected).any(axis=-1))
    assert len(mismatched) == 0, f"{len(mismatched)} pixels differ, first at (y, x) = {mismatched[0]}"


def test_the_java_formula_is_the_documented_one_for_all_64_bits():
    LabelColors = imglyb.jimport("org.imglyb.examples.LabelColors")
    rng = np.random.default_rng(1)
    labels = [0, 1, 2, 7, 1000, 2**32, 2**40 + 3, 2**63 - 1]
    labels += [int(v) for v in rng.integers(-(2**63), 2**63 - 1, size=200, dtype=np.int64)]
    for label in labels:   # a Java long is the label's 64 bits, read as signed
        assert LabelColors.argb(label) & 0xFFFFFFFF == label_argb(label), label


def test_the_colour_view_reads_the_labels_live():
    LabelColors = imglyb.jimport("org.imglyb.examples.LabelColors")
    labels = np.zeros((3, 4), np.uint64)
    labels[1, 2] = 2**63 + 5
    view = LabelColors.view(labels)
    assert [view.dimension(d) for d in range(2)] == [4, 3]
    ra = view.randomAccess()
    ra.setPosition(imglyb.jarray("long", [2, 1]))
    assert ra.get().get() & 0xFFFFFFFF == label_argb(2**63 + 5)
    labels[1, 2] = 7      # NumPy relabels; the view converts the new label on the next read
    assert ra.get().get() & 0xFFFFFFFF == label_argb(7)
    ra.setPosition(imglyb.jarray("long", [0, 0]))
    assert ra.get().get() == 0
