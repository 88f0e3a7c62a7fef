"""Chunked arrays as lazily loaded ImgLib2 images, and Java images as dask arrays (docs/big-data.md).

Real dask, zarr and h5py from PyPI; the Java side reads through ImgLib2's own cursors and random
accesses (tests/java/imglyb/fixtures/Chunks.java).
"""

from __future__ import annotations

import gc
import os
import threading
import time
import weakref

import numpy as np
import pytest

import imglyb

from conftest import collect_until, imglib2_at_least, run_python

da = pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")
h5py = pytest.importorskip("h5py")


def J(name):
    return imglyb.jimport(name)


def chunks_fixture():
    return J("imglyb.fixtures.Chunks")


class Counting:
    """A chunked array-like over a NumPy array that counts (and can delay or fail) its reads."""

    def __init__(self, data, chunks, delay=0.0, fail_at=None):
        self.data = data
        self.shape = data.shape
        self.dtype = data.dtype
        self.chunks = chunks
        self.reads = []
        self.writes = []
        self.delay = delay
        self.fail_at = fail_at
        self.lock = threading.Lock()

    def __getitem__(self, key):
        with self.lock:
            self.reads.append(tuple((k.start, k.stop) for k in key))
        if self.delay:
            time.sleep(self.delay)
        if self.fail_at is not None and tuple(s.start for s in key) == self.fail_at:
            raise ZeroDivisionError(f"no block at {self.fail_at}")
        return self.data[key]

    def __setitem__(self, key, value):
        with self.lock:
            self.writes.append(tuple((k.start, k.stop) for k in key))
        self.data[key] = value


DTYPES = ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64", "complex64", "complex128"]


def random_array(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == bool:
        return rng.random(shape) > 0.5
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("seed", range(12))
def test_every_value_equals_the_source_at_the_reversed_index(seed):
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 5))
    shape = tuple(int(s) for s in rng.integers(1, 13, size=ndim))
    chunks = tuple(int(rng.integers(1, s + 3)) for s in shape)  # edge cells smaller, cells larger than the axis
    dtype = DTYPES[seed % len(DTYPES)]
    data = random_array(rng, shape, dtype)
    kind = ["dask", "zarr", "numpy", "duck"][seed % 4]
    if kind == "dask":
        source = da.from_array(data, chunks=chunks)
    elif kind == "zarr":
        source = zarr.zeros(shape, chunks=chunks, dtype=data.dtype)  # in memory; zarr 2 and 3
        source[...] = data
    elif kind == "numpy":
        source = data
    else:
        source = Counting(data, chunks)
    img = imglyb.to_imglib(source, chunks=chunks if kind == "numpy" else None)
    assert imglyb.jinstance(img, "org.imglyb.cell.ChunkedImg")
    assert [int(img.dimension(d)) for d in range(ndim)] == list(reversed(shape))
    # Whole image, copied cell by cell.
    np.testing.assert_array_equal(imglyb.to_numpy(img), data)
    # Single pixels through a Java random access, at the reversed index.
    if data.dtype.kind not in "cb" and data.dtype != np.uint64:  # 4.5's UnsignedLongType reads signed
        picks = [tuple(int(rng.integers(0, s)) for s in shape) for _ in range(20)]
        positions = imglyb.jarray("long", [p for pick in picks for p in reversed(pick)])
        got = np.asarray(chunks_fixture().readAt(img, positions))
        np.testing.assert_array_equal(got, np.array([data[p] for p in picks], dtype=np.float64))


def test_dask_zarr_and_h5py_sources_keep_their_chunks(tmp_path):
    data = np.arange(30 * 40, dtype=np.int16).reshape(30, 40)
    z = zarr.open_array(str(tmp_path / "a.zarr"), mode="w", shape=data.shape, chunks=(7, 9), dtype=data.dtype)
    z[...] = data
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f.create_dataset("x", data=data.astype(">f8"), chunks=(5, 6))  # big-endian on disk
        f.create_dataset("contiguous", data=data)
    h5 = h5py.File(tmp_path / "a.h5", "r")
    try:
        cases = [(da.from_array(data, chunks=(8, 11)), [11, 8]), (z, [9, 7]), (h5["x"], [6, 5])]
        for source, cells in cases:
            img = imglyb.to_imglib(source)
            grid = img.getCellGrid()
            assert [int(grid.cellDimension(d)) for d in range(2)] == cells
            np.testing.assert_array_equal(imglyb.to_numpy(img), data)
        contiguous = imglyb.to_imglib(h5["contiguous"])  # no chunks: cells of whole rows
        np.testing.assert_array_equal(imglyb.to_numpy(contiguous), data)
        assert imglyb.to_numpy(imglyb.to_imglib(h5["x"])).dtype == np.float64
    finally:
        h5.close()


def test_nothing_is_read_until_java_touches_a_cell_and_each_cell_once():
    data = np.arange(20 * 30, dtype=np.float32).reshape(20, 30)
    source = Counting(data, (10, 10))
    img = imglyb.to_imglib(source)
    assert source.reads == [] and int(img.loads()) == 0
    ra = img.randomAccess()  # ImgLib2's CellRandomAccess starts in the cell at the origin
    ra.setPosition(imglyb.jarray("long", [25, 3]))  # x=25, y=3: the cell of rows 0:10, columns 20:30
    assert ra.get().get() == data[3, 25]
    assert source.reads[-1] == ((0, 10), (20, 30))
    assert set(source.reads) <= {((0, 10), (20, 30)), ((0, 10), (0, 10))}
    np.testing.assert_array_equal(imglyb.to_numpy(img), data)
    assert len(source.reads) == 6 and int(img.loads()) == 6  # every cell once, none again


def test_the_cache_is_bounded_in_bytes_and_each_cell_loads_once_per_copy():
    data = np.arange(64 * 64, dtype=np.float64).reshape(64, 64)
    source = Counting(data, (8, 8))  # 64 cells of 512 bytes
    img = imglyb.to_imglib(source, cache_bytes=4 * 512)
    np.testing.assert_array_equal(imglyb.to_numpy(img), data)
    assert int(img.loads()) == 64 and len(source.reads) == 64
    assert int(img.cachedBytes()) <= 4 * 512 and int(img.cachedCells()) == 4
    assert int(img.evictions()) == 60
    assert chunks_fixture().sum(img) == data.sum()  # a cursor sweep in cell order: each cell once more
    assert 124 <= int(img.loads()) <= 128 and int(img.cachedBytes()) <= 4 * 512


def test_eight_java_threads_asking_for_one_cell_compute_it_once():
    data = np.arange(100, dtype=np.int32).reshape(10, 10)
    source = Counting(data, (5, 5), delay=0.3)
    img = imglyb.to_imglib(source)
    img.setReadAhead(0)  # only the cells asked for, so that the counts below are exact
    values = chunks_fixture().readTogether(img, imglyb.jarray("long", [7, 2]), 8)
    assert list(values) == [float(data[2, 7])] * 8
    # Each thread's random access starts in the origin's cell; the asked-for cell is read once.
    assert source.reads.count(((0, 5), (5, 10))) == 1
    assert int(img.loads()) == len(set(source.reads)) == len(source.reads)


def test_a_failing_cell_names_its_position_carries_the_traceback_and_is_retried():
    data = np.arange(12 * 12, dtype=np.uint16).reshape(12, 12)
    source = Counting(data, (4, 6), fail_at=(4, 6))  # rows 4:8, columns 6:12: grid position [1, 1]
    img = imglyb.to_imglib(source)
    ra = img.randomAccess()
    with pytest.raises(imglyb.JavaException) as info:
        ra.setPosition(imglyb.jarray("long", [7, 5]))  # moving into a cell loads it
        ra.get().get()
    text = str(info.value)
    assert "grid position [1, 1]" in text and "NumPy block [4:8, 6:12]" in text
    assert "ZeroDivisionError" in text and "no block at (4, 6)" in text
    assert "org.imglyb.cell.ChunkedImg$CellException" in info.value.java_class
    assert int(img.failures()) == 1 and not img.isCached(3)
    # The failure was not cached: the same access, once the source is fixed, loads the cell.
    # (A random access that threw is left between cells by ImgLib2: take a new one.)
    source.fail_at = None
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [7, 5]))
    assert ra.get().get() == data[5, 7]
    # ImgLib2 4.5's random accesses also load the origin's cell when they are made; 8.x's do not.
    assert int(img.loads()) == len(set(source.reads)) and img.isCached(3)
    # Threads waiting on a failing load share its failure instead of each loading again in turn;
    # the next access tries again.
    source.fail_at, source.delay = (8, 0), 0.5
    before = len(source.reads)
    with pytest.raises(imglyb.JavaException, match="grid position \\[0, 2\\]"):
        chunks_fixture().readTogether(img, imglyb.jarray("long", [1, 9]), 4)
    assert 1 <= source.reads[before:].count(((8, 12), (0, 6))) < 4 and not img.isCached(4)
    source.fail_at, source.delay = None, 0.0
    assert list(chunks_fixture().readTogether(img, imglyb.jarray("long", [1, 9]), 4)) == [float(data[9, 1])] * 4


def test_cells_are_read_only_by_default_and_the_source_is_untouched():
    data = np.arange(36, dtype=np.float32).reshape(6, 6)
    img = imglyb.to_imglib(da.from_array(data, chunks=3))
    with pytest.raises(imglyb.JavaException, match="read-only"):
        chunks_fixture().fillIndex(img, 100.0)
    np.testing.assert_array_equal(data, np.arange(36, dtype=np.float32).reshape(6, 6))
    with pytest.raises(TypeError, match="chunked sources"):
        imglyb.to_imglib(data, writable=True)


def test_writable_zarr_is_written_back_on_eviction_and_on_flush(tmp_path):
    z = zarr.open_array(str(tmp_path / "w.zarr"), mode="w", shape=(20, 30), chunks=(5, 10), dtype="f4")
    z[...] = -1
    img = imglyb.to_imglib(z, writable=True, cache_bytes=2 * 5 * 10 * 4)  # two cells stay cached
    assert img.writable()
    chunks_fixture().fillIndex(img, 0.5)  # flat order crosses cells: each is loaded and evicted more than once
    expected = np.arange(600, dtype=np.float32).reshape(20, 30) + 0.5
    assert int(img.stores()) > 0
    written = z[...]
    cached = [bool(img.isCachedAt(imglyb.jarray("long", [x, y]))) for y in range(0, 20, 5) for x in range(0, 30, 10)]
    assert sum(cached) == 2
    # Cells that left the cache are in zarr already; the cached ones only after flush().
    assert np.array_equal(written, expected) or not all(cached)
    assert int(img.flush()) >= 2
    np.testing.assert_array_equal(z[...], expected)


def test_writable_images_write_back_only_the_cells_java_changed():
    data = np.arange(12 * 20, dtype=np.int16).reshape(12, 20)
    source = Counting(data.copy(), (4, 5))          # a 3 x 4 grid of cells
    img = imglyb.to_imglib(source, writable=True, cache_bytes=2 * 4 * 5 * 2)  # two cells cached
    img.setReadAhead(0)
    assert chunks_fixture().sum(img) == data.sum()  # every cell loaded, most evicted
    assert int(img.evictions()) >= 10
    assert int(img.flush()) == 0 and source.writes == [] and int(img.stores()) == 0
    # One pixel in one cell (ImgLib2 x=7, y=5: NumPy [5, 7], cell rows 4:8, columns 5:10).
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [7, 5]))
    ra.get().set(-3)
    assert int(img.flush()) == 1 and source.writes == [((4, 8), (5, 10))]
    assert source.data[5, 7] == -3 and int(img.stores()) == 1
    assert int(img.flush()) == 0                    # written already: unchanged since
    # Changed again, then evicted by a sweep: written once, on the way out.
    ra.get().set(-4)
    del ra
    chunks_fixture().sum(img)
    assert source.writes == [((4, 8), (5, 10))] * 2 and source.data[5, 7] == -4
    assert int(img.flush()) == 0
    expected = data.copy()
    expected[5, 7] = -4
    np.testing.assert_array_equal(source.data, expected)


def test_a_cell_written_after_it_left_the_cache_is_flushed_even_after_collections():
    source = Counting(np.zeros((4, 8), dtype=np.int32), (4, 4))   # two cells side by side
    img = imglyb.to_imglib(source, writable=True, cache_bytes=4 * 4 * 4)  # one cell cached
    img.setReadAhead(0)
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [1, 2]))  # NumPy [2, 1], in cell 0
    ra.get().set(7)
    other = img.randomAccess()
    other.setPosition(imglyb.jarray("long", [5, 0]))
    other.get().get()                              # cell 1 loaded: cell 0 leaves the cache
    assert int(img.evictions()) >= 1 and not img.isCached(0)
    assert source.data[2, 1] == 7                  # written back on the way out
    System = J("java.lang.System")
    for _ in range(5):
        gc.collect()
        System.gc()
        time.sleep(0.02)
    ra.get().set(9)                                # ra still holds cell 0: a write after it left
    assert int(img.flush()) >= 1
    assert source.data[2, 1] == 9
    assert [w for w in source.writes if w == ((0, 4), (0, 4))] == [((0, 4), (0, 4))] * 2


class RefusingWrites(Counting):
    refuse = True

    def __setitem__(self, key, value):
        if self.refuse:
            raise OSError("the disk is full")
        super().__setitem__(key, value)


def test_a_failed_write_back_on_eviction_keeps_the_cell_for_flush_and_the_cache_bounded():
    source = RefusingWrites(np.zeros((4, 12), dtype=np.int32), (4, 4))   # three cells
    img = imglyb.to_imglib(source, writable=True, cache_bytes=4 * 4 * 4)  # one cell cached
    img.setReadAhead(0)
    chunks_fixture().fillIndex(img, 0.0)  # every cell written; two leave the cache, unwritten
    assert int(img.cachedCells()) == 1 and int(img.cachedBytes()) <= 64
    assert int(img.unwrittenCells()) >= 2
    assert "writing back" in str(img.lastWriteError()) and "the disk is full" in str(img.lastWriteError())
    assert source.data.sum() == 0                  # nothing reached the source
    with pytest.raises(imglyb.JavaException, match="writing back"):
        img.flush()                                # tries every cell, keeps them, throws
    assert int(img.unwrittenCells()) >= 2
    source.refuse = False
    assert int(img.flush()) == 3
    assert int(img.unwrittenCells()) == 0
    np.testing.assert_array_equal(source.data, np.arange(48, dtype=np.int32).reshape(4, 12))


def test_writable_in_memory_dask_array_sees_java_writes_after_flush():
    base = np.zeros((8, 8), dtype=np.int32)
    x = da.from_array(base, chunks=4)
    img = imglyb.to_imglib(x, writable=True)
    chunks_fixture().fillIndex(img, 0)
    assert int(x.sum().compute()) == 0  # nothing written back yet: all four cells are cached
    assert int(img.flush()) == 4
    np.testing.assert_array_equal(x.compute(), np.arange(64, dtype=np.int32).reshape(8, 8))


def test_the_source_lives_while_java_can_reach_the_image_and_is_freed_after():
    data = np.arange(400, dtype=np.float32).reshape(20, 20)
    source = Counting(data, (10, 10))
    ref = weakref.ref(source)
    img = imglyb.to_imglib(source)
    del source
    for _ in range(3):
        gc.collect()
        J("java.lang.System").gc()
    assert ref() is not None
    np.testing.assert_array_equal(imglyb.to_numpy(img), data)
    del img
    assert collect_until(lambda: ref() is None), "the source was not freed after both sides dropped it"


def test_bad_sources_and_chunks_are_clear_errors():
    with pytest.raises(ValueError, match="do not match"):
        imglyb.to_imglib(da.zeros((4, 4), chunks=2), chunks=(2, 2, 2))
    with pytest.raises(ValueError, match="positive"):
        imglyb.to_imglib(np.zeros((4, 4)), chunks=0)
    with pytest.raises(TypeError, match="float16"):
        imglyb.to_imglib(da.zeros((4, 4), chunks=2, dtype=np.float16))
    with pytest.raises(ValueError, match="empty"):
        imglyb.to_imglib(da.zeros((0, 4), chunks=2))
    wrong = type("Wrong", (Counting,), {"__getitem__": lambda self, key: np.zeros((1, 1), np.float32)})(np.zeros((4, 4), np.float32), (2, 2))
    with pytest.raises(imglyb.JavaException, match="shape \\(1, 1\\)"):
        imglyb.to_numpy(imglyb.to_imglib(wrong))
    unknown = da.from_array(np.arange(8), chunks=4)
    unknown = unknown[unknown > 2]                   # sizes known only after computing
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        imglyb.to_imglib(unknown)
    with pytest.raises(ValueError, match="at least one cell"):
        imglyb.as_cell_img(np.zeros((4, 4)), (2, 2), 0)


@pytest.mark.parametrize("text", ["inf", "nan", "12q", "-1g"])
def test_a_bad_cache_size_in_the_environment_is_a_value_error(monkeypatch, text):
    from imglyb import chunked

    monkeypatch.setenv("IMGLYB_CACHE_BYTES", text)
    with pytest.raises(ValueError, match="IMGLYB_CACHE_BYTES"):
        chunked.default_cache_bytes()


def test_lazy_and_to_dask_read_argb_pixels_as_uint32():
    packed = np.array([[0xFF102030, 0x80405060], [0x00000001, 0xFFFFFFFF]], dtype=np.uint32)
    img = imglyb.to_imglib_argb(packed)
    a = imglyb.lazy(img)
    assert a.dtype == np.uint32
    np.testing.assert_array_equal(a[:, ::-1], packed[:, ::-1])
    np.testing.assert_array_equal(imglyb.to_dask(img).compute(), packed)


def test_a_distributed_local_cluster_computes_the_cells_on_its_workers():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            x = da.random.default_rng(7).random((40, 40), chunks=(10, 20))
            expected = x.compute()
            img = imglyb.to_imglib(x)
            with distributed.get_task_stream(client) as stream:
                got = imglyb.to_numpy(img)
            np.testing.assert_array_equal(got, expected)
            ran_on = {task["worker"] for task in stream.data}
            assert ran_on and ran_on <= set(cluster.workers[w].address for w in cluster.workers)
            assert int(img.loads()) == 8


# ------------------------------------------------------------------------------------------------
# Java to Python


def java_images():
    ArrayImgs = J("net.imglib2.img.array.ArrayImgs")
    CellImgFactory = J("net.imglib2.img.cell.CellImgFactory")
    FloatType = J("net.imglib2.type.numeric.real.FloatType")
    Views = J("net.imglib2.view.Views")
    arr = ArrayImgs.floats(imglyb.jarray("long", [13, 7, 5]))
    chunks_fixture().fillIndex(arr, 0)
    try:
        cell = CellImgFactory(FloatType(), imglyb.jarray("int", [4, 3, 2])).create(imglyb.jarray("long", [13, 7, 5]))
    except (TypeError, imglyb.JavaException):  # ImgLib2 4.5: the factory takes the cell size, create the type
        cell = CellImgFactory(imglyb.jarray("int", [4, 3, 2])).create(imglyb.jarray("long", [13, 7, 5]), FloatType())
    chunks_fixture().fillIndex(cell, 0)
    rotated = Views.rotate(arr, 0, 1)
    lazy_source = np.arange(13 * 7 * 5, dtype=np.float32).reshape(5, 7, 13)
    lazy = imglyb.to_imglib(da.from_array(lazy_source, chunks=(2, 3, 4)))
    flat = np.arange(13 * 7 * 5, dtype=np.float32).reshape(5, 7, 13)
    return {
        "ArrayImg": (arr, flat, None),
        "CellImg": (cell, flat, (2, 3, 4)),
        "Views.rotate": (rotated, imglyb.to_numpy(rotated), None),
        "ChunkedImg": (lazy, lazy_source, (2, 3, 4)),
    }


@pytest.mark.parametrize("which", ["ArrayImg", "CellImg", "Views.rotate", "ChunkedImg"])
def test_to_dask_round_trips(which):
    img, expected, cells = java_images()[which]
    x = imglyb.to_dask(img)
    assert x.shape == expected.shape and x.dtype == np.float32
    if cells is not None:
        assert x.chunksize == cells
    np.testing.assert_array_equal(x.compute(scheduler="threads"), expected)
    assert float(x.sum().compute()) == float(expected.sum())
    np.testing.assert_array_equal(x[1:4, ::2, 3].compute(), expected[1:4, ::2, 3])
    y = imglyb.to_dask(img, chunks=(5, 4, 6))
    np.testing.assert_array_equal(y.compute(), expected)
    # Back to Java: lazily, through the dask array.
    np.testing.assert_array_equal(imglyb.to_numpy(imglyb.to_imglib(x)), expected)


def test_to_dask_of_an_imglib2_cache_cached_cell_img():
    """Fiji's cached images (imglib2-cache's CachedCellImg, loaded by a CellLoader). imglib2-cache
    is not on Maven Central, so this runs only where the classpath has it (checked by hand with
    imglib2-cache 1.0.0-beta-20 built from its public sources on ImgLib2 8.0.1)."""
    try:
        Factory = J("net.imglib2.cache.img.ReadOnlyCachedCellImgFactory")
        Options = J("net.imglib2.cache.img.ReadOnlyCachedCellImgOptions")
    except imglyb.JavaException:
        pytest.skip("imglib2-cache is not on the classpath (it is not on Maven Central)")
    dims = [13, 7, 5]
    loads = []

    def load(cell):
        loads.append(1)
        chunks_fixture().fillGlobalIndex(cell, imglyb.jarray("long", dims))

    loader = imglyb.jproxy("net.imglib2.cache.img.CellLoader", load)
    options = Options.options().cellDimensions(imglyb.jarray("int", [4, 3, 2]))
    img = Factory(options).create(imglyb.jarray("long", dims), J("net.imglib2.type.numeric.real.FloatType")(), loader)
    expected = np.arange(13 * 7 * 5, dtype=np.float32).reshape(5, 7, 13)
    x = imglyb.to_dask(img)
    assert x.chunksize == (2, 3, 4) and not loads    # nothing loaded until dask computes
    np.testing.assert_array_equal(x[1:3, 2:5, 4:9].compute(), expected[1:3, 2:5, 4:9])
    assert 0 < len(loads) < 4 * 3 * 3                  # the blocks asked for, not the image
    np.testing.assert_array_equal(x.compute(scheduler="threads"), expected)
    np.testing.assert_array_equal(imglyb.to_numpy(img), expected)
    np.testing.assert_array_equal(np.asarray(imglyb.lazy(img)[2, ::-1]), expected[2, ::-1])


def test_to_dask_blocks_of_native_cells_are_views_of_the_cells():
    source = np.arange(64, dtype=np.uint8).reshape(8, 8)
    img = imglyb.to_imglib(da.from_array(source, chunks=4))
    x = imglyb.to_dask(img)
    blocks = x.to_delayed()  # the block function's own results, before dask assembles them
    block = blocks[1, 0].compute(scheduler="sync")
    np.testing.assert_array_equal(block, source[4:8, 0:4])
    assert not block.flags.writeable
    again = blocks[1, 0].compute(scheduler="sync")
    assert np.shares_memory(block, again)  # both view the cached cell's memory


@pytest.mark.parametrize("which", ["ArrayImg", "CellImg", "Views.rotate", "ChunkedImg"])
def test_lazy_reads_just_the_region_it_is_indexed_with(which):
    img, expected, _ = java_images()[which]
    a = imglyb.lazy(img)
    assert a.shape == expected.shape and a.dtype == expected.dtype and a.ndim == 3 and len(a) == 5
    for key in [2, (1, 2), (slice(1, 4), slice(None), 3), (Ellipsis, -1), (slice(None, None, -2), 3, slice(2, 11, 3)),
                (slice(4, 1, -1),), (slice(3, 3),), (-1, Ellipsis, slice(None, None, 5))]:
        np.testing.assert_array_equal(a[key], expected[key], err_msg=str(key))
    np.testing.assert_array_equal(np.asarray(a), expected)
    np.testing.assert_array_equal(np.stack(list(a)), expected)
    np.testing.assert_array_equal(da.from_array(a, chunks=(2, 7, 13)).compute(), expected)
    assert imglyb.jinstance(imglyb.to_imglib(a), "net.imglib2.RandomAccessibleInterval")
    assert imglyb.to_imglib(a).equals(img)          # the image it reads, not a copy of it
    with pytest.raises(IndexError):
        a[5]
    with pytest.raises(IndexError):
        a[0, 0, 0, 0]


def test_lazy_steps_read_only_the_pixels_they_pick():
    # A 100000 x 100000 float32 view (40 GB) of a small image extended by zeros: a stepped index
    # reads the picked pixels through Views.subsample, never the span between them.
    Views = J("net.imglib2.view.Views")
    small = np.arange(30 * 20, dtype=np.float32).reshape(30, 20) + 1
    big = Views.interval(Views.extendZero(imglyb.to_imglib(small)),
                         imglyb.jarray("long", [0, 0]), imglyb.jarray("long", [99_999, 99_999]))
    a = imglyb.lazy(big)
    assert a.shape == (100_000, 100_000)

    def expected(rows, cols):
        return np.array([[small[r, c] if r < 30 and c < 20 else 0 for c in cols] for r in rows], np.float32)

    for key in [(slice(1, None, 7000), slice(None, 40, 2)),
                (slice(25, None, -4), slice(99_999, 0, -33_333)),
                (slice(None, None, 50_000), 3),
                (7, slice(None, None, -25_000))]:
        got = a[key]
        rows = range(100_000)[key[0]] if isinstance(key[0], slice) else [key[0]]
        cols = range(100_000)[key[1]] if isinstance(key[1], slice) else [key[1]]
        want = expected(rows, cols).reshape(got.shape)
        assert got.shape == tuple(len(r) for r, k in ((rows, key[0]), (cols, key[1])) if isinstance(k, slice))
        np.testing.assert_array_equal(got, want, err_msg=str(key))


def test_lazy_indexing_agrees_with_numpy_on_random_keys():
    rng = np.random.default_rng(7)
    data = rng.integers(0, 1000, (9, 11, 6)).astype(np.int32)
    a = imglyb.lazy(imglyb.to_imglib(da.from_array(data, chunks=(4, 5, 3))))
    for _ in range(150):
        key = []
        for extent in data.shape:
            if rng.random() < 0.25:
                key.append(int(rng.integers(-extent, extent)))
            else:
                bounds = [None if rng.random() < 0.3 else int(rng.integers(-extent - 2, extent + 3)) for _ in range(2)]
                step = int(rng.choice([-5, -3, -2, -1, 1, 2, 3, 7]))
                key.append(slice(bounds[0], bounds[1], step))
        np.testing.assert_array_equal(a[tuple(key)], data[tuple(key)], err_msg=str(key))
    with pytest.raises(IndexError, match="booleans"):
        a[True]
    with pytest.raises(IndexError, match="booleans"):
        a[0, np.bool_(False)]


def test_lazy_reads_only_the_cells_the_region_touches():
    data = np.arange(40 * 40, dtype=np.int64).reshape(40, 40)
    source = Counting(data, (10, 10))
    a = imglyb.lazy(imglyb.to_imglib(source))
    np.testing.assert_array_equal(a[12:18, 31:33], data[12:18, 31:33])
    # ImgLib2 4.5's cell random accesses start in the origin's cell, which is then kept warm.
    assert source.reads.count(((10, 20), (30, 40))) == 1
    assert set(source.reads) <= {((10, 20), (30, 40)), ((0, 10), (0, 10))}
    np.testing.assert_array_equal(a[0:2, 0:3], data[0:2, 0:3])
    assert len(source.reads) == 2


def test_volatile_view_is_invalid_until_loaded_in_the_background():
    data = np.arange(100, dtype=np.float32).reshape(10, 10)
    source = Counting(data, (5, 5), delay=0.2)
    img = imglyb.to_imglib(source)
    if not imglib2_at_least(5):
        with pytest.raises(imglyb.JavaException, match="volatile pixel types need"):
            img.volatileView()
        return
    view = img.volatileView()
    ra = view.randomAccess()
    ra.setPosition(imglyb.jarray("long", [6, 1]))
    first = ra.get()
    assert not first.isValid()  # rendering does not wait for Python
    deadline = time.time() + 10
    while not img.isCachedAt(imglyb.jarray("long", [6, 1])) and time.time() < deadline:
        time.sleep(0.05)
    ra = view.randomAccess()
    ra.setPosition(imglyb.jarray("long", [6, 1]))
    pixel = ra.get()
    assert pixel.isValid() and pixel.getRealDouble() == data[1, 6]
    assert len(source.reads) == 1


def test_a_memmap_larger_than_ram_is_shared_and_a_sweep_keeps_resident_memory_bounded(tmp_path):
    path = tmp_path / "big.raw"
    result = run_python(
        f"""
        import numpy as np, os, imglyb
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        size = max(40 << 30, int(total * 1.6))         # a sparse file larger than this machine's RAM
        shape = (size // (4 * 4096 * 4096) + 1, 4096, 4096)
        m = np.memmap({str(path)!r}, dtype=np.float32, mode="w+", shape=shape)
        assert m.nbytes > total
        picks = [(0, 0, 0), (shape[0] - 1, 4095, 4095), (shape[0] // 2, 17, 4000), (shape[0] // 3, 2048, 1)]
        for i, p in enumerate(picks):
            m[p] = i + 1.5
        img = imglyb.to_imglib(m)
        assert np.shares_memory(imglyb.to_numpy(img), m)
        C = imglyb.jimport("imglyb.fixtures.Chunks")
        got = C.readAt(img, imglyb.jarray("long", [c for p in picks for c in reversed(p)]))
        assert list(got) == [i + 1.5 for i in range(len(picks))], list(got)
        def rss():
            with open("/proc/self/status") as f:
                return next(int(l.split()[1]) << 10 for l in f if l.startswith("VmRSS"))
        before = rss()
        Views = imglyb.jimport("net.imglib2.view.Views")
        z = shape[0] // 2
        region = Views.interval(img, imglyb.jarray("long", [0, 0, z]), imglyb.jarray("long", [4095, 4095, z + 15]))  # 1 GiB
        s = C.sum(region)                               # only picks[2] lies in the region
        assert s == 3.5, s
        grown = rss() - before
        assert grown < (1 << 30) + (512 << 20), grown
        print("ok", m.nbytes >> 30, "GiB", grown >> 20, "MiB")
        """,
        env={"IMGLYB_CLASSPATH": os.pathsep.join(filter(None, [os.environ.get("IMGLYB_CLASSPATH", ""), FIXTURES[0]]))},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok"), result.stdout


FIXTURES: list = []


@pytest.fixture(autouse=True)
def _fixture_path(fixture_classes):
    FIXTURES[:] = [fixture_classes]


def test_lazy_reads_of_a_region_over_several_cells_load_only_those_cells():
    """imglyb.lazy(img)[region] of a cell image copies cell by cell (Images.cellRegion): on
    ImgLib2 4.5 as on 8, no other cell is computed (4.5's pixel access would load the first
    cell as it is made)."""
    computed = []

    def block(block_info=None):
        (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
        computed.append((z0, y0, x0))
        z, y, x = np.ogrid[z0:z1, y0:y1, x0:x1]
        return (1000 * z + 10 * y + x).astype(np.float64)

    volume = da.map_blocks(block, dtype=np.float64, chunks=((2,) * 6, (8, 8, 8), (10, 10)), meta=np.empty((0, 0, 0)))
    img = imglyb.to_imglib(volume)
    img.setReadAhead(0)
    plane = imglyb.lazy(img)[7, 4:20, 3:17]                  # plane 7: cells (6, 0..16, 0..10)
    z, y, x = np.ogrid[7:8, 4:20, 3:17]
    np.testing.assert_array_equal(plane, (1000 * z + 10 * y + x)[0])
    assert sorted(set(computed)) == [(6, 0, 0), (6, 0, 10), (6, 8, 0), (6, 8, 10), (6, 16, 0), (6, 16, 10)]
