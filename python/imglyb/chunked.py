"""Bigger than memory: chunked arrays as lazily loaded ImgLib2 images, and ImgLib2 images as dask
arrays.

Python to Java: :func:`imglyb.to_imglib` of a dask array, a zarr array, an h5py dataset, or any
array-like with ``shape``, ``dtype``, NumPy-style ``__getitem__`` and chunks, returns an
``org.imglyb.cell.ChunkedImg``: ImgLib2's ``LazyCellImg`` whose cells are the source's chunks. A cell
is read from the source (and computed, for dask) the first time Java touches it, on whatever Java
thread touches it, with one Python call per cell, never per pixel; its pixels stay in the NumPy
block that produced it, with no second copy. Loaded cells are cached, bounded in bytes.

Java to Python: :func:`to_dask` makes a dask array whose blocks Java fills, and :func:`lazy` an
array-like that reads just the region it is indexed with.

See ``docs/big-data.md`` for chunking, the cache, writing back and dask.distributed.
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _contract, _imglyb, _jvm

__all__ = [
    "Chunks",
    "ConvertedChunks",
    "LazyArray",
    "chunked_img_of",
    "default_cache_bytes",
    "is_chunked",
    "lazy",
    "to_dask",
    "to_imglib",
]


Chunks = Union[int, Sequence[int], Sequence[Sequence[int]]]


def default_cache_bytes() -> int:
    """The cell cache's bound when ``cache_bytes`` is not given: ``IMGLYB_CACHE_BYTES`` if set,
    otherwise a sixteenth of physical memory, at least 256 MiB and at most 2 GiB."""
    text = os.environ.get("IMGLYB_CACHE_BYTES", "").strip().lower()
    if text:
        return _parse_bytes(text, "IMGLYB_CACHE_BYTES")
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 4 << 30
    return int(min(2 << 30, max(256 << 20, physical // 16)))


def _parse_bytes(text: str, what: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    t = text.strip().lower().rstrip("b").rstrip("i")
    scale = units.get(t[-1:], 1) if t else 1
    digits = t[:-1] if t[-1:] in units else t
    try:
        value = int(float(digits) * scale)
    except (ValueError, OverflowError):
        raise ValueError(f"{what}={text!r} is not a number of bytes (suffixes k, m, g, t allowed)") from None
    if value < 0:
        raise ValueError(f"{what}={text!r} is negative")
    return value


def is_chunked(obj: Any) -> bool:
    """Whether :func:`imglyb.to_imglib` loads ``obj`` lazily: not a NumPy array, with ``shape``,
    ``dtype`` and ``__getitem__``, and chunks (``chunks`` or ``chunksize``, as dask, zarr and
    h5py arrays have) or an h5py dataset."""
    if isinstance(obj, np.ndarray) or isinstance(obj, _imglyb.JavaObject):
        return False
    if not (hasattr(obj, "shape") and hasattr(obj, "dtype") and hasattr(type(obj), "__getitem__")):
        return False
    if getattr(obj, "chunksize", None) is not None or getattr(obj, "chunks", None) is not None:
        return True
    return type(obj).__module__.startswith("h5py")


def chunked_img_of(image: Any) -> Any:
    """The ``org.imglyb.cell.ChunkedImg`` that ``image`` is or wraps (an ``ImgPlus`` of one, as
    :func:`imglyb.to_imglib` makes of a chunked ``xarray.DataArray`` where imagej-common is
    present), or None."""
    for _ in range(8):
        if _imglyb.jinstance(image, "org.imglyb.cell.ChunkedImg"):
            return image
        if not _imglyb.jinstance(image, "net.imglib2.img.WrappedImg"):
            return None
        image = image.getImg()
    return None


def _source_chunks(source: Any) -> Optional[tuple[int, ...]]:
    """The source's own chunk shape (NumPy order; the largest chunk per axis), or None."""
    size = getattr(source, "chunksize", None)  # dask
    if size is None:
        size = getattr(source, "chunks", None)  # zarr, h5py (None when contiguous), dask
    if size is None:
        return None
    size = tuple(size)
    if size and all(isinstance(c, (tuple, list)) for c in size):
        size = tuple(max(c) if len(c) else 1 for c in size)  # dask-style chunks per axis
    return tuple(int(c) for c in size)


def _cell_shape(shape: tuple[int, ...], dtype: np.dtype, chunks: Optional[Chunks], source: Any) -> tuple[int, ...]:
    n = len(shape)
    if chunks is None:
        cells = _source_chunks(source)
        if cells is None:
            # A contiguous dataset: about 4 MiB cells, whole rows along the last axes.
            budget = max(1, (4 << 20) // max(1, dtype.itemsize))
            cells_list = []
            for extent in reversed(shape):
                c = max(1, min(extent, budget))
                cells_list.append(c)
                budget = max(1, budget // max(1, c))
            cells = tuple(reversed(cells_list))
    elif isinstance(chunks, (int, np.integer)):
        cells = (int(chunks),) * n
    else:
        items: list[Any] = list(chunks)
        if items and all(isinstance(c, (tuple, list)) for c in items):
            cells = tuple(max(int(v) for v in c) if len(c) else 1 for c in items)
        else:
            cells = tuple(int(c) for c in items)
    if len(cells) != n:
        raise ValueError(f"chunks {cells} do not match the {n} axes of shape {shape}")
    if any(c < 1 for c in cells):
        raise ValueError(f"chunks must be positive, got {cells}")
    return tuple(min(c, max(1, s)) for c, s in zip(cells, shape))


class _Cells:
    """The Python half of a ChunkedImg: loads and stores cells (``ChunkedImg$Loader``)."""

    def __init__(self, source: Any, shape: tuple[int, ...], cells: tuple[int, ...], dtype: np.dtype, writable: bool) -> None:
        self.source = source
        self.shape = shape
        self.cells = cells
        self.dtype = dtype
        self.writable = writable
        # Writable only: (cell index, block address) -> digest of what the block held when loaded
        # or last written.
        self.digests: dict[tuple[int, int], bytes] = {}
        # The grid in ImgLib2 order (dimension 0 = last NumPy axis), as ChunkedImg numbers cells.
        self.grid = [math.ceil(s / c) for s, c in zip(reversed(shape), reversed(cells))]
        self.is_dask = type(source).__module__.startswith("dask")
        # A dask array whose chunks are the cells: each cell is its block's task, computed from
        # the array's own graph (culled to that block) with the active scheduler, without the
        # cost of slicing the array (a new graph per cell). Graphs of more blocks than
        # _MAX_DIRECT_BLOCKS are sliced instead, since this keeps the whole graph as a dict; so
        # are writable ones, whose graph each write-back replaces.
        self.direct = self.is_dask and not writable and _aligned(source, cells) and math.prod(self.grid) <= _MAX_DIRECT_BLOCKS
        self.graph: Optional[dict] = None
        self.lock = threading.Lock()

    def slices(self, index: int) -> tuple[slice, ...]:
        n = len(self.shape)
        out = [slice(0, 0)] * n
        for d, g in enumerate(self.grid):
            p = index % g
            index //= g
            axis = n - 1 - d
            lo = p * self.cells[axis]
            out[axis] = slice(lo, min(lo + self.cells[axis], self.shape[axis]))
        return tuple(out)

    def block_index(self, index: int) -> tuple[int, ...]:
        """The NumPy-order block index of cell ``index``."""
        out = []
        for g in self.grid:
            out.append(index % g)
            index //= g
        return tuple(reversed(out))

    def compute_block(self, index: int) -> Any:
        import dask
        from dask.optimization import cull

        with self.lock:
            if self.graph is None:
                self.graph = dict(self.source.__dask_graph__())
        key = (self.source.name,) + self.block_index(index)
        graph, _ = cull(self.graph, [key])
        get = dask.base.get_scheduler(collections=[self.source]) or dask.threaded.get
        if get is dask.threaded.get:
            # dask's default for arrays. The cells already run in parallel on Java's threads (and
            # the read-ahead's), so each is computed on the thread that asked for it, without a
            # hand-over to dask's pool. A distributed Client, or a scheduler set with
            # dask.config, is used as it is.
            get = dask.local.get_sync
        return get(graph, key)

    def load(self, index: int) -> Any:
        where = self.slices(index)
        if self.direct:
            block = self.compute_block(index)
        elif self.is_dask and self.writable:
            # store() replaces the array's graph in steps: slice it between writes, not during
            # one (the slice is a new array; computing it needs no lock).
            with self.lock:
                block = self.source[where]
            block = block.compute()
        else:
            block = self.source[where]
            if not isinstance(block, np.ndarray) and callable(getattr(block, "compute", None)):
                block = block.compute()
        block = np.asarray(block)
        expected = tuple(s.stop - s.start for s in where)
        if block.shape != expected:
            raise ValueError(
                f"the source returned a block of shape {block.shape} for [{_text(where)}], "
                f"expected {expected}"
            )
        if block.dtype != self.dtype:
            block = block.astype(self.dtype)
        if self.writable:
            block = np.array(block, order="C", copy=True)
            # What the cell held when loaded, so that store() skips cells Java did not change.
            # Keyed by the block's address too, since a cell evicted while still held and then
            # loaded again has two copies; the key goes when the block does.
            key = (index, block.ctypes.data)
            self.digests[key] = _digest(block)
            weakref.finalize(block, self.digests.pop, key, None).atexit = False
        else:
            block = np.ascontiguousarray(block)
            if block.flags.writeable:
                block = block.view()
                block.flags.writeable = False
        return _imglyb.to_imglib(block)

    def store(self, index: int, pixels: Any) -> bool:
        view = _imglyb.to_numpy(pixels, copy=False)
        key = (index, view.ctypes.data)
        digest = _digest(view)
        if self.digests.get(key) == digest:
            return False  # unchanged since loaded or last written
        if self.is_dask:
            # A dask array keeps what it is given in its graph: give it a copy, not Java's live
            # cell; and no load may slice the array while its graph is being replaced.
            block = np.array(view)
            with self.lock:
                self.source[self.slices(index)] = block
        else:
            self.source[self.slices(index)] = view
        self.digests[key] = digest
        return True


_MAX_DIRECT_BLOCKS = 200_000


def _aligned(source: Any, cells: tuple[int, ...]) -> bool:
    """Whether a dask array's chunks are exactly ``cells`` (the last chunk per axis may be
    smaller), so that cell i is block i."""
    chunks = getattr(source, "chunks", None)
    if chunks is None or len(chunks) != len(cells) or not hasattr(source, "name"):
        return False
    for axis, c in zip(chunks, cells):
        if any(size != c for size in axis[:-1]) or not 0 < axis[-1] <= c:
            return False
    return True


def _digest(block: np.ndarray) -> bytes:
    """A 128-bit BLAKE2 digest of a C-contiguous block's bytes (hashlib releases the GIL)."""
    import hashlib  # here, not at import: it loads OpenSSL (3 ms of every start-up)

    data: Any = np.ascontiguousarray(block).view(np.uint8)  # a buffer, which NumPy's stubs do not say
    return hashlib.blake2b(data, digest_size=16).digest()


def _text(where: tuple[slice, ...]) -> str:
    return ", ".join(f"{s.start}:{s.stop}" for s in where)


def _native(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if not dt.isnative:
        dt = dt.newbyteorder("=")
    if dt not in _contract.CODES:
        raise TypeError(
            f"imglyb cannot make an ImgLib2 image of dtype {dt}: use bool, (u)int8 to (u)int64, "
            f"float32/64 or complex64/128 (for example source.astype(np.float32))"
        )
    return dt


def to_imglib(
    source: Any,
    chunks: Optional[Chunks] = None,
    cache_bytes: Optional[int] = None,
    writable: bool = False,
) -> Any:
    """A lazily loaded ImgLib2 cell image (``org.imglyb.cell.ChunkedImg``) over a chunked array.

    ``chunks`` (an int, or one size per NumPy axis) overrides the cells, which are otherwise the
    source's chunks (dask's ``chunksize``, zarr's and h5py's ``chunks``). At most ``cache_bytes``
    bytes of cells stay cached (default :func:`default_cache_bytes`). With ``writable=True``,
    Java may write the pixels, and each cell is written back into the source when it leaves the
    cache and on ``img.flush()``; the source must accept ``source[region] = block`` (a zarr
    array, an h5py dataset opened for writing, a NumPy-backed dask array).
    """
    if any(isinstance(s, float) and math.isnan(s) for s in source.shape):
        raise ValueError(
            f"the array's shape {tuple(source.shape)} has unknown sizes (a dask array after "
            "boolean indexing, say); call source.compute_chunk_sizes() first"
        )
    shape = tuple(int(s) for s in source.shape)
    dtype = _native(source.dtype)
    if len(shape) == 0:
        raise ValueError("imglyb cannot make an ImgLib2 image of a 0-dimensional array")
    if any(s == 0 for s in shape):
        raise ValueError(f"imglyb cannot load an empty array of shape {shape} lazily; use imglyb.to_imglib(np.asarray(source))")
    if len(shape) > _contract.MAX_DIMENSIONS:
        raise ValueError(f"imglyb images have at most {_contract.MAX_DIMENSIONS} dimensions, got {len(shape)}")
    cells = _cell_shape(shape, dtype, chunks, source)
    limit = default_cache_bytes() if cache_bytes is None else int(cache_bytes)
    if limit < 0:
        raise ValueError(f"cache_bytes must not be negative, got {limit}")
    if writable and not hasattr(type(source), "__setitem__"):
        raise TypeError(f"writable=True needs a source that takes source[region] = block; {type(source).__name__} does not")
    _jvm.ensure_jvm()
    loader = _imglyb.jproxy("org.imglyb.cell.ChunkedImg$Loader", _Cells(source, shape, cells, dtype, writable))
    factory = _imglyb.jimport("org.imglyb.cell.ChunkedImg")
    return factory.create(
        _imglyb.jarray("long", list(reversed(shape))),
        _imglyb.jarray("int", list(reversed(cells))),
        _contract.CODES[dtype],
        loader,
        limit,
        bool(writable),
    )


# ---------------------------------------------------------------------------------------------
# Java to Python


class ConvertedChunks:
    """An array-like whose reads go through ``convert`` (the original imglyb's
    ``chunk_as_array``)."""

    def __init__(self, source: Any, convert: Any) -> None:
        self.source = source
        self.convert = convert
        self.shape = tuple(source.shape)
        self.dtype = np.dtype(source.dtype)

    def __getitem__(self, key: Any) -> Any:
        return self.convert(self.source[key])


def _describe(img: Any) -> tuple[tuple[int, ...], np.dtype, list[int]]:
    """NumPy shape, dtype and the ImgLib2-order min of an image (an imglyb proxy)."""
    _jvm.ensure_jvm()
    if not isinstance(img, _imglyb.JavaObject):
        raise TypeError(f"expected a Java RandomAccessibleInterval, got {type(img).__name__}")
    shape = _imglyb.jimport("org.imglyb.Images").shape(img)
    dims = [int(d) for d in shape.dims]
    code = int(shape.code)
    # ARGB pixels read as uint32 (0xAARRGGBB), as imglyb.to_numpy gives them.
    dtype = _contract.DTYPES[code] if code in _contract.DTYPES else np.dtype(np.uint32)
    n = len(dims)
    mins = [int(img.min(d)) for d in range(n)]
    return tuple(reversed(dims)), dtype, mins


def _native_cells(img: Any) -> Optional[tuple[int, ...]]:
    """A cell image's cell shape in NumPy order, or None."""
    cell_img = _imglyb.jimport("net.imglib2.img.cell.AbstractCellImg")
    if not _imglyb.jinstance(img, cell_img):
        return None
    grid = img.getCellGrid()
    n = int(grid.numDimensions())
    return tuple(int(grid.cellDimension(d)) for d in reversed(range(n)))


class _Block:
    """Reads one region of a Java image into NumPy: a dask block function."""

    def __init__(self, img: Any, mins: list[int], dtype: np.dtype, cells: bool) -> None:
        self.img = img
        self.mins = mins
        self.dtype = dtype
        self.cells = cells
        self.views = _imglyb.jimport("net.imglib2.view.Views")
        self.images = _imglyb.jimport("org.imglyb.Images")

    def read(self, where: Sequence[tuple[int, int]], steps: Optional[Sequence[int]] = None) -> np.ndarray:
        """Pixels of NumPy region ``where`` (one (start, stop) per axis, relative to the image's
        min), every ``steps[axis]``-th from each start when given (``Views.subsample``, so that
        Java reads only those), a view where the region is one native cell, otherwise a copy."""
        n = len(where)
        if any(stop <= start for start, stop in where):
            steps_ = steps if steps is not None else [1] * n
            return np.empty(tuple(len(range(a, b, k)) for (a, b), k in zip(where, steps_)), dtype=self.dtype)
        lo = [self.mins[d] + where[n - 1 - d][0] for d in range(n)]
        hi = [self.mins[d] + where[n - 1 - d][1] - 1 for d in range(n)]
        jlo = _imglyb.jarray("long", lo)
        jhi = _imglyb.jarray("long", hi)
        if steps is not None and any(s != 1 for s in steps):
            region = self.views.zeroMin(self.views.interval(self.img, jlo, jhi))
            region = self.views.subsample(region, _imglyb.jarray("long", list(reversed(steps))))
            return _imglyb.to_numpy(region, copy=True)
        if self.cells:
            cell = self.images.cellView(self.img, jlo, jhi)
            if cell is not None:
                return _imglyb.to_numpy(cell)  # a view of native memory, one memcpy of a heap cell
            # Several cells: copied cell by cell, touching only the cells that hold the region.
            region = self.images.cellRegion(self.img, jlo, jhi)
            if region is not None:
                return _imglyb.to_numpy(region)
        region = self.views.interval(self.img, jlo, jhi)
        return _imglyb.to_numpy(region, copy=True)

    def __call__(self, block_info: Any = None) -> np.ndarray:
        where = block_info[None]["array-location"]
        return self.read([(int(a), int(b)) for a, b in where])


def to_dask(img: Any, chunks: Optional[Chunks] = None) -> Any:
    """A dask array of an ImgLib2 ``RandomAccessibleInterval`` (NumPy axis order), whose blocks
    Java fills when dask computes them.

    Blocks are the image's cells for a cell image (a ``CellImg``, a cached or lazily loaded one),
    unless ``chunks`` says otherwise (anything ``dask.array`` takes), and about 64 MiB pieces
    for anything else. A block that is exactly one cell in native memory (an
    ``imglyb.to_imglib`` chunked image's) is a read-only view of it; any other is one bulk copy
    by Java, never per pixel through Python. The image lives in this process, so compute with
    dask's threaded or synchronous scheduler, not with workers in other processes.
    """
    import dask.array as da

    from . import interop

    img = interop.as_imglyb(img)
    shape, dtype, mins = _describe(img)
    cells = _native_cells(img)
    wanted: Any = chunks if chunks is not None else cells if cells is not None else "auto"
    normalized = da.core.normalize_chunks(wanted, shape, dtype=dtype, limit=64 << 20)
    reader = _Block(img, mins, dtype, cells is not None)
    name = f"imglyb-to-dask-{id(reader):x}-{abs(hash(str(img))) & 0xFFFFFFFF:x}"
    return da.map_blocks(reader, dtype=dtype, chunks=normalized, name=name, meta=np.empty((0,) * len(shape), dtype=dtype))


class LazyArray:
    """An ImgLib2 image seen as a NumPy-like array that reads only what it is indexed with
    (:func:`lazy`). Axes are NumPy's: the last is ImgLib2's dimension 0."""

    def __init__(self, img: Any) -> None:
        from . import interop

        img = interop.as_imglyb(img)
        self._img = img
        self._shape, self._dtype, mins = _describe(img)
        cells = _native_cells(img)
        self._reader = _Block(img, mins, self._dtype, cells is not None)
        self._chunks = cells

    @property
    def image(self) -> Any:
        """The Java image."""
        return self._img

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.size * self._dtype.itemsize

    @property
    def chunks(self) -> Optional[tuple[int, ...]]:
        """The cell shape of a cell image (NumPy order), or None."""
        return self._chunks

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-dimensional image")
        return self._shape[0]

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return f"imglyb.LazyArray(shape={self._shape}, dtype={self._dtype}, image={self._img})"

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, tuple):
            key = (key,)
        if any(k is None for k in key):
            raise IndexError("imglyb.LazyArray does not take np.newaxis; index the NumPy result instead")
        if sum(1 for k in key if k is Ellipsis) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if any(k is Ellipsis for k in key):
            i = next(j for j, k in enumerate(key) if k is Ellipsis)
            fill = self.ndim - (len(key) - 1)
            key = key[:i] + (slice(None),) * fill + key[i + 1 :]
        if len(key) > self.ndim:
            raise IndexError(f"too many indices for an array of {self.ndim} dimensions")
        key = key + (slice(None),) * (self.ndim - len(key))
        where: list[tuple[int, int]] = []
        steps: list[int] = []
        after: list[Any] = []
        for axis, (k, extent) in enumerate(zip(key, self._shape)):
            if isinstance(k, slice):
                picked = range(*k.indices(extent))
                if len(picked) == 0:
                    where.append((0, 0))
                    steps.append(1)
                    after.append(slice(None))
                    continue
                # Java reads the smallest box holding the picked pixels, every |step|-th, from
                # the lowest; a negative step reverses the result.
                lo, hi = min(picked[0], picked[-1]), max(picked[0], picked[-1]) + 1
                where.append((lo, hi))
                steps.append(abs(picked.step))
                after.append(slice(None) if picked.step > 0 else slice(None, None, -1))
            elif isinstance(k, (bool, np.bool_)):
                raise IndexError("imglyb.LazyArray takes integers and slices, not booleans (NumPy would read them as masks)")
            elif isinstance(k, (int, np.integer)):
                i = int(k)
                if i < -extent or i >= extent:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {extent}")
                i %= extent
                where.append((i, i + 1))
                steps.append(1)
                after.append(0)
            else:
                raise IndexError(f"imglyb.LazyArray takes integers and slices, not {type(k).__name__}")
        block = self._reader.read(where, steps)
        return block[tuple(after)]

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        if copy is False:
            raise ValueError("imglyb.LazyArray reads through Java; it cannot be viewed without a copy")
        out = _imglyb.to_numpy(self._img, copy=True)
        return out if dtype is None else out.astype(dtype, copy=False)


def lazy(img: Any) -> LazyArray:
    """An ImgLib2 ``RandomAccessibleInterval`` as a NumPy-like array (``shape``, ``dtype``,
    ``ndim``, ``len``, iteration, ``__getitem__`` with integers and slices, ``numpy.asarray``)
    that reads through Java only the region it is indexed with; ``numpy.asarray`` copies the whole
    image (cell by cell for a cell image). ``dask.array.from_array(lazy(img))`` works too."""
    return LazyArray(img)
