"""xarray DataArrays and ImgLib2 images (imglyb.xarrays): pixels shared both ways, default axes.
ImageJ's axis metadata (imagej-common) is not on Maven Central, so CI runs the plain path and
skips the ImgPlus/Dataset tests; they were run by hand with imagej-common 2.1.1 built from its
public sources on ImgLib2 8.0.1 (docs/pyimagej.md)."""

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
    if imglyb.xarrays.axis_api() is not None:  # imagej-common present: an ImgPlus around it
        img = img.getImg()
    assert imglyb.jinstance(img, "org.imglyb.cell.ChunkedImg") and int(img.loads()) == 0
    # The viewers find the chunked image inside the ImgPlus too (read-ahead off, volatile view).
    assert imglyb.chunked.chunked_img_of(imglyb.to_imglib(da)) is not None
    assert imglyb.chunked.chunked_img_of(imglyb.to_imglib(data)) is None
    np.testing.assert_array_equal(imglyb.to_xarray(img).values, data)


def axis_api_or_skip():
    api = imglyb.xarrays.axis_api()
    if api is None:
        pytest.skip("imagej-common is not on the classpath (it is not on Maven Central)")
    return api


def test_without_imagej_common_a_data_array_is_a_plain_image():
    if imglyb.xarrays.axis_api() is not None:
        pytest.skip("imagej-common is on the classpath")
    img = imglyb.to_imglib(xr.DataArray(np.zeros((2, 3)), dims=("y", "x"), coords={"x": [0.0, 0.5, 1.0]}))
    assert str(img.getClass().getName()) == "org.imglyb.img.StridedImg"
    assert imglyb.to_xarray(img).dims == ("y", "x")


def test_axes_survive_through_imagej_common():
    """Run by hand with imagej-common built from its public sources (docs/pyimagej.md)."""
    axis_api_or_skip()
    arr = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    da = xr.DataArray(
        arr, dims=("c", "y", "x"), name="cells",
        coords={"x": ("x", 10 + 0.5 * np.arange(4), {"units": "um"}), "y": ("y", [0.0, 2.0, 4.0], {"units": "um"})},
    )
    img = imglyb.to_imglib(da)
    assert imglyb.jinstance(img, "net.imagej.ImgPlus") and str(img.getName()) == "cells"
    labels = [str(img.axis(d).type().getLabel()) for d in range(3)]
    assert labels == ["X", "Y", "Channel"]
    x = img.axis(0)
    assert str(x.unit()) == "um" and float(x.calibratedValue(3.0)) == 11.5
    assert float(img.axis(1).calibratedValue(2.0)) == 4.0
    assert np.shares_memory(imglyb.to_numpy(img.getImg()), arr)   # the pixels are still shared
    assert np.shares_memory(imglyb.to_numpy(img), arr)            # and to_numpy sees through ImgPlus
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [3, 2, 1]))
    ra.get().set(-1.0)
    assert arr[1, 2, 3] == -1.0
    back = imglyb.to_xarray(img)
    assert back.dims == ("c", "y", "x") and back.name == "cells"
    assert np.shares_memory(back.values, arr)
    np.testing.assert_allclose(back.coords["x"].values, 10 + 0.5 * np.arange(4))
    np.testing.assert_allclose(back.coords["y"].values, [0.0, 2.0, 4.0])
    assert back.coords["x"].attrs["units"] == "um" and "c" not in back.coords
    # Uneven coordinates have no linear axis: scale 1, origin 0 (documented), pixels still shared.
    uneven = imglyb.to_imglib(xr.DataArray(arr[0], dims=("y", "x"), coords={"x": [0.0, 1.0, 5.0, 6.0]}))
    assert float(uneven.axis(0).calibratedValue(2.0)) == 2.0
    # A dim name ImageJ does not know becomes an axis of that name, and comes back as it was.
    odd = imglyb.to_imglib(xr.DataArray(arr[0], dims=("angle", "x")))
    assert str(odd.axis(1).type().getLabel()) == "angle"
    assert imglyb.to_xarray(odd).dims == ("angle", "x")


def test_a_dataset_gives_its_axes_and_shared_pixels_back():
    """A SciJava ``Dataset`` (what ImageJ2 and pyimagej hand around) around imglyb pixels."""
    axis_api_or_skip()
    Context = imglyb.jimport("org.scijava.Context")
    DatasetService = imglyb.jimport("net.imagej.DatasetService")
    context = Context(imglyb.jarray("java.lang.Class", [DatasetService]))
    try:
        arr = np.arange(3 * 4, dtype=np.uint16).reshape(3, 4)
        da = xr.DataArray(arr, dims=("t", "x"), name="track", coords={"x": ("x", [1.0, 3.0, 5.0, 7.0], {"units": "mm"})})
        dataset = context.getService(DatasetService).create(imglyb.to_imglib(da))
        assert imglyb.jinstance(dataset, "net.imagej.Dataset")
        back = imglyb.to_xarray(dataset)
        assert back.dims == ("t", "x") and back.name == "track" and np.shares_memory(back.values, arr)
        np.testing.assert_allclose(back.coords["x"].values, [1.0, 3.0, 5.0, 7.0])
        assert back.coords["x"].attrs["units"] == "mm"
        assert str(dataset.axis(1).type().getLabel()) == "Time"
    finally:
        context.dispose()
