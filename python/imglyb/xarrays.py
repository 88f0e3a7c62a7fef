"""ImgLib2 images and xarray ``DataArray``s (``imglyb.to_xarray``, ``imglyb.to_imglib(data_array)``).

The pixels are shared both ways, as with NumPy arrays: a ``DataArray`` over a NumPy array becomes
an image over that memory, one over a dask array a lazily loaded image, and ``to_xarray`` of an
image over shareable memory is a ``DataArray`` over a view of it.

Axes: NumPy's order, as everywhere in imglyb (the last axis is ImgLib2's dimension 0). Without
ImageJ's axis metadata (``imagej-common``, which Maven Central does not serve, so imglyb cannot
test it), an image's axes are named ``x``, ``y``, ``z`` for dimensions 0 to 2 and ``d3``, ``d4``, ...
after that, and an image whose minimum is not 0 (an interval view) gets those positions as
coordinates. A ``DataArray``'s own names, coordinates and attributes do not travel into Java.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _imglyb, interop


def is_data_array(obj: Any) -> bool:
    """Whether ``obj`` is an ``xarray.DataArray`` (without importing xarray)."""
    return type(obj).__name__ == "DataArray" and type(obj).__module__.startswith("xarray")


def default_dims(n: int) -> tuple[str, ...]:
    """The axis names of an ``n``-dimensional image, in NumPy order."""
    names = ["x", "y", "z"] + [f"d{d}" for d in range(3, n)]
    return tuple(reversed(names[:n]))


def to_xarray(img: Any, copy: Optional[bool] = None) -> Any:
    """An ImgLib2 image (imglyb or JPype proxy) as an ``xarray.DataArray``: over a view of its
    memory where imglyb shares it (``copy`` as for :func:`imglyb.to_numpy`), otherwise over a
    copy. Dims are ``default_dims``; coordinates are pixel positions where the image's minimum is
    not 0 (an interval view)."""
    import xarray as xr

    img = interop.as_imglyb(img)
    data = _imglyb.to_numpy(img, copy)
    n = data.ndim
    dims = default_dims(n)
    coords = {}
    for axis, name in enumerate(dims):
        d = n - 1 - axis
        low = int(img.min(d))
        if low != 0:
            coords[name] = np.arange(low, low + data.shape[axis])
    return xr.DataArray(data, dims=dims, coords=coords)


def source_of(data_array: Any) -> Any:
    """What ``to_imglib`` wraps for a ``DataArray``: its NumPy or dask data, as it is."""
    return data_array.data
