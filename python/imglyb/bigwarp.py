"""BigWarp over NumPy arrays: landmarks from NumPy, the warped image back as NumPy.

BigWarp (``sc.fiji:bigwarp_fiji``) warps a *moving* image onto a *fixed* one from pairs of
landmarks, with a thin plate spline or an affine, similarity, rotation or translation model. It
is not on Maven Central: put its jars on the classpath (:func:`imglyb.config.add_fiji`, or
``IMGLYB_CLASSPATH``) before the JVM starts; see ``docs/examples.md``.

- :func:`show` opens two NumPy arrays (2-D or 3-D), shared with no copy, in BigWarp's windows,
  and returns a :class:`BigWarpWindow`: landmarks go in and come out as NumPy arrays, and
  :meth:`BigWarpWindow.warp` gives the warped moving image on the fixed image's grid.
- :func:`solve` and :func:`warp` do the same with BigWarp's own solver and no window.

**Coordinates are NumPy's**, as everywhere in imglyb: a landmark is ``(row, column)`` in 2-D and
``(plane, row, column)`` in 3-D, in pixels of its image. BigWarp's own table shows them the other
way round (x, y, z); this module reverses them on the way in and out.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb, _jvm, _wrap
from .bdv import capture_component, on_event_thread
from .gui import require_display

__all__ = ["BigWarpWindow", "TRANSFORMS", "available", "show", "solve", "warp"]

#: The transform models, by the names this module takes, as BigWarp names them.
TRANSFORMS = {
    "tps": "Thin Plate Spline",
    "affine": "Affine",
    "similarity": "Similarity",
    "rotation": "Rotation",
    "translation": "Translation",
}

#: BigWarp solves no transform from fewer pairs (``BigWarp.restimateTransformation``), whatever the model.
_LEAST_PAIRS = 4

_NO_BIGWARP = (
    "BigWarp (bigwarp.BigWarp, artifact sc.fiji:bigwarp_fiji) is not on the Java classpath: call "
    "imglyb.config.add_fiji('/path/to/Fiji.app') before the JVM starts, or add BigWarp's jars "
    "and their dependencies with IMGLYB_CLASSPATH or start_jvm(classpath=[...])"
)


def available() -> bool:
    """Whether BigWarp is on the Java classpath (starts the JVM if it is not running)."""
    _jvm.ensure_jvm()
    try:
        _imglyb.jimport("bigwarp.transforms.BigWarpTransform")
        return True
    except _imglyb.JavaException:
        return False


def _require() -> None:
    if not available():
        raise _imglyb.ImglybError(_NO_BIGWARP)


def _model(transform: str) -> str:
    try:
        return TRANSFORMS[transform]
    except KeyError:
        raise ValueError(f"unknown transform {transform!r}: one of {', '.join(TRANSFORMS)}") from None


def _image(array: Any, name: str) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim not in (2, 3):
        raise ValueError(f"the {name} image must be 2-D or 3-D, got {a.ndim} dimensions")
    if a.dtype.kind not in "iuf" or a.dtype.itemsize > 8:
        raise TypeError(f"the {name} image must be integers or floats, got {a.dtype}")
    return a


def _points(points: Any, ndim: int, name: str) -> np.ndarray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != ndim:
        raise ValueError(f"{name} landmarks must be an (n, {ndim}) array, got shape {p.shape}")
    if not np.isfinite(p).all():
        raise ValueError(f"{name} landmarks must be finite")
    return p


def _pairs(moving_points: Any, fixed_points: Any, ndim: int, model: str) -> tuple[np.ndarray, np.ndarray]:
    moving = _points(moving_points, ndim, "moving")
    fixed = _points(fixed_points, ndim, "fixed")
    if len(moving) != len(fixed):
        raise ValueError(f"{len(moving)} moving landmarks but {len(fixed)} fixed ones: they come in pairs")
    if len(moving) < _LEAST_PAIRS:
        raise ValueError(f"BigWarp solves a {model} from at least {_LEAST_PAIRS} landmark pairs, got {len(moving)}")
    return moving, fixed


def _fill(table: Any, moving: np.ndarray, fixed: np.ndarray) -> None:
    """Replaces the landmarks of a ``LandmarkTableModel`` (BigWarp's x, y, z order) at once.

    Through BigWarp's own CSV reader, which fills the table under its lock: row by row, each
    completed pair would start BigWarp's solver thread while the next rows go in, and that
    thread dies on the half-filled table (an ArrayIndexOutOfBoundsException in
    ``copyLandmarks``), leaving the window's warp frozen."""
    import csv
    import tempfile

    with tempfile.TemporaryDirectory(prefix="imglyb-bigwarp-") as folder:
        path = os.path.join(folder, "landmarks.csv")
        with open(path, "w", newline="") as f:
            rows = csv.writer(f, quoting=csv.QUOTE_ALL)
            for i, (m, p) in enumerate(zip(moving, fixed)):
                rows.writerow([f"Pt-{i}", "true", *(repr(float(v)) for v in m[::-1]), *(repr(float(v)) for v in p[::-1])])
        table.loadCsv(_imglyb.jimport("java.io.File")(path), False)


def _read(table: Any) -> tuple[np.ndarray, np.ndarray]:
    """The active pairs of a ``LandmarkTableModel`` (both points set, and used by the solver),
    in NumPy order: a point clicked in one window only, or switched off, is not a pair."""
    n = int(table.getNumdims())
    rows = [i for i in range(int(table.getRowCount())) if bool(table.isActive(i))]
    out = []
    for moving in (True, False):
        points = np.array(
            [[float(v) for v in table.getPoint(moving, i)] for i in rows], dtype=np.float64
        ).reshape(len(rows), n)
        out.append(points[:, ::-1].copy())
    return out[0], out[1]


def _resample(moving: np.ndarray, shape: Sequence[int], to_moving: Any, interpolation: str) -> np.ndarray:
    """``moving`` sampled at ``to_moving(p)`` for every pixel ``p`` of a grid of ``shape``."""
    factories = {
        "linear": "net.imglib2.interpolation.randomaccess.NLinearInterpolatorFactory",
        "nearest": "net.imglib2.interpolation.randomaccess.NearestNeighborInterpolatorFactory",
    }
    if interpolation not in factories:
        raise ValueError(f"unknown interpolation {interpolation!r}: 'linear' or 'nearest'")
    Views = _imglyb.jimport("net.imglib2.view.Views")
    warped = _imglyb.jimport("net.imglib2.realtransform.RealTransformRandomAccessible")(
        Views.interpolate(Views.extendZero(_wrap.to_imglib_proxy(moving, None, None, False)),
                          _imglyb.jimport(factories[interpolation])()),
        to_moving,
    )
    out = np.zeros(tuple(shape), dtype=moving.dtype)
    target = _wrap.to_imglib_proxy(out, None, None, False)
    _imglyb.jimport("net.imglib2.util.ImgUtil").copy(Views.interval(Views.raster(warped), target), target)
    return out


def solve(moving_points: Any, fixed_points: Any, transform: str = "tps") -> Any:
    """BigWarp's transform for these landmark pairs ((n, 2) or (n, 3) each, NumPy order), with no
    window: an ImgLib2 ``InvertibleRealTransform`` from the fixed image's space to the moving
    image's, in ImgLib2's order (x first), as BigWarp renders the warped image with it."""
    model = _model(transform)
    ndim = np.asarray(moving_points).shape[-1] if np.ndim(moving_points) == 2 else 0
    if ndim not in (2, 3):
        raise ValueError(f"landmarks must be (n, 2) or (n, 3) arrays, got shape {np.shape(moving_points)}")
    moving, fixed = _pairs(moving_points, fixed_points, ndim, model)
    _require()
    table = _imglyb.jimport("bigwarp.landmarks.LandmarkTableModel")(ndim)
    _fill(table, moving, fixed)
    # False: a 2-D transform for 2-D landmarks (without it BigWarp wraps it as a 3-D one).
    return _imglyb.jimport("bigwarp.transforms.BigWarpTransform")(table, model).getTransformation(False)


def warp(
    moving: Any,
    fixed_shape: Sequence[int],
    moving_points: Any,
    fixed_points: Any,
    transform: str = "tps",
    interpolation: str = "linear",
) -> np.ndarray:
    """The moving image warped onto a fixed grid of ``fixed_shape`` with BigWarp's ``transform``
    from the landmark pairs, with no window: Java samples the moving image (shared, no copy) at
    every fixed pixel's mapped position and writes straight into the NumPy result; zero outside."""
    a = _image(moving, "moving")
    shape = tuple(int(s) for s in fixed_shape)
    if len(shape) != a.ndim:
        raise ValueError(f"a {a.ndim}-D moving image onto a {len(shape)}-D fixed grid")
    _pairs(moving_points, fixed_points, a.ndim, _model(transform))
    return _resample(a, shape, solve(moving_points, fixed_points, transform), interpolation)


class BigWarpWindow:
    """BigWarp's windows over a moving and a fixed image, as :func:`show` returns them."""

    def __init__(self, bigwarp: Any, moving: np.ndarray, fixed: np.ndarray) -> None:
        self._bw = bigwarp
        self._moving = moving
        self._fixed = fixed

    @property
    def bigwarp(self) -> Any:
        """The Java ``bigwarp.BigWarp``."""
        return self._bw

    def _table(self) -> Any:
        return self._bw.getLandmarkPanel().getTableModel()

    def set_landmarks(self, moving_points: Any, fixed_points: Any) -> None:
        """Replaces BigWarp's landmarks with these pairs ((n, d) each, NumPy order) and solves
        the transform again; the windows show the new warp."""
        model = str(self._bw.getTransformType())
        moving, fixed = _pairs(moving_points, fixed_points, self._moving.ndim, model)

        def apply() -> None:
            _fill(self._table(), moving, fixed)
            self._bw.restimateTransformation()

        on_event_thread(apply)

    def landmarks(self) -> tuple[np.ndarray, np.ndarray]:
        """BigWarp's landmark pairs now (also those a user clicked), as (moving, fixed) arrays
        of shape (n, d), NumPy order: the active rows of its table, the pairs it solves from."""
        return on_event_thread(lambda: _read(self._table()))

    @property
    def transform_type(self) -> str:
        """The transform model, by this module's name (a key of :data:`TRANSFORMS`)."""
        name = str(self._bw.getTransformType())
        return next(k for k, v in TRANSFORMS.items() if v == name)

    @transform_type.setter
    def transform_type(self, transform: str) -> None:
        model = _model(transform)
        on_event_thread(lambda: self._bw.setTransformTypeUpdateUI(model))

    def transform(self) -> Any:
        """The solved ImgLib2 ``InvertibleRealTransform``, from the fixed image's space to the
        moving image's (ImgLib2 order, x first)."""
        return on_event_thread(lambda: self._bw.getBwTransform().getTransformation(False))

    def warp(self, interpolation: str = "linear") -> np.ndarray:
        """The moving image warped by the current landmarks onto the fixed image's grid, as a
        NumPy array of the fixed image's shape and the moving image's dtype (zero outside)."""
        return _resample(self._moving, self._fixed.shape, self.transform(), interpolation)

    def capture_png(self, path: "os.PathLike[str] | str", min_width: int = 512, settle_seconds: float = 1.5) -> None:
        """Captures BigWarp's fixed-image window (the warped moving image over the fixed one) as
        it is on the screen to a PNG file, first widening the window to ``min_width`` pixels
        (keeping its proportions) when it is narrower."""
        import time

        frame = self._bw.getViewerFrameQ()

        def widen() -> None:
            size = frame.getSize()
            width, height = int(size.width), int(size.height)
            if width < min_width:
                frame.setSize(min_width, max(height * min_width // max(width, 1), 1))
                frame.validate()
            # The landmark table's window goes beside it, not over it.
            table = self._bw.getLandmarkFrame()
            table.setLocation(int(frame.getX()) + int(frame.getWidth()), int(table.getY()))
            frame.toFront()
            frame.getViewerPanel().requestRepaint()

        on_event_thread(widen)
        time.sleep(settle_seconds)
        capture_component(frame, path)

    def close(self) -> None:
        """Closes BigWarp's windows."""
        on_event_thread(self._bw.closeAll)


def show(
    moving: Any,
    fixed: Any,
    moving_points: Optional[Any] = None,
    fixed_points: Optional[Any] = None,
    *,
    transform: str = "tps",
    names: Sequence[str] = ("moving", "fixed"),
) -> BigWarpWindow:
    """Opens BigWarp on two NumPy arrays (2-D or 3-D each, the same number of dimensions), shared
    with ImgLib2 with no copy, with landmark pairs when given, and returns the windows."""
    model = _model(transform)
    m = _image(moving, "moving")
    f = _image(fixed, "fixed")
    if m.ndim != f.ndim:
        raise ValueError(f"a {m.ndim}-D moving image and a {f.ndim}-D fixed one")
    pairs = None
    if moving_points is not None or fixed_points is not None:
        pairs = _pairs(moving_points, fixed_points, m.ndim, model)
    _require()
    require_display("BigWarp")
    Views = _imglyb.jimport("net.imglib2.view.Views")
    Source = _imglyb.jimport("bdv.util.RandomAccessibleIntervalSource")
    Util = _imglyb.jimport("net.imglib2.util.Util")

    def source(a: np.ndarray, name: str) -> Any:
        img = _wrap.to_imglib_proxy(a, None, None, False)
        volume = Views.addDimension(img, 0, 0) if a.ndim == 2 else img  # BigWarp's sources are 3-D
        return Source(volume, Util.getTypeFromInterval(img).createVariable(), name)

    Init = _imglyb.jimport("bigwarp.BigWarpInit")
    sources = _imglyb.jarray("bdv.viewer.Source", [source(m, str(names[0]))])
    targets = _imglyb.jarray("bdv.viewer.Source", [source(f, str(names[1]))])
    data = Init.createBigWarpData(sources, targets, _imglyb.jarray("java.lang.String", [str(n) for n in names]))
    progress = _imglyb.jimport("bdv.export.ProgressWriterConsole")()
    # BigWarp sees a 2-D pair from the sources' singleton third dimension.
    bw = on_event_thread(lambda: _imglyb.jimport("bigwarp.BigWarp")(data, progress))

    def ranges() -> None:
        # Each image over its own value range (BigWarp sets 0..65535 whatever the data).
        for setups, a in ((data.getMovingConverterSetups(), m), (data.getTargetConverterSetups(), f)):
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 1.0)
            for i in range(int(setups.size())):
                setups.get(i).setDisplayRange(lo, hi if hi > lo else lo + 1.0)

    on_event_thread(ranges)
    window = BigWarpWindow(bw, m, f)
    if model != TRANSFORMS["tps"]:
        window.transform_type = transform
    if pairs is not None:
        window.set_landmarks(*pairs)
    return window
