"""ImageJ windows over shared pixels: :func:`show` and :func:`wait_for_windows`.

A shown image is not copied. ImageJ reads one plane at a time from the ImgLib2 image (a NumPy
array is wrapped with :func:`imglyb.to_imglib` first), converting it to 32-bit float (or RGB for
``ARGBType`` images) when the plane is drawn; :meth:`Window.refresh` draws the current plane
again after NumPy changed the data. Needs ImageJ 1.x on the classpath (Debian's
``libij-java``, added by default when installed) and a display (``DISPLAY``, or Xvfb).
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional

from . import _imglyb, _jvm, _wrap
from .gui import require_display

__all__ = ["Window", "open_windows", "render", "show", "wait_for_windows"]

_VIEWER = "org.imglyb.imagej.Viewer"

_NO_IMAGEJ = (
    "imglyb.show needs ImageJ 1.x on the Java classpath: install Debian's `libij-java` (it "
    "provides /usr/share/java/ij.jar, which imglyb adds by default), or add an ij.jar with "
    "IMGLYB_CLASSPATH or start_jvm(classpath=[...])"
)


def _viewer() -> Any:
    _jvm.ensure_jvm()
    try:
        return _imglyb.jimport(_VIEWER)
    except _imglyb.JavaException as e:
        raise _imglyb.ImglybError(f"{_NO_IMAGEJ} ({e.java_class}: {e.message})") from None


def _image(data: Any) -> Any:
    from . import interop

    data = interop.as_imglyb(data)
    if isinstance(data, _imglyb.JavaObject):
        return data
    from . import chunked  # NumPy arrays shared, chunked arrays loaded lazily

    image = _wrap.to_imglib_proxy(data)
    # Only for an image made here (not the Java image a LazyArray reads, which is the caller's).
    cells = None if isinstance(data, chunked.LazyArray) else chunked.chunked_img_of(image)
    if cells is not None:
        # ImageJ reads one slice at a time, row by row: loading cells ahead in grid order would
        # compute cells of slices nobody looks at.
        cells.setReadAhead(0)
    return image


class Window:
    """An ImageJ window showing shared pixels, as :func:`show` returns it."""

    def __init__(self, imageplus: Any, image: Any) -> None:
        self._imp = imageplus
        self._image = image

    @property
    def imageplus(self) -> Any:
        """The ``ij.ImagePlus`` behind the window."""
        return self._imp

    @property
    def image(self) -> Any:
        """The ImgLib2 image shown."""
        return self._image

    def refresh(self) -> None:
        """Read the current slice from the shared pixels again and redraw it."""
        _viewer().refresh(self._imp)

    def close(self) -> None:
        """Close the window."""
        _viewer().close(self._imp)

    def save_png(self, path: "os.PathLike[str] | str") -> None:
        """Write the current slice as shown (display range and colours applied) to a PNG file."""
        _viewer().savePng(self._imp, os.fspath(path))

    def capture_png(self, path: "os.PathLike[str] | str", min_width: int = 512) -> None:
        """Capture the window as it is on the screen (ImageJ's info line and slider included) to
        a PNG file, zooming in first until the image is at least ``min_width`` pixels wide (at
        most 8x). Needs a window shown with :func:`show`."""
        _viewer().capturePng(self._imp, os.fspath(path), int(min_width))


def show(
    data: Any, title: Optional[str] = None, display_range: Optional[tuple[float, float]] = None
) -> Window:
    """Show a NumPy array (or anything :func:`imglyb.to_imglib` takes) or an ImgLib2 image in an
    ImageJ window, reading its pixels live from the shared memory.

    Dimension 0 (the last NumPy axis) is x and dimension 1 is y; further dimensions become
    slices on a slider. ``ARGBType`` images (:func:`imglyb.to_imglib_argb`) are shown in colour;
    other images get ``display_range`` (min, max), or by default a range from their smallest to
    their largest value (over the first slice only for images of more than 2**27 pixels).

    A chunked array (dask, zarr, h5py), even one larger than memory, is shown lazily: ImageJ
    reads one slice at a time, and only the cells that slice touches are computed.

    Raises:
        ImglybError: there is no display (set ``DISPLAY``, or run under Xvfb), or ImageJ is not
            on the classpath.
        TypeError: the array cannot be wrapped.
    """
    require_display("imglyb.show", "Window.save_png and imglyb.viewer.render work without one")
    viewer = _viewer()
    image = _image(data)
    lo, hi = _range(display_range)
    return Window(viewer.show(image, title or "imglyb", lo, hi), image)


def _range(display_range: Optional[tuple[float, float]]) -> tuple[float, float]:
    if display_range is None:
        return float("nan"), float("nan")
    lo, hi = (float(v) for v in display_range)
    if not lo < hi:
        raise ValueError(f"display_range must be (min, max) with min < max, got {display_range!r}")
    return lo, hi


def render(
    data: Any, title: Optional[str] = None, display_range: Optional[tuple[float, float]] = None
) -> Window:
    """The :class:`Window` :func:`show` would open, without opening it: for :meth:`Window.save_png`
    without a display."""
    viewer = _viewer()
    image = _image(data)
    lo, hi = _range(display_range)
    return Window(viewer.image(image, title or "imglyb", lo, hi), image)


def open_windows() -> int:
    """How many Java windows are open and visible: ImageJ's and BigDataViewer's (any AWT
    ``Frame``). 0 without a display."""
    _jvm.ensure_jvm()
    if _imglyb.jimport("java.awt.GraphicsEnvironment").isHeadless():
        return 0
    return sum(1 for f in _imglyb.jimport("java.awt.Frame").getFrames() if f.isVisible())


def wait_for_windows(poll_seconds: float = 0.2) -> None:
    """Block until every ImageJ and BigDataViewer window is closed, so that a script keeps its
    windows."""
    while open_windows() > 0:
        time.sleep(poll_seconds)
