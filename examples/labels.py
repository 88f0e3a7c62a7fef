"""Labels: a uint64 label volume from NumPy shown in colour through a Java converter, no copy.

Segmentations are stored as integer labels, 0 for background, often 64-bit (Paintera, for
one). ``org.imglyb.examples.LabelColors`` turns the label image into an ``ARGBType`` view with
ImgLib2's ``Converters.convert``: label 0 is transparent black, and every other label gets an
opaque colour from a fixed formula (written out in the Java class), so a label has the same
colour in every run. The view reads the NumPy array each time a slice is drawn; nothing is
copied.

Run it with a display (a window opens on the middle slice; close it to end)::

    .venv/bin/python examples/labels.py

or without one, writing the middle slice as ImageJ draws it (``labels.png``) and the label
volume (``labels.npy``) to ``target/examples``, or to the folder given with ``--out``::

    .venv/bin/python examples/labels.py --headless [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

import numpy as np

import imglyb

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Labels beyond 32 bits, and one with the top bit set, to show that all 64 bits are kept.
BIG_LABEL = 2**40 + 3
TOP_BIT_LABEL = 2**63 + 5


def make_labels(shape: tuple[int, int, int] = (5, 64, 80)) -> np.ndarray:
    """A uint64 label volume (z, y, x): boxes, a ball and a cylinder on background 0."""
    labels = np.zeros(shape, np.uint64)
    z, y, x = np.indices(shape)
    labels[:, 4:24, 4:30] = 1                                          # a box through every slice
    labels[((z - 2) * 6) ** 2 + (y - 44) ** 2 + (x - 16) ** 2 <= 13**2] = 2  # a ball
    labels[1:4, 30:60, 46:76] = 7                                      # a box in the middle slices
    labels[(y - 15) ** 2 + (x - 60) ** 2 <= 9**2] = 1000              # a cylinder along z
    labels[2, 40:52, 32:42] = BIG_LABEL                                # a patch on the middle slice
    labels[1:4, 50:58, 60:70] = TOP_BIT_LABEL                          # inside label 7's box
    return labels


def label_colors(labels: np.ndarray):
    """An ``ARGBType`` view of ``labels`` that converts each label to its colour when read."""
    LabelColors = imglyb.jimport("org.imglyb.examples.LabelColors")
    return LabelColors.view(imglyb.to_imglib(labels))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headless", action="store_true",
                        help="write labels.png and labels.npy instead of opening a window")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "target" / "examples",
                        help="folder for --headless (default: target/examples)")
    args = parser.parse_args(argv)

    labels = make_labels()
    view = label_colors(labels)
    LabelColors = imglyb.jimport("org.imglyb.examples.LabelColors")
    print(f"label volume {labels.shape} {labels.dtype}; colours (ARGB):")
    for label in np.unique(labels):
        # Java's long is signed: a label of 2**63 or more goes over as the same 64 bits.
        bits = int(label.view(np.int64))
        print(f"  {int(label):>20}  {LabelColors.argb(bits) & 0xFFFFFFFF:#010x}")

    middle = labels.shape[0] // 2
    if args.headless:
        args.out.mkdir(parents=True, exist_ok=True)
        window = imglyb.viewer.render(view, "labels")
        window.imageplus.setSlice(middle + 1)  # ImageJ counts slices from 1
        png = args.out / "labels.png"
        window.save_png(png)
        np.save(args.out / "labels.npy", labels)
        print(f"wrote slice {middle} to {png} and the labels to {args.out / 'labels.npy'}")
        if os.environ.get("DISPLAY"):  # under Xvfb: a real window, captured for the docs
            shown = imglyb.show(view, "labels")
            shown.imageplus.setSlice(middle + 1)
            shown.refresh()
            shown.capture_png(args.out / "labels-window.png")
            shown.close()
        return 0
    window = imglyb.show(view, "labels")
    window.imageplus.setSlice(middle + 1)
    window.refresh()
    imglyb.wait_for_windows()
    return 0


if __name__ == "__main__":
    sys.exit(main())
