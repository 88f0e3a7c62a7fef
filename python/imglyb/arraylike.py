"""ImgLib2 images that feel like arrays: what imglyb's proxies of a ``RandomAccessibleInterval``
answer for ``shape``, ``ndim``, ``dtype``, indexing, ``len``, iteration and ``numpy.asarray``
(DLPack is made in Rust, with no NumPy in between: ``crates/imglyb-py/src/dlpack.rs``).

Axes are NumPy's: axis ``i`` of an ``n``-dimensional image is ImgLib2 dimension ``n - 1 - i`` (the
last NumPy axis is ImgLib2's x), as everywhere in imglyb. Indexing gives ImgLib2 views, never
copies: an integer fixes an axis (``Views.hyperSlice``), a slice bounds it (``Views.interval``),
a step takes every k-th pixel (``Views.subsample``) and a negative step reverses the axis
(``Views.invertAxis``). ``numpy.asarray(img)`` is a view of the memory where imglyb can share it
(a wrapped array and views of it), and a copy otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _contract, _imglyb

__all__ = [
    "contains",
    "dtype",
    "getitem",
    "is_image",
    "iterate",
    "length",
    "ndim",
    "shape",
    "to_array",
]

_RAI = "net.imglib2.RandomAccessibleInterval"
_rai_classes: dict[str, bool] = {}


def is_image(obj: Any) -> bool:
    """Whether ``obj`` is an imglyb proxy of a ``RandomAccessibleInterval``."""
    if not isinstance(obj, _imglyb.JavaObject):
        return False
    key = obj.__javaclass__.__javaname__  # asked of Java once per class
    known = _rai_classes.get(key)
    if known is None:
        known = bool(_imglyb.jinstance(obj, _RAI))
        _rai_classes[key] = known
    return known


def _require(obj: Any, what: str) -> None:
    if not is_image(obj):
        raise AttributeError(what)


def shape(obj: Any) -> tuple[int, ...]:
    _require(obj, "shape")
    n = int(obj.numDimensions())
    return tuple(int(obj.dimension(d)) for d in reversed(range(n)))


def ndim(obj: Any) -> int:
    _require(obj, "ndim")
    return int(obj.numDimensions())


def _dtypes() -> dict[int, np.dtype]:

    return {**_contract.DTYPES, 13: np.dtype(np.uint32)}  # and ARGB pixels, as to_numpy gives them


def dtype(obj: Any) -> np.dtype:
    _require(obj, "dtype")
    code = int(_imglyb.jimport("org.imglyb.Images").shape(obj).code)
    return np.dtype(_dtypes()[code])


def length(obj: Any) -> int:
    if not is_image(obj):
        raise TypeError(f"Java {obj.__javaclass__.__javaname__} has no len()")
    n = int(obj.numDimensions())
    if n == 0:
        raise TypeError("len() of a 0-dimensional image")
    return int(obj.dimension(n - 1))


def iterate(obj: Any) -> Any:
    """The views along the first NumPy axis."""
    for i in range(length(obj)):
        yield getitem(obj, i)


def contains(obj: Any, item: Any) -> bool:
    """``item in image``, as NumPy means it: whether any pixel equals ``item`` (reads every
    pixel)."""
    return bool(np.any(to_array(obj) == item))


def getitem(obj: Any, key: Any) -> Any:
    """An ImgLib2 view of ``obj`` for a NumPy-style index of integers, slices and ``...``."""
    if not is_image(obj):
        raise TypeError(f"Java {obj.__javaclass__.__javaname__} is not subscriptable")
    views = _imglyb.jimport("net.imglib2.view.Views")
    dims = shape(obj)
    n = len(dims)
    if not isinstance(key, tuple):
        key = (key,)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if any(k is Ellipsis for k in key):
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (n - len(key) + 1) + key[i + 1 :]
    if len(key) > n:
        raise IndexError(f"too many indices for an image of {n} dimensions")
    key = key + (slice(None),) * (n - len(key))
    mins = [int(obj.min(d)) for d in range(n)]
    lo, hi, steps, fixed = [], [], [], []
    for axis, (k, extent) in enumerate(zip(key, dims)):
        d = n - 1 - axis
        if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            i = int(k)
            if not -extent <= i < extent:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {extent}")
            i %= extent
            lo.append((d, mins[d] + i))
            hi.append((d, mins[d] + i))
            steps.append((d, 1))
            fixed.append(d)
        elif isinstance(k, slice):
            start, stop, step = k.indices(extent)
            count = len(range(start, stop, step))
            if count == 0:
                raise IndexError(f"an empty slice on axis {axis}: ImgLib2 images have no empty axes")
            first, last = start, start + (count - 1) * step
            lo.append((d, mins[d] + min(first, last)))
            hi.append((d, mins[d] + max(first, last)))
            steps.append((d, step))
        else:
            raise IndexError(f"ImgLib2 images take integers, slices and '...' as indices, not {type(k).__name__}")
    bounds_lo = [0] * n
    bounds_hi = [0] * n
    for d, v in lo:
        bounds_lo[d] = v
    for d, v in hi:
        bounds_hi[d] = v
    step_by = dict(steps)
    view = views.interval(obj, _imglyb.jarray("long", bounds_lo), _imglyb.jarray("long", bounds_hi))
    if len(fixed) == n:
        # Every axis fixed: the pixel's value, as NumPy gives a scalar.
        return _imglyb.to_numpy(view, copy=True).reshape(())[()]
    for d in range(n):
        if step_by[d] < 0:
            view = views.invertAxis(view, d)
    view = views.zeroMin(view)  # like a NumPy slice, the view counts from 0
    if any(abs(s) != 1 for s in step_by.values()):
        view = views.subsample(view, _imglyb.jarray("long", [abs(step_by[d]) for d in range(n)]))
    for d in sorted(fixed, reverse=True):
        view = views.hyperSlice(view, d, 0)
    return view


def to_array(obj: Any, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
    if not is_image(obj):
        raise TypeError("not an ImgLib2 image")
    out = _imglyb.to_numpy(obj, copy)
    return out if dtype is None else out.astype(dtype, copy=False)
