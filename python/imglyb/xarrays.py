"""ImgLib2 images and xarray ``DataArray``s (``imglyb.to_xarray``, ``imglyb.to_imglib(data_array)``).

The pixels are shared both ways, as with NumPy arrays: a ``DataArray`` over a NumPy array becomes
an image over that memory, one over a dask array a lazily loaded image, and ``to_xarray`` of an
image over shareable memory is a ``DataArray`` over a view of it.

Axes are in NumPy's order, as everywhere in imglyb (the last axis is ImgLib2's dimension 0).

- **With ImageJ's axis metadata** (``imagej-common`` on the classpath, as in Fiji):
  ``to_imglib(data_array)`` returns an ``ImgPlus`` over the shared pixels whose axes carry the
  DataArray's dims (``x``, ``y``, ``z``, ``t``, ``c`` become ImageJ's ``X``, ``Y``, ``Z``,
  ``Time``, ``Channel``; other names become axes of that name), a linear calibration (scale and
  origin) from evenly spaced numeric coordinates, and the unit from the coordinate's
  ``units`` (or ``unit``) attribute; its name is the DataArray's. ``to_xarray`` of an ``ImgPlus``
  or ``Dataset`` gives those dims back, the calibrated positions as coordinates (with ``units``),
  and the name. Coordinates that are not evenly spaced, and other attributes, are not carried
  into Java (an ImageJ linear axis cannot hold them).
- **Without it**, an image's axes are named ``x``, ``y``, ``z`` for dimensions 0 to 2 and ``d3``,
  ``d4``, ... after that, and an image whose minimum is not 0 (an interval view) gets those
  positions as coordinates. A ``DataArray``'s own names, coordinates and attributes do not travel
  into Java.

Maven Central does not serve ``imagej-common``, so CI runs the plain path; the ImageJ path was
checked by hand with imagej-common built from its public sources (``docs/pyimagej.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb, interop

__all__ = [
    "axis_api",
    "coordinate_unit",
    "default_dims",
    "imgplus_of",
    "is_data_array",
    "linear_calibration",
    "source_of",
    "to_xarray",
    "with_axes",
]


def is_data_array(obj: Any) -> bool:
    """Whether ``obj`` is an ``xarray.DataArray`` (without importing xarray)."""
    return type(obj).__name__ == "DataArray" and type(obj).__module__.startswith("xarray")


def default_dims(n: int) -> tuple[str, ...]:
    """The axis names of an ``n``-dimensional image, in NumPy order."""
    names = ["x", "y", "z"] + [f"d{d}" for d in range(3, n)]
    return tuple(reversed(names[:n]))


# ImageJ's axis labels and the xarray dims they are given as (and back).
_DIM_OF_LABEL = {"X": "x", "Y": "y", "Z": "z", "Time": "t", "Channel": "c"}
_LABEL_OF_DIM = {dim: label for label, dim in _DIM_OF_LABEL.items()}

_axis_api: list[Optional[dict[str, Any]]] = []


def axis_api() -> Optional[dict[str, Any]]:
    """imagej-common's ``ImgPlus``, ``Axes`` and ``DefaultLinearAxis`` classes, or None when it
    is not on the classpath (looked up once)."""
    if not _axis_api:
        try:
            api = {
                "ImgPlus": _imglyb.jimport("net.imagej.ImgPlus"),
                "Axes": _imglyb.jimport("net.imagej.axis.Axes"),
                "DefaultLinearAxis": _imglyb.jimport("net.imagej.axis.DefaultLinearAxis"),
            }
        except _imglyb.JavaException:
            api = None
        _axis_api.append(api)
    return _axis_api[0]


def linear_calibration(data_array: Any, dim: str) -> tuple[float, float]:
    """(scale, origin) of a dim whose coordinates are evenly spaced numbers; (1, 0) otherwise."""
    if dim not in data_array.coords:
        return 1.0, 0.0
    values = np.asarray(data_array.coords[dim].values)
    if values.ndim != 1 or values.size == 0 or values.dtype.kind not in "iuf":
        return 1.0, 0.0
    values = values.astype(np.float64)
    if values.size == 1:
        return 1.0, float(values[0])
    steps = np.diff(values)
    if steps[0] == 0 or not np.allclose(steps, steps[0], rtol=1e-9, atol=0):
        return 1.0, 0.0
    return float(steps[0]), float(values[0])


def coordinate_unit(data_array: Any, dim: str) -> Optional[str]:
    """The ``units`` (or ``unit``) attribute of a dim's coordinate, or None."""
    if dim not in data_array.coords:
        return None
    attrs = data_array.coords[dim].attrs
    unit = attrs.get("units", attrs.get("unit"))
    return None if unit is None else str(unit)


def with_axes(data_array: Any, img: Any) -> Any:
    """``img`` (the DataArray's pixels in Java) as an ``ImgPlus`` with the DataArray's axes when
    imagej-common is on the classpath; ``img`` itself otherwise."""
    api = axis_api()
    if api is None:
        return img
    n = len(data_array.dims)
    axes = []
    for d in range(n):  # ImgLib2 dimension d is NumPy axis n - 1 - d
        dim = str(data_array.dims[n - 1 - d])
        scale, origin = linear_calibration(data_array, dim)
        axis_type = api["Axes"].get(_LABEL_OF_DIM.get(dim, dim))
        axes.append(api["DefaultLinearAxis"](axis_type, coordinate_unit(data_array, dim), scale, origin))
    name = "" if data_array.name is None else str(data_array.name)
    return api["ImgPlus"](img, name, _imglyb.jarray("net.imagej.axis.CalibratedAxis", axes))


def imgplus_of(img: Any) -> Any:
    """The ``ImgPlus`` of an ``ImgPlus`` or ``Dataset`` when imagej-common is present, else None."""
    if axis_api() is None:
        return None
    if _imglyb.jinstance(img, "net.imagej.ImgPlus"):
        return img
    if _imglyb.jinstance(img, "net.imagej.Dataset"):
        return img.getImgPlus()
    return None


def _from_imgplus(imgplus: Any, copy: Optional[bool]) -> Any:
    import xarray as xr

    data = _imglyb.to_numpy(imgplus.getImg(), copy)
    n = data.ndim
    dims: list[str] = []
    coords: dict[str, Any] = {}
    for d in range(n):
        axis = imgplus.axis(d)
        label = str(axis.type().getLabel())
        dim = _DIM_OF_LABEL.get(label, label)
        if dim in dims:
            dim = f"{dim}{d}"
        dims.append(dim)
        size, low = data.shape[n - 1 - d], int(imgplus.min(d))
        positions = np.arange(low, low + size, dtype=np.float64)
        if _imglyb.jinstance(axis, "net.imagej.axis.LinearAxis"):
            values = float(axis.origin()) + float(axis.scale()) * positions
        else:
            values = np.array([float(axis.calibratedValue(float(p))) for p in positions])
        unit = axis.unit()
        if unit is not None or not np.array_equal(values, np.arange(size)):
            coords[dim] = xr.Variable(dim, values, attrs={} if unit is None else {"units": str(unit)})
    name = imgplus.getName()
    return xr.DataArray(data, dims=tuple(reversed(dims)), coords=coords, name=None if name is None or str(name) == "" else str(name))


def to_xarray(img: Any, copy: Optional[bool] = None) -> Any:
    """An ImgLib2 image (imglyb or JPype proxy) as an ``xarray.DataArray``: over a view of its
    memory where imglyb shares it (``copy`` as for :func:`imglyb.to_numpy`), otherwise over a
    copy. An ``ImgPlus`` or ``Dataset`` (imagej-common) gives its axes' names, calibrated
    positions (as coordinates, with ``units``) and its name; any other image has
    ``default_dims``, and coordinates that are pixel positions where its minimum is not 0 (an
    interval view)."""
    import xarray as xr

    img = interop.as_imglyb(img)
    imgplus = imgplus_of(img)
    if imgplus is not None:
        return _from_imgplus(imgplus, copy)
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
