"""Paint into a NumPy array from the Java GUI: clicks in an ImageJ window draw spheres.

A 3-D NumPy array is shown in an ImageJ window with ``imglyb.show`` (no copy). A mouse listener
written in Python (``imglyb.jproxy``) is attached to the window's canvas; each mouse press
paints a sphere centred on the clicked pixel of the current slice. The sphere is written
through ImgLib2 (a ``RandomAccess`` over the image the window shows), so it lands in the NumPy
array's own memory, and ``Window.refresh()`` redraws the slice from it.

Run it with a display, click in the window to paint (use the slider to change slice), and close
the window to end::

    .venv/bin/python examples/paint.py

or let it paint by itself with synthetic mouse events, under Xvfb, and write the result (the
current slice as a PNG, the array, the clicks) to ``target/examples`` (or ``--out DIR``)::

    xvfb-run -a .venv/bin/python examples/paint.py --headless
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import threading
import time
from typing import Any

import numpy as np

import imglyb

ROOT = pathlib.Path(__file__).resolve().parents[1]

SHAPE = (8, 96, 128)  # (z, y, x)
RADIUS = 4  # pixels
VALUE = 255.0
DISPLAY_RANGE = (0.0, 255.0)  # paint shows white, the background stays faint

# What --headless clicks, as (z, y, x): the last one is on the shown slice, partly outside the
# image (the sphere is clipped), and the second one's sphere reaches that slice too.
HEADLESS_CLICKS = [(1, 20, 30), (4, 50, 70), (6, 93, 125)]

# How long --headless waits for the event thread to run the listener.
CLICK_TIMEOUT_S = 10.0


def make_volume(shape: tuple[int, int, int] = SHAPE) -> np.ndarray:
    """A float32 volume with a faint pattern (values about 5 to 56) that differs per slice."""
    z, y, x = np.indices(shape, dtype=np.float32)
    volume = 25.0 + 10.0 * np.sin(x / 9.0) * np.cos(y / 7.0) + 3.0 * z
    return volume.astype(np.float32)


def sphere_mask(shape: tuple[int, ...], center_zyx: tuple[int, int, int], radius: int) -> np.ndarray:
    """The voxels of ``shape`` within ``radius`` (Euclidean, in pixels) of ``center_zyx``."""
    z, y, x = np.ogrid[: shape[0], : shape[1], : shape[2]]
    cz, cy, cx = center_zyx
    return (z - cz) ** 2 + (y - cy) ** 2 + (x - cx) ** 2 <= radius**2


def paint_sphere(img: Any, center_zyx: tuple[int, int, int], radius: int, value: float) -> int:
    """Sets the voxels of a 3-D ImgLib2 image within ``radius`` of ``center_zyx`` to ``value``.

    ``center_zyx`` is in NumPy order, (z, y, x): ImgLib2 position (x, y, z). The sphere is clipped
    to the image. Each row of the sphere is one run along x, written by a ``RandomAccess`` over
    the sphere's bounding box (a ``Views.interval``). Returns how many voxels were written.
    """
    Views = imglyb.jimport("net.imglib2.view.Views")
    center = (center_zyx[2], center_zyx[1], center_zyx[0])  # (x, y, z)
    lo = [max(int(img.min(d)), c - radius) for d, c in enumerate(center)]
    hi = [min(int(img.max(d)), c + radius) for d, c in enumerate(center)]
    if any(a > b for a, b in zip(lo, hi)):
        return 0
    ra = Views.interval(img, lo, hi).randomAccess()
    cx, cy, cz = center
    written = 0
    for z in range(lo[2], hi[2] + 1):
        for y in range(lo[1], hi[1] + 1):
            rest = radius * radius - (z - cz) ** 2 - (y - cy) ** 2
            if rest < 0:
                continue
            half = math.isqrt(rest)
            x0, x1 = max(lo[0], cx - half), min(hi[0], cx + half)
            if x0 > x1:
                continue
            ra.setPosition([x0, y, z])
            for _ in range(x0, x1 + 1):
                ra.get().setReal(value)
                ra.fwd(0)
            written += x1 - x0 + 1
    return written


def redraw(window: imglyb.Window, display_range: tuple[float, float]) -> None:
    """Draws the current slice again from the shared pixels, with ``display_range``."""
    imp = window.imageplus
    if (imp.getDisplayRangeMin(), imp.getDisplayRangeMax()) != display_range:
        imp.setDisplayRange(*display_range)
    window.refresh()  # keeps the display range


class Painter:
    """A ``java.awt.event.MouseListener``: a press paints a sphere at the pressed pixel.

    Java calls it on the AWT event thread (imglyb takes the GIL for it), so it does only the
    painting and the redraw. ``clicks`` lists what was painted, as (z, y, x, radius, value);
    ``errors`` keeps exceptions, which Java would otherwise only print.
    """

    def __init__(self, window: imglyb.Window, arr: np.ndarray, radius: int, value: float,
                 display_range: tuple[float, float]) -> None:
        self.window = window
        self.arr = arr
        self.radius = radius
        self.value = value
        self.display_range = display_range
        self.clicks: list[tuple[int, int, int, int, float]] = []
        self.errors: list[BaseException] = []
        self.presses = 0
        self.listener: Any = None  # the Java proxy, once attached
        self._pressed = threading.Condition()

    def voxel_at(self, e: Any) -> tuple[int, int, int]:
        """The (z, y, x) voxel under the mouse event ``e``."""
        imp = self.window.imageplus
        canvas = imp.getCanvas()
        return imp.getCurrentSlice() - 1, canvas.offScreenY(e.getY()), canvas.offScreenX(e.getX())

    def redraw(self) -> None:
        redraw(self.window, self.display_range)

    def mousePressed(self, e: Any) -> None:
        try:
            z, y, x = self.voxel_at(e)
            nz, ny, nx = self.arr.shape
            if 0 <= x < nx and 0 <= y < ny and 0 <= z < nz:
                paint_sphere(self.window.image, (z, y, x), self.radius, self.value)
                self.clicks.append((z, y, x, self.radius, self.value))
                self.redraw()
        except BaseException as err:  # noqa: BLE001 - handed to the thread that waits
            self.errors.append(err)
            raise
        finally:
            with self._pressed:
                self.presses += 1
                self._pressed.notify_all()

    def mouseClicked(self, e: Any) -> None:
        pass

    def mouseReleased(self, e: Any) -> None:
        pass

    def mouseEntered(self, e: Any) -> None:
        pass

    def mouseExited(self, e: Any) -> None:
        pass

    def wait_for_presses(self, n: int, timeout: float) -> None:
        """Blocks until the listener has handled ``n`` presses in all; raises on timeout or on an
        error in the listener. Never call it on the event thread."""
        with self._pressed:
            if not self._pressed.wait_for(lambda: self.presses >= n, timeout):
                raise TimeoutError(f"the mouse listener handled {self.presses} of {n} presses "
                                   f"in {timeout:g} s")
        if self.errors:
            raise self.errors[0]


def attach_painter(window: imglyb.Window, arr: np.ndarray, radius: int = RADIUS,
                   value: float = VALUE,
                   display_range: tuple[float, float] = DISPLAY_RANGE) -> Painter:
    """Adds a :class:`Painter` over ``arr`` (the array ``window`` shows) to the window's canvas."""
    painter = Painter(window, arr, radius, value, display_range)
    listener = imglyb.jproxy("java.awt.event.MouseListener", painter)
    window.imageplus.getCanvas().addMouseListener(listener)
    painter.listener = listener
    redraw(window, display_range)
    return painter


class BdvPainter(Painter):
    """The :class:`Painter` for a BigDataViewer window: a press paints a sphere at the voxel under
    the mouse, in the plane BigDataViewer shows (any orientation), found with
    ``ViewerPanel.displayToGlobalCoordinates`` (the source transform is the identity)."""

    def voxel_at(self, e: Any) -> tuple[int, int, int]:
        p = imglyb.jimport("net.imglib2.RealPoint")(3)
        self.window.handle.getViewerPanel().displayToGlobalCoordinates(float(e.getX()), float(e.getY()), p)
        x, y, z = (int(round(p.getDoublePosition(d))) for d in range(3))
        return z, y, x

    def redraw(self) -> None:
        self.window.refresh()


def attach_bdv_painter(window: Any, arr: np.ndarray, radius: int = RADIUS,
                       value: float = VALUE) -> BdvPainter:
    """Adds a :class:`BdvPainter` over ``arr`` to a BigDataViewer window's display."""
    painter = BdvPainter(window, arr, radius, value, DISPLAY_RANGE)
    listener = imglyb.jproxy("java.awt.event.MouseListener", painter)
    window.handle.getViewerPanel().getDisplay().addMouseListener(listener)
    painter.listener = listener
    return painter


def click_bdv(window: Any, z: int, y: int, x: int) -> None:
    """Moves BigDataViewer's plane to voxel (x, y, z) and queues a press and a release on it."""
    from imglyb.bdv import on_event_thread

    panel = window.handle.getViewerPanel()
    t = imglyb.jimport("net.imglib2.realtransform.AffineTransform3D")()
    panel.getState().getViewerTransform(t)
    shown = imglyb.jarray("double", 3)
    t.apply(imglyb.jarray("double", [float(x), float(y), float(z)]), shown)
    t.set(t.get(2, 3) - shown[2], 2, 3)  # bring the voxel into the shown plane
    on_event_thread(lambda: panel.setCurrentViewerTransform(t))
    MouseEvent = imglyb.jimport("java.awt.event.MouseEvent")
    System = imglyb.jimport("java.lang.System")
    queue = imglyb.jimport("java.awt.Toolkit").getDefaultToolkit().getSystemEventQueue()
    display = panel.getDisplay()
    for kind in (MouseEvent.MOUSE_PRESSED, MouseEvent.MOUSE_RELEASED):
        queue.postEvent(MouseEvent(display, kind, System.currentTimeMillis(), 0,
                                   int(round(shown[0])), int(round(shown[1])), 1, False))


def click(window: imglyb.Window, z: int, y: int, x: int) -> None:
    """Shows slice ``z`` and queues a press and a release at pixel (x, y) of the canvas.

    The events go through the AWT event queue, so the listeners run on the event thread as they
    do for a real click.
    """
    MouseEvent = imglyb.jimport("java.awt.event.MouseEvent")
    System = imglyb.jimport("java.lang.System")
    queue = imglyb.jimport("java.awt.Toolkit").getDefaultToolkit().getSystemEventQueue()
    imp = window.imageplus
    imp.setSlice(z + 1)
    canvas = imp.getCanvas()
    sx, sy = canvas.screenXD(x + 0.5), canvas.screenYD(y + 0.5)  # the pixel's centre on screen
    for kind in (MouseEvent.MOUSE_PRESSED, MouseEvent.MOUSE_RELEASED):
        queue.postEvent(MouseEvent(canvas, kind, System.currentTimeMillis(), 0, sx, sy, 1, False))


def paint_headless(window: imglyb.Window, painter: Painter,
                   clicks: list[tuple[int, int, int]]) -> None:
    """Clicks at ``clicks`` ((z, y, x) each), one at a time, waiting for the listener each time."""
    for i, (z, y, x) in enumerate(clicks, 1):
        click(window, z, y, x)
        painter.wait_for_presses(i, CLICK_TIMEOUT_S)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headless", action="store_true",
                        help="paint with synthetic clicks and write the result instead of waiting "
                             "for a user (still needs an X display: run it under xvfb-run)")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "target" / "examples",
                        help="the folder --headless writes to (default: target/examples)")
    parser.add_argument("--viewer", choices=["auto", "imagej", "bdv"], default="auto",
                        help="auto: BigDataViewer when it is on the classpath, ImageJ otherwise "
                             "(--headless: ImageJ unless bdv is asked for)")
    args = parser.parse_args(argv)

    arr = make_volume()
    use_bdv = args.viewer == "bdv" or (args.viewer == "auto" and not args.headless and imglyb.bdv.available())
    if use_bdv:
        return paint_in_bdv(arr, args)
    try:
        window = imglyb.show(arr, "paint: click to draw spheres")
    except imglyb.ImglybError as e:
        print(f"paint.py: {e}", file=sys.stderr)
        return 1
    painter = attach_painter(window, arr)

    if not args.headless:
        print(f"Click in the window to paint spheres of radius {RADIUS} into the {arr.shape} "
              f"{arr.dtype} array; close the window to end.")
        imglyb.wait_for_windows()
        print(f"painted {len(painter.clicks)} sphere(s); "
              f"{int((arr == VALUE).sum())} voxels of the array are now {VALUE:g}")
        return 0

    t0 = time.perf_counter()
    paint_headless(window, painter, HEADLESS_CLICKS)
    elapsed = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    png, npy, clicks = (args.out / "paint.png", args.out / "paint.npy",
                        args.out / "paint_clicks.json")
    window.save_png(png)
    window.capture_png(args.out / "paint-window.png")  # the real window, for the docs
    np.save(npy, arr)
    shown = window.imageplus.getCurrentSlice() - 1
    clicks.write_text(json.dumps({
        "clicks": [dict(zip(("z", "y", "x", "radius", "value"), c)) for c in painter.clicks],
        "slice": shown,
        "display_range": list(DISPLAY_RANGE),
    }, indent=1))
    window.close()
    changed = int((arr != make_volume()).sum())
    print(f"painted {len(painter.clicks)} spheres in {1e3 * elapsed:.0f} ms; "
          f"{changed} voxels of the NumPy array changed")
    print(f"wrote slice {shown} to {png}, the array to {npy}, the clicks to {clicks}")
    return 0


def paint_in_bdv(arr: np.ndarray, args: argparse.Namespace) -> int:
    """The same, in a BigDataViewer window over the same memory."""
    try:
        window = imglyb.bdv.show(arr, "paint", display_range=DISPLAY_RANGE,
                                 title="paint: click to draw spheres")
    except imglyb.ImglybError as e:
        print(f"paint.py: {e}", file=sys.stderr)
        return 1
    painter = attach_bdv_painter(window, arr)
    if not args.headless:
        print(f"Click in BigDataViewer to paint spheres of radius {RADIUS} into the {arr.shape} "
              f"{arr.dtype} array; close the window to end.")
        imglyb.wait_for_windows()
        print(f"painted {len(painter.clicks)} sphere(s)")
        return 0
    for i, (z, y, x) in enumerate(HEADLESS_CLICKS, 1):
        click_bdv(window, z, y, x)
        painter.wait_for_presses(i, CLICK_TIMEOUT_S)
    args.out.mkdir(parents=True, exist_ok=True)
    window.capture_png(args.out / "paint-bdv.png")
    np.save(args.out / "paint-bdv.npy", arr)
    (args.out / "paint-bdv_clicks.json").write_text(json.dumps(
        {"clicks": [dict(zip(("z", "y", "x", "radius", "value"), c)) for c in painter.clicks]}, indent=1))
    window.close()
    print(f"painted {len(painter.clicks)} spheres in BigDataViewer; wrote {args.out / 'paint-bdv.npy'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
