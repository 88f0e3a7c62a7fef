"""ImgLib2 images that feel like arrays (imglyb.arraylike): shape, ndim, dtype, indexing into
ImgLib2 views, len, iteration, numpy.asarray and DLPack, on wrapped, heap, cell and view images."""

from __future__ import annotations

import ctypes
import weakref

import numpy as np
import pytest

import imglyb
from conftest import collect_until

KEYS = [
    0, -1, (1, 2), (slice(None), slice(1, 3)), (Ellipsis, slice(None, None, 2)),
    (slice(None, None, -1), 0), (2, 3, 4), (slice(0, 3, 2), slice(None, None, -2), slice(1, 5, 3)),
    (Ellipsis, 1), (np.int64(1), Ellipsis, slice(-3, None)),
]


def J(name):
    return imglyb.jimport(name)


def images():
    arr = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5)
    heap = J("net.imglib2.img.array.ArrayImgs").floats(imglyb.jarray("long", [5, 4, 3]))
    imglyb.jimport("imglyb.fixtures.Chunks").fillIndex(heap, 0.0)
    try:
        cells = J("net.imglib2.img.cell.CellImgFactory")(J("net.imglib2.type.numeric.real.FloatType")(), imglyb.jarray("int", [2, 3, 2])).create(imglyb.jarray("long", [5, 4, 3]))
    except (TypeError, imglyb.JavaException):
        cells = J("net.imglib2.img.cell.CellImgFactory")(imglyb.jarray("int", [2, 3, 2])).create(imglyb.jarray("long", [5, 4, 3]), J("net.imglib2.type.numeric.real.FloatType")())
    imglyb.jimport("imglyb.fixtures.Chunks").fillIndex(cells, 0.0)
    big = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
    view = J("net.imglib2.view.Views").interval(imglyb.to_imglib(big), imglyb.jarray("long", [1, 0, 0]), imglyb.jarray("long", [5, 3, 2]))
    return {
        "wrapped": (imglyb.to_imglib(arr), arr),
        "heap ArrayImg": (heap, arr),
        "CellImg": (cells, arr),
        "interval view": (view, big[0:3, 0:4, 1:6]),
    }


@pytest.mark.parametrize("which", ["wrapped", "heap ArrayImg", "CellImg", "interval view"])
def test_images_index_like_numpy_into_imglib2_views(which):
    img, expected = images()[which]
    assert img.shape == expected.shape and img.ndim == 3 and img.dtype == np.float32
    assert len(img) == expected.shape[0]
    for key in KEYS:
        got = img[key]
        if np.ndim(expected[key]) == 0:
            assert got == expected[key], key
            continue
        assert imglyb.jinstance(got, "net.imglib2.RandomAccessibleInterval"), key
        assert got.shape == expected[key].shape, key
        np.testing.assert_array_equal(imglyb.to_numpy(got), expected[key], err_msg=str(key))
    np.testing.assert_array_equal(np.asarray(img), expected)
    np.testing.assert_array_equal(np.stack([np.asarray(s) for s in img]), expected)


def test_views_of_wrapped_arrays_stay_views_and_speak_dlpack():
    arr = np.arange(60, dtype=np.int16).reshape(3, 4, 5)
    img = imglyb.to_imglib(arr)
    sub = img[1:, ::-1, 2]
    assert np.shares_memory(np.asarray(sub), arr)
    np.asarray(sub)[0, 0] = -7                       # a write through the view...
    assert arr[1, 3, 2] == -7                        # ...lands in the array
    x = np.from_dlpack(img[0])                       # no copy, no NumPy call by the user
    assert np.shares_memory(x, arr) and x.shape == (4, 5)
    assert img.__dlpack_device__() == (1, 0)
    heap = J("net.imglib2.img.array.ArrayImgs").doubles(imglyb.jarray("long", [2, 2]))
    assert np.asarray(heap).shape == (2, 2)          # a copy
    with pytest.raises(ValueError):
        np.asarray(heap, copy=False) if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else imglyb.to_numpy(heap, copy=False)


def test_bad_indices_are_index_errors_and_other_objects_are_unchanged():
    img = imglyb.to_imglib(np.zeros((3, 4), np.uint8))
    for key in [(3,), (0, 4), (0, 0, 0), (slice(2, 2),), ("a",), (Ellipsis, Ellipsis)]:
        with pytest.raises(IndexError):
            img[key]
    argb = imglyb.to_imglib_argb(np.zeros((2, 2), np.uint32))
    assert argb.dtype == np.uint32
    lst = J("java.util.ArrayList")()
    lst.add("x")
    assert len(lst) == 1 and lst[0] == "x" and list(lst) == ["x"]
    assert "x" in lst and "y" not in lst            # a Collection's own contains()
    with pytest.raises(AttributeError):
        lst.shape
    with pytest.raises(TypeError):
        len(J("java.lang.Object")())


def test_in_means_any_pixel_equal_as_in_numpy():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    img = imglyb.to_imglib(arr)
    assert 5 in img and 5.0 in img and 12 not in img
    heap = J("net.imglib2.img.array.ArrayImgs").ints(imglyb.jarray("long", [4, 3]))
    J("imglyb.fixtures.Chunks").fillIndex(heap, 0.0)
    assert 11 in heap and -1 not in heap           # a heap image: read through a copy
    assert 7 in img[1] and 3 not in img[1]          # a view (row 1: 4..7)


# --- DLPack ------------------------------------------------------------------------------

_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.restype = ctypes.c_char_p
_capsule_name.argtypes = [ctypes.py_object]
# NumPy's from_dlpack negotiates DLPack 1.0 and takes copy= from 2.1; 1.x asks for no version.
NUMPY_2_1 = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def name_of(capsule) -> str:
    return _capsule_name(capsule).decode()


def test_dlpack_capsules_are_imglybs_own_and_numpy_reads_them():
    arr = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    img = imglyb.to_imglib(arr)
    legacy = img.__dlpack__()
    assert name_of(legacy) == "dltensor"
    versioned = img.__dlpack__(max_version=(1, 0))
    assert name_of(versioned) == "dltensor_versioned"
    assert name_of(img.__dlpack__(max_version=(0, 8))) == "dltensor"
    del legacy, versioned                            # unconsumed capsules free their tensors
    # A strided view (reversed, subsampled, sliced) keeps its layout through DLPack.
    view = img[:, ::-1, 1::2]
    x = np.from_dlpack(view)
    assert np.shares_memory(x, arr)
    np.testing.assert_array_equal(x, arr[:, ::-1, 1::2])
    if not NUMPY_2_1:
        assert not x.flags.writeable                 # NumPy 1.x makes every DLPack import read-only
        return
    x[1, 0, 1] = -5.0                                # a write through the consumer's tensor...
    assert arr[1, 2, 3] == -5.0                      # ...lands in the NumPy array
    assert imglyb.to_numpy(img)[1, 2, 3] == -5.0     # and in what Java sees


DTYPES = ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64",
          "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_carries_every_dtype(dtype):
    if dtype == "bool" and np.lib.NumpyVersion(np.__version__) < "1.25.0":
        pytest.skip("NumPy before 1.25 reads no DLPack booleans")
    rng = np.random.default_rng(7)
    values = rng.standard_normal((3, 5)) * 50
    # Negative floats cast to unsigned types are undefined: arm64 NumPy warns where x86 wraps.
    arr = (np.abs(values) if dtype.startswith("uint") else values).astype(dtype)
    x = np.from_dlpack(imglyb.to_imglib(arr))
    assert x.dtype == arr.dtype and np.shares_memory(x, arr)
    np.testing.assert_array_equal(x, arr)


def test_dlpack_of_heap_and_computed_images_is_a_copy_unless_refused():
    heap = J("net.imglib2.img.array.ArrayImgs").doubles(imglyb.jarray("long", [3, 2]))
    imglyb.jimport("imglyb.fixtures.Chunks").fillIndex(heap, 0.0)
    expected = np.arange(6, dtype=np.float64).reshape(2, 3)
    np.testing.assert_array_equal(np.from_dlpack(heap), expected)     # copy=None: a copy
    with pytest.raises(BufferError, match="copy=None or True"):
        heap.__dlpack__(copy=False)
    # copy=True copies even shared memory, and says so.
    arr = np.ones((2, 3), np.int16)
    img = imglyb.to_imglib(arr)
    if NUMPY_2_1:
        copied = np.from_dlpack(img, copy=True)
        assert not np.shares_memory(copied, arr) and (copied == 1).all()
        with pytest.raises(BufferError):
            np.from_dlpack(heap, copy=False)
    assert name_of(img.__dlpack__(copy=True)) == "dltensor"


def test_dlpack_of_a_view_larger_than_memory_is_a_clear_error_never_a_short_buffer():
    Views = J("net.imglib2.view.Views")
    small = imglyb.to_imglib(np.ones((2, 2), np.uint8))
    # 2^32 x 2^32 bytes of zeros around four ones: no copy can hold it, and its size in bytes
    # would wrap to 0 in 64 bits.
    huge = Views.interval(Views.extendZero(small), imglyb.jarray("long", [0, 0]),
                          imglyb.jarray("long", [2**32 - 1, 2**32 - 1]))
    with pytest.raises(BufferError, match="would not fit in memory"):
        huge.__dlpack__()
    with pytest.raises((ValueError, MemoryError)):
        imglyb.to_numpy(huge)


def test_dlpack_of_memory_not_aligned_to_the_pixel_size_is_a_copy():
    raw = np.zeros(4 * 8 + 1, np.uint8)
    arr = np.frombuffer(raw.data, dtype=np.float32, count=8, offset=1)   # misaligned floats
    arr = np.ndarray(arr.shape, arr.dtype, raw.data, offset=1)           # writable
    arr[:] = np.arange(8)
    try:
        img = imglyb.to_imglib(arr)
    except (TypeError, ValueError):
        pytest.skip("to_imglib refuses misaligned memory here")
    assert np.shares_memory(imglyb.to_numpy(img), arr)
    with pytest.raises(BufferError, match="aligned"):
        img.__dlpack__(copy=False)
    x = np.from_dlpack(img)
    np.testing.assert_array_equal(x, np.arange(8, dtype=np.float32))
    assert not np.shares_memory(x, arr)


def test_read_only_memory_is_flagged_or_copied_never_made_writable():
    ro = np.arange(4, dtype=np.uint8)
    ro.flags.writeable = False
    img = imglyb.to_imglib(ro)
    with pytest.raises(BufferError, match="read-only"):
        img.__dlpack__(copy=False)                   # legacy consumers cannot be told
    assert name_of(img.__dlpack__(max_version=(1, 0), copy=False)) == "dltensor_versioned"
    x = np.from_dlpack(img)
    np.testing.assert_array_equal(x, ro)
    if NUMPY_2_1:                                    # versioned: shared, and read-only
        assert np.shares_memory(x, ro) and not x.flags.writeable
    else:                                            # legacy: a copy
        assert not np.shares_memory(x, ro)


def test_dlpack_refuses_other_devices_streams_and_objects():
    img = imglyb.to_imglib(np.zeros(3))
    with pytest.raises(BufferError, match="device"):
        img.__dlpack__(dl_device=(2, 0))
    with pytest.raises(BufferError, match="stream"):
        img.__dlpack__(stream=1)
    assert name_of(img.__dlpack__(dl_device=(1, 0), stream=None)) == "dltensor"
    with pytest.raises(TypeError):
        img.__dlpack__(1)                            # keyword-only, as the array API says
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        J("java.util.ArrayList")().__dlpack__()
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        J("java.util.ArrayList")().__dlpack_device__()


def test_a_dlpack_tensor_keeps_the_image_and_array_alive():
    arr = np.arange(10, dtype=np.int64)
    ref = weakref.ref(arr)
    img = imglyb.to_imglib(arr)
    x = np.from_dlpack(img)
    del arr, img
    assert not collect_until(lambda: ref() is None, rounds=5)
    assert ref() is not None and x.tolist() == list(range(10))
    del x
    assert collect_until(lambda: ref() is None), "the array was not freed after the DLPack tensor and Java dropped it"


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32),
                ("ndim", ctypes.c_int32), ("code", ctypes.c_uint8), ("bits", ctypes.c_uint8),
                ("lanes", ctypes.c_uint16), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class _Versioned(ctypes.Structure):
    pass


_Versioned._fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32), ("manager_ctx", ctypes.c_void_p),
                       ("deleter", ctypes.CFUNCTYPE(None, ctypes.POINTER(_Versioned))),
                       ("flags", ctypes.c_uint64), ("dl_tensor", _DLTensor)]


def test_a_versioned_tensor_read_field_by_field_as_dlpack_h_lays_it_out():
    """A consumer of our own, in ctypes: the capsule's C structure, not NumPy's reading of it."""
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    set_name = ctypes.pythonapi.PyCapsule_SetName
    set_name.restype, set_name.argtypes = ctypes.c_int, [ctypes.py_object, ctypes.c_char_p]
    arr = np.zeros((4, 6), np.uint16)
    arr.flags.writeable = False
    view = imglyb.to_imglib(arr)[1:, ::-2]           # rows 1..3, columns 5, 3, 1
    capsule = view.__dlpack__(max_version=(1, 3))
    t = ctypes.cast(get_pointer(capsule, b"dltensor_versioned"), ctypes.POINTER(_Versioned)).contents
    assert (t.major, t.minor) == (1, 0)
    assert t.flags & 1 and not t.flags & 2            # read-only, not a copy
    d = t.dl_tensor
    assert (d.device_type, d.device_id, d.ndim) == (1, 0, 2)
    assert (d.code, d.bits, d.lanes) == (1, 16, 1)    # kDLUInt, 16 bits
    assert [d.shape[i] for i in range(2)] == [3, 3]
    assert [d.strides[i] for i in range(2)] == [6, -2]  # in elements
    assert d.data + d.byte_offset == arr.ctypes.data + (1 * 6 + 5) * 2
    # Consume it as a consumer does: rename the capsule, then call the deleter when done.
    assert set_name(capsule, b"used_dltensor_versioned") == 0
    deleter = t.deleter
    del capsule                                        # the capsule no longer frees the tensor
    deleter(ctypes.pointer(t))
    assert imglyb.to_numpy(view).shape == (3, 3)       # the image is untouched
