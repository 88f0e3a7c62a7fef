"""The original imglyb 2.x's names for chunked images (``as_cell_img`` and its two variants), on
imglyb's lazily loaded cell images (``docs/big-data.md``), re-exported by :mod:`imglyb`; and its
other modules' names, behind :mod:`imglyb.accesses`, :mod:`imglyb.caches`,
:mod:`imglyb.reference_store` and :mod:`imglyb.ndarray_like_as_img`."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _contract, _wrap, chunked, interop

__all__ = [
    "ReferenceStore",
    "as_array_access",
    "as_cell_img",
    "as_cell_img_with_array_accesses",
    "as_cell_img_with_native_accesses",
    "cache_class",
]


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


# The original imglyb 2.x's other modules, behind imglyb.accesses, imglyb.caches,
# imglyb.reference_store and imglyb.ndarray_like_as_img.

def as_array_access(ndarray: Any, volatile: bool = False) -> Any:
    """The original imglyb 2.x's ``accesses.as_array_access``: a new ImgLib2 array access of the
    storage ImgLib2 keeps the array's dtype in (``FloatArray`` for float32, ``ByteArray`` for
    uint8 and bool, ``FloatArray`` of two values per pixel for complex64, ...; the
    ``Volatile...Array`` marked valid when ``volatile``) holding a copy of ``ndarray``'s values in
    C order, in a Java array. Unsigned values keep their bits (ImgLib2's unsigned types read them
    back). Starts the JVM if needed.

    For an image that shares the array's memory instead, use :func:`imglyb.to_imglib`.

    Raises:
        TypeError: ``ndarray`` is not a NumPy array, or ImgLib2 has no pixel type for its dtype
            (2.x returned ``None`` for the dtypes it did not take).
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"as_array_access takes a NumPy array, not {type(ndarray).__name__}")
    storage = _contract.STORAGE.get(ndarray.dtype) if ndarray.dtype.isnative else None
    if storage is None:
        raise TypeError(
            f"as_array_access has no ImgLib2 array access for dtype {ndarray.dtype}; it takes "
            f"native-endian {', '.join(dt.name for dt in _contract.STORAGE)}"
        )
    primitive, per_pixel = storage
    # The values as Java's array holds them: signed integers or floats of the storage's width.
    width = ndarray.dtype.itemsize // per_pixel
    held = np.dtype(f"f{width}") if primitive in ("float", "double") else np.dtype(f"i{width}")
    from . import _imglyb, _jvm

    _jvm.ensure_jvm()
    values = _imglyb.jarray(primitive, np.ascontiguousarray(ndarray).reshape(-1).view(held))
    name = primitive.capitalize()
    if volatile:
        access = _imglyb.jimport(f"net.imglib2.img.basictypeaccess.volatiles.array.Volatile{name}Array")(values, True)
    else:
        access = _imglyb.jimport(f"net.imglib2.img.basictypeaccess.array.{name}Array")(values)
    return interop.for_jpype_owner(access)


def cache_class(name: str) -> Any:
    """``imglyb.caches.<name>``: the class ``net.imglib2.cache.ref.<name>`` of imglib2-cache,
    which must be on the classpath (ImgLib2 itself does not include it). Starts the JVM if
    needed."""
    from . import _imglyb, _jvm

    _jvm.ensure_jvm()
    try:
        return _imglyb.jimport(f"net.imglib2.cache.ref.{name}")
    except _imglyb.JavaException:
        raise AttributeError(
            f"imglyb.caches.{name} is net.imglib2.cache.ref.{name} of imglib2-cache, which is not on "
            "the classpath (ImgLib2 does not include it; add its jar with imglyb.config.add_classpath "
            "before the JVM starts). imglyb's own chunked images cache their cells themselves: "
            "imglyb.to_imglib(array, chunks=..., cache_bytes=...)"
        ) from None


class ReferenceStore:
    """The original imglyb 2.x's ``reference_store.ReferenceStore``: Python objects kept alive
    under integer ids, thread-safe. imglyb's own images keep their arrays alive themselves and
    need none; this is for code written against 2.x."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.store: dict[Any, Any] = {}
        self.next_id = 0

    def add_reference(self, ref_id: Any, reference: Any) -> None:
        with self.lock:
            self.store[ref_id] = reference

    def get_next_id(self) -> int:
        with self.lock:
            ref_id = self.next_id
            self.next_id += 1
            return ref_id

    def add_reference_with_new_id(self, reference: Any) -> int:
        with self.lock:
            ref_id = self.get_next_id()
            self.add_reference(ref_id, reference)
            return ref_id

    def remove_reference(self, ref_id: Any) -> None:
        with self.lock:
            self.store.pop(ref_id, None)

    def clear(self) -> None:
        with self.lock:
            self.store.clear()

    def reset_next_id(self) -> None:
        with self.lock:
            self.next_id = 0

    def number_of_stored_references(self) -> int:
        with self.lock:
            return len(self.store)
