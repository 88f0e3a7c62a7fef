"""HDF5 to viewer: a volume written with h5py, read back, and shown in ImageJ with no copy.

The window reads the array h5py returned, plane by plane, through an ImgLib2 image over the
same memory (``imglyb.show``); changing the array and calling ``refresh()`` redraws it.

Run it with a display (a window opens; close it to end)::

    .venv/bin/python examples/hdf5_viewer.py

or without one, writing the middle slice as ImageJ draws it to ``target/examples``::

    .venv/bin/python examples/hdf5_viewer.py --headless
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile

import h5py
import numpy as np

import imglyb

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Blob centres (z, y, x), widths and heights of the synthetic volume.
BLOBS = [((4, 30, 40), 6.0, 900.0), ((8, 60, 90), 10.0, 1400.0), ((12, 70, 30), 5.0, 700.0)]


def make_volume(shape: tuple[int, int, int] = (16, 96, 128)) -> np.ndarray:
    """A float32 volume: a gradient along x plus Gaussian blobs."""
    z, y, x = np.indices(shape, dtype=np.float32)
    volume = 200.0 * x / (shape[2] - 1)
    for (cz, cy, cx), sigma, height in BLOBS:
        r2 = (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2
        volume += height * np.exp(-r2 / (2 * sigma**2))
    return volume.astype(np.float32)


def write_and_read(path: pathlib.Path, volume: np.ndarray) -> np.ndarray:
    """Writes ``volume`` to an HDF5 file, and reads it back into a new array."""
    with h5py.File(path, "w") as f:
        f.create_dataset("volume", data=volume, chunks=(1,) + volume.shape[1:])
    with h5py.File(path, "r") as f:
        return f["volume"][...]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headless", action="store_true", help="write a PNG instead of opening a window")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "target" / "examples")
    args = parser.parse_args(argv)

    out = args.out if args.headless else pathlib.Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    h5 = out / "hdf5_viewer.h5"
    volume = write_and_read(h5, make_volume())
    print(f"read {volume.shape} {volume.dtype} from {h5}")

    middle = volume.shape[0] // 2
    if args.headless:
        window = imglyb.viewer.render(volume, "HDF5 volume")
    else:
        window = imglyb.show(volume, "HDF5 volume")
    shared = np.shares_memory(imglyb.to_numpy(window.image, copy=False), volume)
    print(f"the window reads the array's own memory: {shared}")
    window.imageplus.setSlice(middle + 1)
    if args.headless:
        png = out / "hdf5_viewer.png"
        window.save_png(png)
        print(f"wrote slice {middle} to {png}")
        if os.environ.get("DISPLAY"):  # under Xvfb: a real window, captured for the docs
            shown = imglyb.show(volume, "HDF5 volume")
            shown.imageplus.setSlice(middle + 1)
            shown.refresh()
            shown.capture_png(out / "hdf5_viewer-window.png")
            shown.close()
            if imglyb.bdv.available():
                bdv = imglyb.bdv.show(volume, "HDF5 volume", title="HDF5 volume in BigDataViewer")
                bdv.capture_png(out / "hdf5_viewer-bdv.png")
                bdv.close()
        return 0 if shared else 1
    if imglyb.bdv.available():
        # BigDataViewer when it is on the classpath (imglyb.config.add_fiji), over the same memory.
        window.close()
        imglyb.bdv.show(volume, "HDF5 volume", title="HDF5 volume")
    else:
        window.refresh()
    imglyb.wait_for_windows()
    return 0



if __name__ == "__main__":
    sys.exit(main())
