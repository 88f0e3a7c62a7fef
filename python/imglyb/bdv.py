"""BigDataViewer windows over shared pixels, when BigDataViewer's jars are on the classpath (for
example from a Fiji installation, see :func:`imglyb.config.add_fiji`).

A NumPy array is wrapped with no copy (:func:`imglyb.to_imglib`), so BigDataViewer renders the
array's own memory: a NumPy edit appears after :meth:`BdvWindow.refresh`. Every call that builds
or changes Swing UI runs on the Swing event thread (``SwingUtilities.invokeAndWait``):
BigDataViewer builds dialogs while it opens a window, and building them on the calling thread
while the event thread lays them out can deadlock.

Axes: ImgLib2 dimension 0 is x (the last NumPy axis), drawn horizontally, and y points down.
BigDataViewer reads the dimensions after x and y by ``axis_order`` (its own names, in ImgLib2
order: ``"XYZC"`` for a NumPy ``(c, z, y, x)`` array); without one, a 4-D image is x, y, z and
time. ``voxel_size`` is given in NumPy order, ``(z, y, x)``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Sequence, Tuple, TypeVar

from . import _imglyb, _jvm, _wrap
from .gui import require_display

__all__ = ["BdvWindow", "available", "capture_component", "on_event_thread", "show"]

T = TypeVar("T")

_NO_BDV = (
    "BigDataViewer (bdv.util.BdvFunctions) is not on the Java classpath: call "
    "imglyb.config.add_fiji('/path/to/Fiji.app') before the JVM starts, or add BigDataViewer's "
    "jars (bigdataviewer-core, bigdataviewer-vistools and their dependencies) with "
    "IMGLYB_CLASSPATH or start_jvm(classpath=[...])"
)


def on_event_thread(fn: Callable[[], T]) -> T:
    """Runs ``fn`` on the Swing event thread and returns its result (or raises its exception);
    runs it at once when called on that thread. The calling thread waits with the GIL released,
    so ``fn`` may call Java and Python."""
    swing = _imglyb.jimport("javax.swing.SwingUtilities")
    if swing.isEventDispatchThread():
        return fn()
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the calling thread
            box["error"] = e

    swing.invokeAndWait(_imglyb.jproxy("java.lang.Runnable", run))
    if "error" in box:
        raise box["error"]
    return box["value"]


def capture_component(component: Any, path: "os.PathLike[str] | str") -> None:
    """Captures a shown Swing/AWT component as it is on the screen (``java.awt.Robot``) to a
    PNG file."""
    rectangle = _imglyb.jimport("java.awt.Rectangle")
    box = on_event_thread(lambda: rectangle(component.getLocationOnScreen(), component.getSize()))
    shot = _imglyb.jimport("java.awt.Robot")().createScreenCapture(box)
    if not _imglyb.jimport("javax.imageio.ImageIO").write(shot, "png", _imglyb.jimport("java.io.File")(os.fspath(path))):
        raise _imglyb.ImglybError(f"no PNG writer for {path}")


def available() -> bool:
    """Whether BigDataViewer is on the Java classpath (starts the JVM if it is not running)."""
    try:
        _functions()
        return True
    except _imglyb.ImglybError:
        return False


def _functions() -> Any:
    _jvm.ensure_jvm()
    try:
        return _imglyb.jimport("bdv.util.BdvFunctions")
    except _imglyb.JavaException as e:
        raise _imglyb.ImglybError(f"{_NO_BDV} ({e.java_class}: {e.message})") from None


def _value_range(data: Any, image: Any) -> Optional[Tuple[float, float]]:
    """The smallest and largest value, for the display range (None when there is none); for a
    chunked image (``data`` None), those of its first cell."""
    import numpy as np

    if data is None and _imglyb.jinstance(image, "org.imglyb.cell.ChunkedImg"):
        # A chunked image may be larger than memory: the range of the cell at the origin.
        grid = image.getCellGrid()
        n = int(grid.numDimensions())
        hi = [min(int(grid.cellDimension(d)), int(image.dimension(d))) - 1 for d in range(n)]
        views = _imglyb.jimport("net.imglib2.view.Views")
        first = views.interval(image, _imglyb.jarray("long", [0] * n), _imglyb.jarray("long", hi))
        return _value_range(_imglyb.to_numpy(first), first)
    if not isinstance(data, _imglyb.JavaObject):
        arr = np.asarray(data)
        if arr.size == 0 or arr.dtype.kind not in "biuf":
            return None
        finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
        if finite.size == 0:
            return None
        return float(finite.min()), float(finite.max())
    r = _imglyb.jimport("org.imglyb.Images").realRange(image)
    return None if r is None else (float(r[0]), float(r[1]))


class BdvWindow:
    """A source shown in a BigDataViewer window, as :func:`show` returns it."""

    def __init__(self, source: Any, image: Any) -> None:
        self._source = source
        self._image = image

    @property
    def source(self) -> Any:
        """BigDataViewer's ``BdvStackSource`` for this image."""
        return self._source

    @property
    def handle(self) -> Any:
        """The ``BdvHandle`` of the window (pass it, or this object, as ``add_to``)."""
        return self._source.getBdvHandle()

    @property
    def image(self) -> Any:
        """The ImgLib2 image shown (for a NumPy array, a view of its memory)."""
        return self._image

    def set_display_range(self, low: float, high: float) -> None:
        """Map ``low`` to black and ``high`` to white (or the source's colour)."""
        on_event_thread(lambda: self._source.setDisplayRange(float(low), float(high)))

    def refresh(self) -> None:
        """Draw the window again from the shared pixels, after NumPy changed them."""
        panel = self.handle.getViewerPanel()
        on_event_thread(panel.requestRepaint)

    def add(self, data: Any, name: str = "imglyb", **options: Any) -> "BdvWindow":
        """Show another image in the same window; takes :func:`show`'s options."""
        return show(data, name, add_to=self, **options)

    def capture_png(self, path: "os.PathLike[str] | str", settle_seconds: float = 1.5) -> None:
        """Capture the viewer as it is on the screen to a PNG file, after drawing it again and
        waiting ``settle_seconds`` for BigDataViewer to finish rendering."""
        import time

        panel = self.handle.getViewerPanel()
        on_event_thread(panel.requestRepaint)
        time.sleep(settle_seconds)
        capture_component(panel, path)

    def close(self) -> None:
        """Close the window (every source in it)."""
        handle = self.handle
        on_event_thread(handle.close)


def show(
    data: Any,
    name: str = "imglyb",
    *,
    add_to: Any = None,
    is_2d: bool = False,
    axis_order: Optional[str] = None,
    voxel_size: Optional[Sequence[float]] = None,
    title: Optional[str] = None,
    display_range: Optional[Tuple[float, float]] = None,
    argb: bool = False,
) -> BdvWindow:
    """Show a NumPy array (wrapped with no copy) or an ImgLib2 image in BigDataViewer.

    Args:
        data: a NumPy array (anything :func:`imglyb.to_imglib` takes) or an ImgLib2
            ``RandomAccessibleInterval``.
        name: the source's name in BigDataViewer.
        add_to: a :class:`BdvWindow` (or a ``BdvHandle``) to add this source to, instead of a
            new window.
        is_2d: a 2-D viewer (no rotation out of the plane), for 2-D data.
        axis_order: BigDataViewer's ``AxisOrder`` name for the ImgLib2 dimensions, such as
            ``"XYZC"`` (a NumPy ``(c, z, y, x)`` array: channels as sources) or ``"XYZT"``.
        voxel_size: the size of a voxel along each axis, in NumPy order (``(z, y, x)``).
        title: the window's title (new windows only).
        display_range: the values drawn black and white; default: the data's smallest and
            largest value (BigDataViewer's own default, 0 to 65535, shows float data black).
        argb: show uint32/int32 pixels as colour (``ARGBType``, as :func:`imglyb.to_imglib_argb`)
            rather than as grey values.

    Returns:
        a :class:`BdvWindow`; ``window.source`` is BigDataViewer's ``BdvStackSource``.

    Raises:
        ImglybError: BigDataViewer is not on the classpath, or there is no display.
        TypeError, ValueError: the array cannot be wrapped, or an option is invalid.
    """
    functions = _functions()
    require_display("BigDataViewer")
    from . import chunked, interop

    data = interop.as_imglyb(data)
    if isinstance(data, _imglyb.JavaObject):
        image = data
    elif argb:
        image = _imglyb.to_imglib_argb(data)
    else:
        image = _wrap.to_imglib_proxy(data)
    # A chunked image (also inside an ImgPlus, as a chunked DataArray becomes with imagej-common):
    # rendering never waits for Python. Cells not computed yet are drawn as pending (volatile
    # pixels) and computed in the background; each arrival repaints the viewer.
    chunked_image = None if argb else chunked.chunked_img_of(image)
    if chunked_image is not None:
        image = chunked_image.volatileView()
    options = _imglyb.jimport("bdv.util.BdvOptions").options()
    if add_to is not None:
        options = options.addTo(add_to.handle if isinstance(add_to, BdvWindow) else add_to)
    if is_2d:
        options = options.is2D()
    if axis_order is not None:
        AxisOrder = _imglyb.jimport("bdv.util.AxisOrder")
        names = [str(v) for v in AxisOrder.values()]
        if not isinstance(axis_order, str) or axis_order.upper() not in names:
            raise ValueError(f"axis_order must be one of BigDataViewer's {names}, not {axis_order!r}")
        options = options.axisOrder(AxisOrder.valueOf(axis_order.upper()))
    if voxel_size is not None:
        sizes = [float(v) for v in voxel_size]
        if not sizes or any(not (v > 0) for v in sizes):
            raise ValueError(f"voxel_size must be positive numbers, in NumPy order; got {voxel_size!r}")
        options = options.sourceTransform(_imglyb.jarray("double", sizes[::-1]))
    if title is not None:
        options = options.frameTitle(str(title))
    source = on_event_thread(lambda: functions.show(image, name, options))
    window = BdvWindow(source, image)
    if chunked_image is not None:
        chunked_image.addRepaintTarget(source.getBdvHandle().getViewerPanel())
    if display_range is None and not argb:
        display_range = _value_range(
            data if chunked_image is None else None, image if chunked_image is None else chunked_image
        )
        if display_range is not None and display_range[1] <= display_range[0]:
            display_range = (display_range[0], display_range[0] + 1)
    if display_range is not None:
        window.set_display_range(*display_range)
    return window
