"""ImgLib2 images that feel like arrays (imglyb.arraylike): shape, ndim, dtype, indexing into
ImgLib2 views, len, iteration, numpy.asarray and DLPack, on wrapped, heap, cell and view images."""

from __future__ import annotations

import numpy as np
import pytest

import imglyb

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
    with pytest.raises(BufferError, match="numpy.asarray"):
        np.from_dlpack(heap)
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
    with pytest.raises(AttributeError):
        lst.shape
    with pytest.raises(TypeError):
        len(J("java.lang.Object")())
