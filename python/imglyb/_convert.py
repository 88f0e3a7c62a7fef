"""The conversions imglyb is for: :func:`to_imglib`, :func:`to_imglib_argb` and :func:`to_numpy`,
and :func:`jinstance`; each takes and gives JPype objects too (:mod:`imglyb.interop`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb, _wrap, chunked, interop
from ._imglyb import JavaClass, JavaObject

__all__ = ["jinstance", "to_imglib", "to_imglib_argb", "to_numpy"]


def to_imglib(
    source: Any,
    chunks: Optional[chunked.Chunks] = None,
    *,
    cache_bytes: Optional[int] = None,
    writable: bool = False,
) -> JavaObject:
    """An ImgLib2 image of ``source``, sharing its memory.

    A NumPy array (any layout, a memmap too) becomes an ``Img`` over the same memory: no copy,
    and a change on either side is seen on the other at once. A chunked array (dask, zarr, h5py,
    or anything with ``shape``, ``dtype``, ``__getitem__`` and ``chunks``) becomes a lazily loaded
    cell image whose cells are read from the source when Java first touches them (an
    ``xarray.DataArray`` is either, by its data: see :mod:`imglyb.xarrays`); see
    :func:`imglyb.chunked.to_imglib` for ``chunks``, ``cache_bytes`` and ``writable``, which
    apply to chunked sources only (``chunks`` also loads a NumPy array lazily, in those cells).
    An :func:`imglyb.lazy` array gives back the Java image it reads.

    Raises:
        TypeError: the dtype has no ImgLib2 type (the message names the fix).
        ValueError: the chunks do not fit the shape.
    """
    return interop.for_jpype_owner(_wrap.to_imglib_proxy(source, chunks, cache_bytes, writable))


def to_imglib_argb(arr: Any) -> JavaObject:
    """A uint32 or int32 array as an ImgLib2 ``ARGBType`` image over the same memory (no copy);
    a JPype object when JPype started the JVM (see :mod:`imglyb.interop`).

    Each pixel is ``0xAARRGGBB``. BigDataViewer 10 draws the alpha: pixels with alpha 0
    (``0x00RRGGBB``, as the original imglyb's examples build them) show black, so set it
    (``argb | 0xFF000000``) for opaque colours."""
    return interop.for_jpype_owner(_imglyb.to_imglib_argb(arr))


def to_numpy(img: Any, copy: Optional[bool] = None) -> np.ndarray:
    """An ImgLib2 image (an imglyb or a JPype proxy) as a NumPy array: a view of the same memory
    when the image is over memory NumPy can view (``copy=None`` or ``False``), otherwise a copy
    (``copy=None`` or ``True``). ``copy=False`` on an image that must be copied is a
    ``ValueError``."""
    return _imglyb.to_numpy(interop.as_imglyb(img), copy)


def jinstance(obj: Any, class_: Union[str, JavaClass, Any]) -> bool:
    """Whether ``obj`` (an imglyb or a JPype proxy) is an instance of the Java class ``class_``
    (a name, or an imglyb or JPype class)."""
    return _imglyb.jinstance(interop.as_imglyb(obj), interop.as_imglyb(class_))
