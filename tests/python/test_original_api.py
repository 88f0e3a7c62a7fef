"""The original imglyb 2.x's Python names that code and its own tests use: imglyb.imglib_ndarray
(NumpyView, ImgLibReferenceGuard), imglyb.util's classes, and its other modules (accesses,
caches, reference_store, ndarray_like_as_img). (imglyb 2.1.0's own test suite runs
in ci/test against this imglyb too: ci/original-tests.)"""

from __future__ import annotations

import numpy as np
import pytest

import imglyb
import imglyb.util
from imglyb import _contract
from imglyb.imglib_ndarray import ImgLibReferenceGuard, NumpyView


def J(name):
    return imglyb.jimport(name)


def heap_bytes(*dims):
    img = J("net.imglib2.img.array.ArrayImgs").unsignedBytes(imglyb.jarray("long", list(dims)))
    c, v = img.cursor(), 1
    while c.hasNext():
        c.next().set(v)
        v += 1
    return img


def java_get(img, *pos):
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", list(pos)))
    return ra.get().get()


def test_numpy_view_of_a_heap_image_reads_and_writes_java_both_ways():
    img = heap_bytes(4, 3, 2)                      # ImgLib2 x=4, y=3, z=2: NumPy (2, 3, 4)
    view = NumpyView(img)
    assert isinstance(view, np.ndarray) and view.shape == (2, 3, 4) and view.dtype == np.uint8
    assert view.size == 24 and len(view) == 2
    expected = np.arange(1, 25, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(view, expected)
    assert view[1, 2, 3] == 24 and view[1, 2, 3] == java_get(img, 3, 2, 1)
    # Java writes, the view reads them at once.
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [1, 1, 1]))
    ra.get().set(100)
    assert view[1, 1, 1] == 100
    assert int(view.sum()) == int(expected.sum()) - int(expected[1, 1, 1]) + 100   # a ufunc reads Java
    assert np.max(view) == 100                                                  # and so does np.*
    # The view writes, Java reads it: one pixel, a row, a plane.
    view[0, 0, 0] = 200
    assert java_get(img, 0, 0, 0) == 200
    view[0, 2] = [9, 8, 7, 6]
    assert [java_get(img, x, 2, 0) for x in range(4)] == [9, 8, 7, 6]
    view[1] = 0
    assert all(java_get(img, x, y, 1) == 0 for x in range(4) for y in range(3))
    # Integer indices are hyperslices, still views of Java's pixels.
    plane = view[0]
    assert isinstance(plane, NumpyView) and plane.shape == (3, 4)
    ra.setPosition(imglyb.jarray("long", [2, 1, 0]))
    ra.get().set(55)
    assert plane[1, 2] == 55
    # Writes that would reach only NumPy's buffer are refused, never lost.
    with pytest.raises(ValueError):
        view.fill(3)
    assert java_get(img, 3, 0, 0) == 4
    assert "55" in repr(plane) and "55" in str(plane)


def test_numpy_view_assignments_check_bounds_and_take_ellipsis():
    img = heap_bytes(4, 3, 2)                      # NumPy (2, 3, 4)
    view = NumpyView(img)
    with pytest.raises(IndexError, match="out of bounds"):
        view[5, 0] = 1
    with pytest.raises(IndexError, match="out of bounds"):
        view[0, -4] = 1
    with pytest.raises(IndexError, match="too many"):
        view[0, 0, 0, 0] = 1
    view[1, 2, ...] = 77                           # a row, through '...'
    assert [java_get(img, x, 2, 1) for x in range(4)] == [77] * 4
    view[..., 3] = [5, 6, 7]                       # an integer last: the value is NumPy-shaped (2, 3)
    assert [java_get(img, 3, y, 0) for y in range(3)] == [5, 6, 7]
    assert [java_get(img, 3, y, 1) for y in range(3)] == [5, 6, 7]
    view[-1, -1, -1] = 9
    assert java_get(img, 3, 2, 1) == 9
    np.testing.assert_array_equal(view[0, :, 3], [5, 6, 7])


def test_numpy_view_all_and_any_follow_java():
    img = heap_bytes(2, 2)
    view = NumpyView(img)
    assert view.all() and np.all(view) and view.any() and np.any(view)
    c = img.cursor()
    c.next().set(0)
    assert not view.all() and not np.all(view) and view.any()
    while c.hasNext():
        c.next().set(0)
    assert not view.any() and not np.any(view)


def test_numpy_view_of_shared_memory_is_that_memory():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    view = NumpyView(imglyb.to_imglib(arr))
    assert np.shares_memory(view, arr)
    view[1, 2] = -1.0
    assert arr[1, 2] == -1.0
    view.fill(2.0)                                  # a NumPy method writes the image's memory
    assert (arr == 2.0).all()
    guard = ImgLibReferenceGuard(imglyb.to_imglib(arr))
    assert np.shares_memory(guard, arr) and guard.flags.writeable
    assert imglyb.jinstance(guard.rai, "net.imglib2.RandomAccessibleInterval")
    assert isinstance(guard[1:], ImgLibReferenceGuard) and guard[1:].rai is guard.rai


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="copy=True"):
        ImgLibReferenceGuard(heap_bytes(2, 2))       # no native memory to view
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        NumpyView(J("java.util.ArrayList")())
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        NumpyView(np.zeros(3))
    view = NumpyView(heap_bytes(3, 2))
    with pytest.raises(ValueError):
        view[0] = [1, 2]                             # three pixels, two values: NumPy's broadcast error
    assert view[0, 0] == 1                           # nothing written
    with pytest.raises(IndexError):
        view[5, 0] = 1
    with pytest.raises(imglyb.JavaException, match="dimensions"):
        J("org.imglyb.Images").copyInto(imglyb.to_imglib(np.zeros(3, np.uint8)), heap_bytes(2, 2))


def test_util_has_the_original_classes_and_names_what_replaced_its_helpers():
    arr = np.arange(6, dtype=np.int64).reshape(2, 3)
    flat = imglyb.util.Views.flatIterable(imglyb.to_imglib(arr))
    c, seen = flat.cursor(), []
    while c.hasNext():
        seen.append(c.next().get())
    assert seen == list(range(6))
    assert imglyb.util.Random(42).nextInt(10) == J("java.util.Random")(42).nextInt(10)
    with pytest.raises(AttributeError, match="imglyb.to_imglib"):
        imglyb.util.NumpyToImgLibConversions
    with pytest.raises(AttributeError, match="no attribute"):
        imglyb.util.NoSuchThing


@pytest.mark.parametrize("dtype", sorted(dt.name for dt in _contract.STORAGE))
@pytest.mark.parametrize("volatile", [False, True])
def test_as_array_access_copies_values_in_c_order_into_imglib2s_access(dtype, volatile):
    """imglyb.accesses.as_array_access (2.x): a Java array access of the dtype's storage holding
    a copy of the array, read back through an ImgLib2 image of the dtype's own pixel type;
    unsigned values keep their bits, complex values their two parts."""
    from imglyb import accesses

    dt = np.dtype(dtype)
    values = np.array([0, 1, 2, 3, 4, 5]).astype(dt)
    if dt.kind in "iu":
        values[0], values[5] = np.iinfo(dt).min, np.iinfo(dt).max
    if dt.kind == "c":
        values = (values + 1j * np.arange(10, 16)).astype(dt)
    arr = values.reshape(2, 3).T                      # not C-contiguous: copied in C order of .T
    access = accesses.as_array_access(arr, volatile=volatile)
    primitive, per_pixel = _contract.STORAGE[dt]
    where = "volatiles.array.Volatile" if volatile else "array."
    assert access.getClass().getName() == f"net.imglib2.img.basictypeaccess.{where}{primitive.capitalize()}Array"
    assert len(access.getCurrentStorageArray()) == 6 * per_pixel
    if volatile:
        assert access.isValid()
    img = J("net.imglib2.img.array.ArrayImg")(access, imglyb.jarray("long", [6]), J("net.imglib2.util.Fraction")(per_pixel, 1))
    img.setLinkedType(J(_contract.TYPE_CLASSES[dt])(img))
    cursor, seen = img.cursor(), []
    while cursor.hasNext():
        t = cursor.next()
        if dt.kind == "c":
            seen.append(complex(t.getRealDouble(), t.getImaginaryDouble()))
        elif dt.kind == "b":
            seen.append(bool(t.get()))
        else:
            seen.append(int(t.getBigInteger().toString()) if dtype == "uint64" else t.get())
    assert seen == arr.ravel(order="C").tolist()


def test_as_array_access_refuses_what_has_no_access_and_copies_nothing_back():
    from imglyb import accesses

    for bad in (np.zeros(3, ">f4"), np.zeros(3, "U1"), np.zeros(3, np.float16)):
        with pytest.raises(TypeError, match="no ImgLib2 array access"):
            accesses.as_array_access(bad)
    with pytest.raises(TypeError, match="NumPy array"):
        accesses.as_array_access([1, 2, 3])
    arr = np.arange(4, dtype=np.float32)
    access = accesses.as_array_access(arr)
    access.setValue(0, 9.0)                           # a copy: the array is not changed
    assert arr[0] == 0 and access.getValue(0) == 9.0


def test_the_original_modules_names_exist():
    """imglyb.ndarray_like_as_img, imglyb.reference_store and imglyb.caches (2.x) import; the
    caches name imglib2-cache when it is missing, which ImgLib2 8 does not include."""
    from imglyb import caches, ndarray_like_as_img, reference_store

    assert ndarray_like_as_img.as_cell_img is imglyb.as_cell_img
    assert ndarray_like_as_img.identity(arr := np.zeros(2)) is arr
    store = reference_store.ReferenceStore()
    first, second = store.add_reference_with_new_id("a"), store.add_reference_with_new_id("b")
    assert (first, second) == (0, 1) and store.number_of_stored_references() == 2
    store.remove_reference(first)
    store.remove_reference(first)                     # twice: no error, as in 2.x
    assert store.number_of_stored_references() == 1
    store.clear(); store.reset_next_id()
    assert store.get_next_id() == 0 and store.number_of_stored_references() == 0
    assert sorted(caches.__all__) == sorted(["BoundedSoftRefLoaderCache", "GuardedStrongRefLoaderCache", "SoftRefLoaderCache", "WeakRefLoaderCache"])
    try:
        imglyb.jimport("net.imglib2.cache.ref.SoftRefLoaderCache")
        present = True
    except imglyb.JavaException:
        present = False
    if present:
        assert caches.SoftRefLoaderCache.getName() == "net.imglib2.cache.ref.SoftRefLoaderCache"
    else:
        with pytest.raises(AttributeError, match="imglib2-cache"):
            caches.SoftRefLoaderCache
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        caches.Nope
