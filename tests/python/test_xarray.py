"""xarray DataArrays and ImgLib2 images (imglyb.xarrays): pixels shared both ways, default axes.
ImageJ's axis metadata (imagej-common) is not on Maven Central, so only the plain path is here."""

from __future__ import annotations

import numpy as np
import pytest

import imglyb

xr = pytest.importorskip("xarray")


def test_a_data_array_is_shared_with_java_and_back():
    arr = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4)
    da = xr.DataArray(arr, dims=("z", "y", "x"), attrs={"unit": "um"})
    img = imglyb.to_imglib(da)
    assert [int(img.dimension(d)) for d in range(3)] == [4, 3, 2]
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [3, 2, 1]))
    ra.get().set(-1.0)
    assert da[1, 2, 3] == -1.0                      # Java wrote into the DataArray's memory
    back = imglyb.to_xarray(img)
    assert back.dims == ("z", "y", "x") and np.shares_memory(back.values, arr)
    xr.testing.assert_equal(back, xr.DataArray(arr, dims=("z", "y", "x")))


def test_views_keep_their_positions_as_coordinates_and_dims_beyond_three_are_numbered():
    arr = np.zeros((2, 3, 4, 5, 6), np.uint8)
    img = imglyb.to_imglib(arr)
    assert imglyb.to_xarray(img).dims == ("d4", "d3", "z", "y", "x")
    Views = imglyb.jimport("net.imglib2.view.Views")
    small = imglyb.to_imglib(np.arange(30, dtype=np.int32).reshape(5, 6))
    view = Views.interval(small, imglyb.jarray("long", [2, 1]), imglyb.jarray("long", [4, 3]))
    out = imglyb.to_xarray(view)
    assert out.dims == ("y", "x")
    assert list(out.coords["x"].values) == [2, 3, 4] and list(out.coords["y"].values) == [1, 2, 3]
    assert out.sel(x=3, y=2).item() == 2 * 6 + 3


def test_a_dask_backed_data_array_becomes_a_lazy_image():
    dask_array = pytest.importorskip("dask.array")
    data = np.arange(100, dtype=np.float32).reshape(10, 10)
    da = xr.DataArray(dask_array.from_array(data, chunks=5), dims=("y", "x"))
    img = imglyb.to_imglib(da)
    assert imglyb.jinstance(img, "org.imglyb.ChunkedImg") and int(img.loads()) == 0
    np.testing.assert_array_equal(imglyb.to_xarray(img).values, data)
