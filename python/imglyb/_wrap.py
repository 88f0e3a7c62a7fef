"""What :func:`imglyb.to_imglib` does with each kind of source, as an imglyb proxy: NumPy arrays
shared, chunked arrays loaded lazily, xarray data arrays by their data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb, chunked, xarrays
from ._imglyb import JavaObject

__all__ = ["to_imglib_proxy"]


def to_imglib_proxy(
    source: Any, chunks: Optional[chunked.Chunks] = None, cache_bytes: Optional[int] = None, writable: bool = False
) -> JavaObject:
    """:func:`imglyb.to_imglib`, always as an imglyb proxy."""
    if isinstance(source, chunked.LazyArray) and chunks is None and cache_bytes is None and not writable:
        return source.image  # the Java image it reads, not a second image reading it back
    if xarrays.is_data_array(source):
        # Its NumPy or dask data, shared as such; with its axes where imagej-common is present.
        return xarrays.with_axes(source, to_imglib_proxy(xarrays.source_of(source), chunks, cache_bytes, writable))
    if chunks is not None or (type(source) is not np.ndarray and chunked.is_chunked(source)):
        return chunked.to_imglib(source, chunks, cache_bytes, writable)
    if cache_bytes is not None or writable:
        raise TypeError(
            "cache_bytes and writable apply to chunked sources (dask, zarr, h5py); a NumPy array "
            "is shared as it is, and is writable when the array is"
        )
    return _imglyb.to_imglib(source)
