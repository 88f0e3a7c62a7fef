#!/usr/bin/env python3
"""Makes docs/napari/*.png: real captures of napari windows showing ImgLib2 images through
imglyb.napari. Run under a display (ci/test's Xvfb, or: xvfb-run -a -s "-screen 0 1280x1024x24"
.venv/bin/python ci/napari-shots.py). Each capture is the whole napari window as Qt drew it
(viewer.screenshot(canvas_only=False)), and each scene checks what it shows before it is saved.
"""

from __future__ import annotations

import os
import pathlib
import sys

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "napari"


def save(viewer, name: str) -> None:
    import imageio.v3 as iio

    rgb = viewer.screenshot(canvas_only=False, flash=False)
    assert rgb.shape[1] >= 512, rgb.shape
    iio.imwrite(OUT / name, rgb[..., :3])
    print(f"wrote docs/napari/{name} ({rgb.shape[1]} x {rgb.shape[0]})", flush=True)


def shared(napari, imglyb) -> None:
    """A NumPy array shared with ImgLib2; Java draws a square into it; napari shows it after refresh()."""
    y, x = np.mgrid[0:512, 0:768]
    a = (np.sin(x / 40.0) * np.cos(y / 55.0) * 100 + 100).astype(np.float32)
    img = imglyb.to_imglib(a)
    viewer = napari.Viewer(title="imglyb: a shared image, after a Java write")
    viewer.window.resize(1100, 760)
    layer = imglyb.napari.add_image(viewer, img, name="shared with ImgLib2", colormap="magma")
    Views = imglyb.jimport("net.imglib2.view.Views")
    cursor = Views.interval(img, imglyb.jarray("long", [300, 150]), imglyb.jarray("long", [499, 349])).cursor()
    while cursor.hasNext():
        cursor.next().setReal(230.0)
    layer.refresh()
    assert np.shares_memory(layer.data, a) and a[200, 400] == 230.0
    save(viewer, "shared.png")
    viewer.close()


def big(napari, imglyb) -> None:
    """A computed volume three times this machine's memory, lazily: napari computes the cells it shows."""
    import dask.array as da

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    planes = -(-3 * ram // (2048 * 2048 * 4))
    computed = []

    def cell(block_info=None):
        (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
        computed.append((z0, y0, x0))
        z, yy, xx = np.ogrid[z0:z1, y0:y1, x0:x1]
        return (np.hypot(yy - 1024.0, xx - 1024.0) + 0.5 * z) % 256

    volume = da.map_blocks(cell, dtype=np.float64, chunks=((1,) * planes, (1024, 1024), (1024, 1024)),
                           meta=np.empty((0, 0, 0), np.float64)).astype(np.float32)
    img = imglyb.to_imglib(volume)
    viewer = napari.Viewer(title=f"imglyb: {volume.nbytes / 1e9:.1f} GB computed lazily")
    viewer.window.resize(1100, 900)
    imglyb.napari.add_image(viewer, img, name="3x RAM", contrast_limits=(0, 255))
    viewer.dims.set_current_step(0, planes - 7)
    save(viewer, "big.png")
    assert {z for z, _, _ in computed} == {(planes - 1) // 2, planes - 7}, sorted(set(computed))
    viewer.close()


def labels(napari, imglyb) -> None:
    """Labels made in Java (uint64 values above 2**32) shown over a shared image."""
    y, x = np.mgrid[0:512, 0:640]
    image = (np.hypot(y - 256, x - 320) % 64).astype(np.float32)
    lab = np.zeros((512, 640), np.uint64)
    lab[(np.hypot(y - 256, x - 320) // 64) % 2 == 1] = 2**40 + 3
    lab[100:200, 100:220] = 7
    viewer = napari.Viewer(title="imglyb: labels from ImgLib2 (uint64)")
    viewer.window.resize(1100, 760)
    imglyb.napari.add_image(viewer, imglyb.to_imglib(image), name="image", colormap="gray")
    layer = imglyb.napari.add_labels(viewer, imglyb.to_imglib(lab), name="labels (uint64)")
    assert layer.data.dtype == np.uint64 and np.shares_memory(layer.data, lab)
    assert int(layer.data[150, 150]) == 7 and int(layer.data[256, 320 + 100]) == 2**40 + 3
    save(viewer, "labels.png")
    viewer.close()


def main() -> int:
    if not os.environ.get("DISPLAY"):
        print("ci/napari-shots.py needs a display (run it under xvfb-run)", file=sys.stderr)
        return 2
    import napari

    import imglyb
    import imglyb.napari

    OUT.mkdir(exist_ok=True)
    for scene in (shared, big, labels):
        scene(napari, imglyb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
