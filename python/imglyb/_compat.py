"""The original imglyb 2.x's names for chunked images (``as_cell_img`` and its two variants), on
imglyb's lazily loaded cell images (``docs/big-data.md``). Re-exported by :mod:`imglyb`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _wrap, chunked, interop

__all__ = ["as_cell_img", "as_cell_img_with_array_accesses", "as_cell_img_with_native_accesses"]


def as_cell_img(array: Any, chunk_shape: Any, cache: Any, *, access_type: str = "native", chunk_as_array: Any = None, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's ``as_cell_img``: now :func:`to_imglib` of a chunked array,
    whose cells are loaded lazily and cached by imglyb (``docs/big-data.md``).

    ``chunk_shape`` is the cell shape (NumPy order); ``cache`` the number of cells to keep.
    ``chunk_as_array`` converts each chunk read from ``array`` to a NumPy array. Returns
    ``(img, None)``: the image keeps ``array`` alive itself, so there is no reference store to
    hold. ``access_type="array"`` (the original's copies in Java arrays) gives the same image, whose
    cells share the chunks' memory. An ImgLib2 ``LoaderCache`` is not supported: use
    ``imglyb.to_imglib(array, chunks=..., cache_bytes=...)``.
    """
    if access_type not in ("native", "array"):
        raise ValueError(f"access_type must be 'native' or 'array', not {access_type!r}")
    if not isinstance(cache, (int, np.integer)) or isinstance(cache, bool):
        raise TypeError(
            "as_cell_img's cache must be a number of cells; ImgLib2 LoaderCaches are not supported: "
            "use imglyb.to_imglib(array, chunks=chunk_shape, cache_bytes=...)"
        )
    if cache < 1:
        raise ValueError(f"as_cell_img's cache must be at least one cell, not {cache}")
    cells = tuple(int(c) for c in chunk_shape)
    source = array if chunk_as_array is None else chunked.ConvertedChunks(array, chunk_as_array)
    cell_bytes = int(np.prod(cells, dtype=np.int64)) * np.dtype(array.dtype).itemsize
    img = _wrap.to_imglib_proxy(source, chunks=cells, cache_bytes=int(cache) * cell_bytes)
    return interop.for_jpype_owner(img), None


def as_cell_img_with_native_accesses(array: Any, chunk_shape: Any, chunk_as_array: Any, cache: Any, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's name: :func:`as_cell_img` (cells over the chunks' own memory)."""
    return as_cell_img(array, chunk_shape, cache, chunk_as_array=chunk_as_array)


def as_cell_img_with_array_accesses(array: Any, chunk_shape: Any, chunk_as_array: Any, cache: Any, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's name: :func:`as_cell_img`. Its cells were copies in Java arrays;
    imglyb's cells share the chunks' memory instead, which reads the same."""
    return as_cell_img(array, chunk_shape, cache, chunk_as_array=chunk_as_array)
