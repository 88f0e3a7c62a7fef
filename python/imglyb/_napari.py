"""ImgLib2 images in napari, and napari layers' data in ImgLib2 (the logic of :mod:`imglyb.napari`).

napari is imported only by the functions that need a viewer's layer types, never at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb, _jvm, chunked, interop, xarrays

__all__ = ["add_image", "add_labels", "contrast_limits", "layer_data", "layer_kwargs", "to_imglib"]

# Above this many pixels, contrast limits are taken from the plane napari shows first, not
# from the whole image (napari's own rule for in-memory arrays is 1e7 pixels).
_WHOLE_IMAGE_PIXELS = 10_000_000


def _is_java(obj: Any) -> bool:
    return isinstance(obj, _imglyb.JavaObject) or interop.is_jpype(obj)


def layer_data(img: Any) -> Any:
    """What napari is given for one ImgLib2 ``RandomAccessibleInterval`` (NumPy axis order):

    - a NumPy view of its memory when imglyb shares it (an image from ``to_imglib`` of a NumPy
      array, an ``ArrayImg`` over native memory, an interval of either), so napari draws the
      pixels Java writes with no copy;
    - otherwise an :class:`imglyb.LazyArray`, which reads through Java only the region napari
      draws: for a cell image (cached, lazily computed or loaded, bigger than memory) only the
      cells of the plane on screen are loaded. An ``imglyb.to_imglib`` chunked image's
      read-ahead is turned off: napari reads planes, not sweeps in cell order.
    """
    img = interop.as_imglyb(img)
    if not _imglyb.jinstance(img, "net.imglib2.RandomAccessibleInterval"):
        raise TypeError(f"expected an ImgLib2 RandomAccessibleInterval, got {img.getClass().getName()}")
    try:
        return _imglyb.to_numpy(img, copy=False)
    except ValueError:
        pass
    cells = chunked.chunked_img_of(img)
    if cells is not None:
        # napari reads one plane at a time, not a sweep in cell order: cells read ahead would
        # be cells of other planes, computed for nothing.
        cells.setReadAhead(0)
    return chunked.lazy(img)


def _first_plane(shape: Sequence[int]) -> tuple[Any, ...]:
    """The index of the plane napari shows first: the middle of every axis but the last two."""
    lead = len(shape) - 2
    return tuple((s - 1) // 2 for s in shape[:lead]) + (slice(None),) * (len(shape) - max(lead, 0))


def contrast_limits(data: Any, given: Optional[Sequence[float]] = None) -> Optional[tuple[float, float]]:
    """The contrast limits for ``data`` (an array or a list of levels, largest first): ``given``
    when given; None for a NumPy array, whose range napari computes itself in memory; otherwise
    the range of a part of the image that napari reads anyway: the smallest level of a pyramid
    when it is small, else the plane shown first (for a 2-D image, the image: napari draws all
    of it). Never more of a volume than the plane napari draws."""
    if given is not None:
        lo, hi = (float(v) for v in given)
        if not hi > lo:
            raise ValueError(f"contrast limits must rise: got {tuple(given)}")
        return lo, hi
    levels = data if isinstance(data, list) else [data]
    smallest = levels[-1]
    if isinstance(smallest, np.ndarray) and len(levels) == 1:
        return None
    sample = smallest if smallest.size <= _WHOLE_IMAGE_PIXELS else smallest[_first_plane(smallest.shape)]
    return _range(np.asarray(sample))


def _range(sample: np.ndarray) -> tuple[float, float]:
    """The range of ``sample``'s values, as napari takes it (0-255 for bytes; one value widened)."""
    if sample.dtype == np.uint8:
        return 0.0, 255.0
    finite = sample[np.isfinite(sample)] if sample.dtype.kind == "f" else sample
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:  # one value: as napari widens it
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    return lo, hi


def _axes_of_imgplus(img: Any) -> Optional[dict[str, Any]]:
    """Axis labels, scale, translation and units of an ``ImgPlus``/``Dataset`` (NumPy order)."""
    imgplus = xarrays.imgplus_of(img)
    if imgplus is None:
        return None
    n = int(imgplus.numDimensions())
    labels, scale, translate, units = [], [], [], []
    for d in reversed(range(n)):
        axis = imgplus.axis(d)
        labels.append(str(axis.type().getLabel()))
        if _imglyb.jinstance(axis, "net.imagej.axis.LinearAxis"):
            s, o = float(axis.scale()), float(axis.origin())
        else:
            s, o = float(axis.averageScale(0.0, 1.0)), float(axis.calibratedValue(0.0))
        scale.append(s)
        translate.append(o + s * int(imgplus.min(d)))
        unit = axis.unit()
        units.append(None if unit is None or str(unit) == "" else str(unit))
    name = imgplus.getName()
    out: dict[str, Any] = {"axis_labels": tuple(labels), "scale": tuple(scale), "translate": tuple(translate)}
    if any(u is not None for u in units):
        out["units"] = tuple(u if u is not None else "pixel" for u in units)
    if name is not None and str(name) != "":
        out["name"] = str(name)
    out["image"] = imgplus.getImg()
    return out


def _axes_of_data_array(data_array: Any) -> dict[str, Any]:
    dims = [str(d) for d in data_array.dims]
    calibration = [xarrays.linear_calibration(data_array, dim) for dim in dims]
    scale = [c[0] for c in calibration]
    translate = [c[1] for c in calibration]
    units = [xarrays.coordinate_unit(data_array, dim) for dim in dims]
    out: dict[str, Any] = {"axis_labels": tuple(dims), "scale": tuple(scale), "translate": tuple(translate)}
    if any(u is not None for u in units):
        out["units"] = tuple(u if u is not None else "pixel" for u in units)
    if data_array.name is not None:
        out["name"] = str(data_array.name)
    return out


def layer_kwargs(img: Any, *, labels: bool = False, **given: Any) -> dict[str, Any]:
    """The keyword arguments of ``viewer.add_image`` (``add_labels`` with ``labels``) for ``img``:
    ``data`` and, from the image, ``multiscale``, ``axis_labels``, ``scale``, ``translate``,
    ``units``, ``name`` and (images only) ``contrast_limits``. What ``given`` says wins.

    ``img`` is an ImgLib2 ``RandomAccessibleInterval`` (an imglyb or a JPype proxy; an
    ``ImgPlus`` or ``Dataset`` gives its axes where imagej-common is present), a list of them at
    decreasing resolution (a multiscale layer), an ``xarray.DataArray`` (dims, evenly spaced
    coordinates and their ``units``) or anything napari takes as it is (NumPy, dask, zarr).
    """
    out = _described(img)
    if labels:
        if "contrast_limits" in given:
            raise TypeError("labels layers take no contrast_limits")
    else:
        limits = contrast_limits(out["data"], given.pop("contrast_limits", None))
        if limits is not None:
            out["contrast_limits"] = limits
    out.update(given)
    return out


def _described(img: Any) -> dict[str, Any]:
    """``data`` and what the image says of its axes, for :func:`layer_kwargs`."""
    out: dict[str, Any] = {}
    if isinstance(img, (list, tuple)):
        if len(img) == 0:
            raise ValueError("an empty list of resolution levels")
        levels = [_described(level) for level in img]
        data = [level["data"] for level in levels]
        for a, b in zip(data, data[1:]):
            if len(a.shape) != len(b.shape) or any(sb > sa for sa, sb in zip(a.shape, b.shape)):
                raise ValueError(
                    "resolution levels go from largest to smallest with the same number of axes; "
                    f"got {tuple(a.shape)} before {tuple(b.shape)}"
                )
        out.update({k: v for k, v in levels[0].items() if k not in ("data", "translate")})
        out["data"] = data
        out["multiscale"] = len(data) > 1
        if len(data) == 1:
            out["data"] = data[0]
    elif xarrays.is_data_array(img):
        out.update(_axes_of_data_array(img))
        out["data"] = img.data
    elif _is_java(img):
        _jvm.ensure_jvm()
        img = interop.as_imglyb(img)
        axes = _axes_of_imgplus(img)
        if axes is not None:
            img = axes.pop("image")
            out.update(axes)
        out["data"] = layer_data(img)
        n = int(img.numDimensions())
        if axes is None:
            out["axis_labels"] = xarrays.default_dims(n)
            mins = [int(img.min(d)) for d in reversed(range(n))]
            if any(mins):
                out["translate"] = tuple(float(m) for m in mins)
    elif hasattr(img, "shape") and hasattr(img, "dtype") and hasattr(img, "__getitem__"):
        out["data"] = img
    else:
        raise TypeError(
            "expected an ImgLib2 RandomAccessibleInterval, a list of them (a pyramid), an xarray "
            f"DataArray or an array; got {type(img).__name__}"
        )
    return out


def add_image(viewer: Any, img: Any, **kwargs: Any) -> Any:
    """Shows ``img`` in the napari ``viewer`` as an image layer and returns the layer.

    ``img`` is anything :func:`layer_kwargs` takes. Native images are shown as views of their
    memory, cell and lazily loaded images lazily (only what napari draws is loaded), a list of
    images at decreasing resolution as one multiscale layer. Axes are in NumPy order, as
    everywhere in imglyb. Contrast limits are ``contrast_limits`` when given, else the range of
    what napari reads anyway (never a whole big image). Other keyword arguments go to
    ``viewer.add_image``.

    napari draws what it read when it last drew: after Java writes into a shared image, call
    ``layer.refresh()`` to see the change.
    """
    out = _described(img)
    given = kwargs.pop("contrast_limits", None)
    data = out["data"]
    later = given is None and not isinstance(data, (list, np.ndarray)) and len(data.shape) > 2
    if later:
        # The range of the plane napari shows, once it is shown: in a viewer that holds other
        # layers that is not always the middle one. Until then, napari must not compute its own
        # (it reads three whole planes).
        out["contrast_limits"] = (0.0, 1.0)
    else:
        limits = contrast_limits(data, given)
        if limits is not None:
            out["contrast_limits"] = limits
    out.update(kwargs)
    layer = _shown(viewer.add_image, out)
    if later:
        point = layer.world_to_data(viewer.dims.point)
        lead = len(data.shape) - 2 - int(bool(layer.rgb))
        index = tuple(min(max(int(round(p)), 0), n - 1) for p, n in zip(point[:lead], data.shape[:lead]))
        lo, hi = _range(np.asarray(data[index]))
        layer.contrast_limits_range = (lo, hi)
        layer.contrast_limits = (lo, hi)
    return layer


def _shown(add: Any, kwargs: dict[str, Any]) -> Any:
    # Added hidden, then shown: napari slices a visible layer at plane 0 before it moves to the
    # middle plane, which for a lazily read volume computes a plane nobody looks at. Not a
    # pyramid: shown later, it would be drawn from its largest level, not the one that fits.
    if kwargs.get("multiscale"):
        return add(**kwargs)
    visible = kwargs.pop("visible", True)
    layer = add(**kwargs, visible=False)
    layer.visible = visible
    return layer


def add_labels(viewer: Any, img: Any, **kwargs: Any) -> Any:
    """Shows ``img`` (as :func:`add_image` takes it; integer pixels) as a napari labels layer,
    with its label values unchanged, and returns the layer."""
    out = layer_kwargs(img, labels=True, **kwargs)
    data = out["data"]
    dtype = np.dtype(data[0].dtype if isinstance(data, list) else data.dtype)
    if dtype.kind not in "iub":
        raise TypeError(f"labels are integers; got {dtype} pixels")
    return _shown(viewer.add_labels, out)


def to_imglib(layer: Any, level: Optional[int] = None, **kwargs: Any) -> Any:
    """A napari layer's data as an ImgLib2 image, with no copy where it is in memory:
    ``imglyb.to_imglib`` of the data (NumPy, dask, zarr; keyword arguments go to it), of level
    ``level`` of a multiscale layer (0, the highest resolution, by default). Data that came from
    Java (:func:`add_image` of a lazily read image) gives back that Java image.

    Java's writes into a NumPy-backed layer show in napari after ``layer.refresh()``.
    """
    from . import _convert

    import napari.layers  # type: ignore[import-untyped]  # napari ships no type information

    if not isinstance(layer, (napari.layers.Image, napari.layers.Labels)):
        raise TypeError(f"expected a napari image or labels layer, got {type(layer).__name__}")
    data = layer.data
    if layer.multiscale:
        index = 0 if level is None else int(level)
        if not 0 <= index < len(data):
            raise ValueError(f"level {level} of a layer with {len(data)} levels")
        data = data[index]
    elif level not in (None, 0):
        raise ValueError(f"level {level} of a layer with one level")
    if not (hasattr(data, "shape") and hasattr(data, "dtype")):
        raise TypeError(f"a {type(layer).__name__} layer's data is not an array")
    return _convert.to_imglib(data, **kwargs)
