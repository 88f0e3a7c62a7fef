"""imglyb.napari against real napari (and a real Qt binding), in real windows under Xvfb.

napari draws nothing into a hidden canvas, so every test that draws runs a script in its own
process under ``xvfb-run`` and compares ``viewer.screenshot()`` with the data, and with napari
showing the same data itself in a fresh viewer of the same size. What needs no window (layer
data to ImgLib2, argument errors) runs in this process.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import imglyb

with warnings.catch_warnings():
    # napari's own imports warn about pydantic and Qt deprecations that are napari's to fix.
    warnings.simplefilter("ignore", DeprecationWarning)
    napari = pytest.importorskip("napari", reason="napari is not installed (ci/requirements-dev.txt installs it)")
    import napari.layers  # noqa: E402

import imglyb.napari as imglyb_napari  # noqa: E402

PRELUDE = """
import os, time, threading
import numpy as np
import napari
import imglyb, imglyb.napari

def shot(add, step=None):
    # A fresh shown viewer (a hidden canvas draws nothing), its canvas as RGB, and what add returned.
    viewer = napari.Viewer(show=True)
    try:
        layer = add(viewer)
        if step is not None:
            viewer.dims.set_current_step(*step)
        return viewer.screenshot(canvas_only=True)[..., :3], layer
    finally:
        viewer.close()

def same(a, b):
    assert a.shape == b.shape, (a.shape, b.shape)
    d = np.abs(a.astype(int) - b).max()
    assert d == 0, f"the screenshots differ by up to {d}"

def bright(rgb):
    return float((rgb.max(axis=-1) > 128).mean())
"""


def run_napari(code: str, tmp_path: pathlib.Path, timeout: float = 300) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: ./ci/setup installs Debian's xvfb"
    script = tmp_path / "napari_check.py"
    script.write_text(PRELUDE + textwrap.dedent(code))
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    r = subprocess.run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x1024x24", sys.executable, str(script)],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok", r.stdout + r.stderr


def test_a_shared_image_is_drawn_as_napari_draws_the_array_and_java_writes_show_after_refresh(tmp_path):
    run_napari("""
        a = np.zeros((200, 300), np.float32)
        a[50:100, 150:250] = 1.0                       # top right
        img = imglyb.to_imglib(a)
        expected, _ = shot(lambda v: v.add_image(a))
        got, layer = shot(lambda v: imglyb.napari.add_image(v, img))
        assert np.shares_memory(layer.data, a)         # a view of the image's memory
        assert layer.axis_labels == ("y", "x"), layer.axis_labels
        same(got, expected)
        h, w = got.shape[:2]
        assert got[: h // 2, w // 2 :].max() > 128 and got[h // 2 :, : w // 2].max() < 64

        viewer = napari.Viewer(show=True)
        layer = imglyb.napari.add_image(viewer, img, contrast_limits=(0, 1))
        before = viewer.screenshot(canvas_only=True)[..., :3]
        Views = imglyb.jimport("net.imglib2.view.Views")
        cursor = Views.interval(img, imglyb.jarray("long", [20, 120]), imglyb.jarray("long", [119, 179])).cursor()
        while cursor.hasNext():                        # Java writes into the bottom left
            cursor.next().setReal(1.0)
        assert a[120:180, 20:120].min() == 1.0
        layer.refresh()
        after = viewer.screenshot(canvas_only=True)[..., :3]
        viewer.close()
        assert before[h // 2 :, : w // 2].max() < 64
        assert after[h // 2 :, : w // 2].max() > 128, "the Java write is not drawn after refresh()"
        print("ok")
    """, tmp_path)


def test_a_computed_cell_image_three_times_ram_loads_only_the_visible_cells(tmp_path):
    run_napari("""
        import dask.array as da
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        plane = 2048 * 2048 * 4
        planes = -(-3 * ram // plane)
        computed = []
        def cell(block_info=None):
            (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
            computed.append((z0, y0, x0))
            z, y, x = np.ogrid[z0:z1, y0:y1, x0:x1]
            rings = np.hypot(y - 1024.0, x - 1024.0) + 8.0 * z
            return ((rings // 128) % 2 * 100 + z % 7).astype(np.float32)
        volume = da.map_blocks(cell, dtype=np.float32, chunks=((1,) * planes, (1024, 1024), (1024, 1024)),
                               meta=np.empty((0, 0, 0), np.float32))
        assert volume.nbytes >= 3 * ram
        img = imglyb.to_imglib(volume)                 # a lazily loaded cell image: nothing computed yet
        assert computed == []
        middle = (planes - 1) // 2                     # where napari starts
        got, layer = shot(lambda v: imglyb.napari.add_image(v, img))
        assert type(layer.data).__name__ == "LazyArray"
        shown = sorted(set(computed))
        assert {z for z, _, _ in shown} == {middle} and len(shown) == 4, shown   # the plane on screen
        expected_plane = cell({None: {"array-location": [(middle, middle + 1), (0, 2048), (0, 2048)]}})[0]
        assert tuple(layer.contrast_limits) == (float(expected_plane.min()), float(expected_plane.max()))
        computed.clear()
        direct, _ = shot(lambda v: v.add_image(volume, contrast_limits=layer.contrast_limits))
        same(got, direct)                              # what napari draws of the dask array itself
        computed.clear()
        got2, _ = shot(lambda v: imglyb.napari.add_image(v, img, contrast_limits=(0, 106)), step=(0, 10))
        assert sorted({z for z, _, _ in computed}) == [10], sorted(set(computed))  # scrolling: that plane only
        assert 0.2 < bright(got2) < 0.8, bright(got2)

        # Beside another layer napari may start elsewhere than the middle: the contrast limits
        # are those of the plane it shows, read once, with no other plane computed.
        viewer = napari.Viewer(show=True)
        viewer.add_image(np.zeros((2048, 2048), np.float32))
        img2 = imglyb.to_imglib(volume)
        computed.clear()
        layer = imglyb.napari.add_image(viewer, img2)
        planes_read = sorted({z for z, _, _ in computed})
        assert len(planes_read) == 1 and len(set(computed)) == 4, sorted(set(computed))
        shown_plane = cell({None: {"array-location": [(planes_read[0], planes_read[0] + 1), (0, 2048), (0, 2048)]}})[0]
        assert tuple(layer.contrast_limits) == (float(shown_plane.min()), float(shown_plane.max()))
        viewer.close()
        print("ok")
    """, tmp_path, timeout=600)


def test_a_pyramid_of_shared_images_is_one_multiscale_layer(tmp_path):
    run_napari("""
        y, x = np.mgrid[0:1024, 0:1536]
        base = ((x // 256 + y // 256) % 2 * 200).astype(np.uint16)
        levels = [np.ascontiguousarray(base[:: 2 ** k, :: 2 ** k]) for k in range(3)]
        imgs = [imglyb.to_imglib(a) for a in levels]
        expected, _ = shot(lambda v: v.add_image(levels, multiscale=True, contrast_limits=(0, 200)))
        got, layer = shot(lambda v: imglyb.napari.add_image(v, imgs, contrast_limits=(0, 200)))
        assert layer.multiscale and len(layer.data) == 3
        assert all(np.shares_memory(d, a) for d, a in zip(layer.data, levels))
        same(got, expected)
        assert 0.3 < bright(got) < 0.7, bright(got)

        # Lazily read levels: contrast limits from the smallest, no level read whole.
        import dask.array as da
        lazy_imgs = [imglyb.to_imglib(da.from_array(a, chunks=128)) for a in levels]
        kwargs = imglyb.napari.layer_kwargs(lazy_imgs)
        assert kwargs["contrast_limits"] == (0.0, 200.0), kwargs["contrast_limits"]
        assert [img.loads() for img in lazy_imgs] == [0, 0, 2 * 3]   # the smallest level only
        got, layer = shot(lambda v: imglyb.napari.add_image(v, lazy_imgs))
        assert layer.multiscale and [type(d).__name__ for d in layer.data] == ["LazyArray"] * 3
        assert tuple(layer.contrast_limits) == (0.0, 200.0), layer.contrast_limits
        same(got, expected)
        print("ok")
    """, tmp_path)


def test_labels_round_trip_keeps_uint32_and_uint64_values(tmp_path):
    run_napari("""
        for dtype, top in ((np.uint32, 2**32 - 1), (np.uint64, 2**63 + 12345)):
            lab = np.zeros((64, 96), dtype)
            lab[10:30, 10:40] = top
            lab[40:60, 50:90] = 7
            viewer = napari.Viewer(show=True)
            layer = viewer.add_labels(lab)
            img = imglyb.napari.to_imglib(layer)       # napari to ImgLib2: no copy
            assert np.shares_memory(imglyb.to_numpy(img), lab)
            ra = img.randomAccess()
            ra.setPosition(imglyb.jarray("long", [20, 20]))
            assert int(ra.get().getIntegerLong()) & (2**64 - 1) == top
            assert ra.get().getClass().getSimpleName() == {np.uint32: "UnsignedIntType", np.uint64: "UnsignedLongType"}[dtype]
            ra.setPosition(imglyb.jarray("long", [0, 0]))
            ra.get().setInteger(5)                     # Java edits the labels
            layer.refresh()
            assert layer.data[0, 0] == 5
            back = imglyb.napari.add_labels(viewer, img, name="from Java")   # and back to napari
            assert back.data.dtype == dtype and np.shares_memory(back.data, lab)
            assert int(back.data[20, 20]) == top
            rgb = viewer.screenshot(canvas_only=True)
            assert rgb.shape[1] >= 512 and rgb[..., :3].max() > 0
            viewer.close()
        print("ok")
    """, tmp_path)


# Without a window: layer data to ImgLib2, axes, and the errors.


def test_layer_data_of_dask_and_zarr_goes_to_imglib_lazily():
    import dask.array as da
    import zarr

    a = np.arange(48 * 64, dtype=np.float32).reshape(48, 64)
    layer = napari.layers.Image(da.from_array(a, chunks=16))
    img = imglyb_napari.to_imglib(layer)
    assert img.getClass().getName() == "org.imglyb.cell.ChunkedImg"
    np.testing.assert_array_equal(imglyb.to_numpy(img, copy=True), a)

    z = zarr.zeros((32, 40), chunks=(16, 16), dtype=np.uint16)
    z[:] = np.arange(32 * 40, dtype=np.uint16).reshape(32, 40)
    img = imglyb_napari.to_imglib(napari.layers.Image(z), writable=True)
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [3, 2]))
    ra.get().setInteger(4242)
    img.flush()                                        # the Java edit lands in the zarr array
    assert z[2, 3] == 4242


def test_a_multiscale_layer_hands_over_the_level_asked_for():
    levels = [np.zeros((64, 64), np.float32), np.ones((32, 32), np.float32)]
    layer = napari.layers.Image(levels, multiscale=True)
    assert np.shares_memory(imglyb.to_numpy(imglyb_napari.to_imglib(layer)), levels[0])
    assert np.shares_memory(imglyb.to_numpy(imglyb_napari.to_imglib(layer, level=1)), levels[1])
    with pytest.raises(ValueError, match="level 2 of a layer with 2 levels"):
        imglyb_napari.to_imglib(layer, level=2)
    with pytest.raises(ValueError, match="level 1 of a layer with one level"):
        imglyb_napari.to_imglib(napari.layers.Image(levels[0]), level=1)


def test_a_lazily_shown_image_hands_back_the_java_image():
    import dask.array as da

    img = imglyb.to_imglib(da.zeros((8, 8), chunks=4, dtype=np.float32))
    kwargs = imglyb_napari.layer_kwargs(img)
    assert type(kwargs["data"]).__name__ == "LazyArray"
    back = imglyb_napari.to_imglib(napari.layers.Image(**kwargs))
    assert back.equals(img)


def test_axes_from_an_xarray_and_from_an_interval_view():
    import xarray as xr

    data = xr.DataArray(
        np.zeros((4, 5, 6), np.float32), dims=("z", "y", "x"), name="cells",
        coords={"z": ("z", np.arange(4) * 2.0 + 10, {"units": "um"}), "y": np.arange(5) * 0.5, "x": np.arange(6) * 0.5},
    )
    layer = napari.layers.Image(**imglyb_napari.layer_kwargs(data))
    assert layer.axis_labels == ("z", "y", "x")
    np.testing.assert_allclose(layer.scale, (2.0, 0.5, 0.5))
    np.testing.assert_allclose(layer.translate, (10.0, 0.0, 0.0))
    assert str(layer.units[0]) == "micrometer" and layer.name == "cells"

    a = np.arange(100, dtype=np.float32).reshape(10, 10)
    Views = imglyb.jimport("net.imglib2.view.Views")
    view = Views.interval(imglyb.to_imglib(a), imglyb.jarray("long", [2, 3]), imglyb.jarray("long", [5, 8]))
    kwargs = imglyb_napari.layer_kwargs(view)
    assert kwargs["translate"] == (3.0, 2.0)           # NumPy order: rows from 3, columns from 2
    np.testing.assert_array_equal(np.asarray(kwargs["data"]), a[3:9, 2:6])


def test_axes_from_an_imgplus():
    """An ImgPlus (imagej-common, as in Fiji) gives its axis labels, calibration, units and name.
    imagej-common is not on Maven Central: run by hand with it on IMGLYB_CLASSPATH (imagej-common
    2.1.1 built from its public sources)."""
    import xarray as xr

    if imglyb.xarrays.axis_api() is None:
        pytest.skip("imagej-common is not on the classpath (it is not on Maven Central)")
    data = xr.DataArray(
        np.zeros((4, 5, 6), np.float32), dims=("z", "y", "x"), name="cells",
        coords={"z": ("z", np.arange(4) * 2.0 + 10, {"units": "um"}), "y": np.arange(5) * 0.5, "x": np.arange(6) * 0.5},
    )
    imgplus = imglyb.to_imglib(data)
    assert imgplus.getClass().getName() == "net.imagej.ImgPlus"
    layer = napari.layers.Image(**imglyb_napari.layer_kwargs(imgplus))
    assert layer.axis_labels == ("Z", "Y", "X")            # ImageJ's axis labels, NumPy order
    np.testing.assert_allclose(layer.scale, (2.0, 0.5, 0.5))
    np.testing.assert_allclose(layer.translate, (10.0, 0.0, 0.0))
    assert str(layer.units[0]) == "micrometer" and layer.name == "cells"
    assert np.shares_memory(layer.data, data.values)


def test_contrast_limits_of_a_big_lazy_image_come_from_the_first_plane_only():
    import dask.array as da

    counted = []

    def block(block_info=None):
        (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
        counted.append(z0)
        return np.full((z1 - z0, y1 - y0, x1 - x0), float(z0), np.float32)

    volume = da.map_blocks(block, dtype=np.float32, chunks=((1,) * 100, (2000,), (2000,)), meta=np.empty((0, 0, 0), np.float32))
    img = imglyb.to_imglib(volume)
    kwargs = imglyb_napari.layer_kwargs(img)
    assert kwargs["contrast_limits"] == (0.0, 49.0)    # one value: widened as napari widens it
    assert counted == [49]                              # the plane napari shows first
    assert imglyb_napari.layer_kwargs(img, contrast_limits=(0, 99))["contrast_limits"] == (0.0, 99.0)
    assert counted == [49]


def test_bad_input_is_a_clear_error():
    with pytest.raises(TypeError, match="expected an ImgLib2 RandomAccessibleInterval"):
        imglyb_napari.layer_kwargs(object())
    with pytest.raises(TypeError, match="expected an ImgLib2 RandomAccessibleInterval"):
        imglyb_napari.layer_data(imglyb.jimport("java.util.ArrayList")())
    with pytest.raises(ValueError, match="contrast limits must rise"):
        imglyb_napari.layer_kwargs(np.zeros((4, 4), np.float32), contrast_limits=(5, 5))
    with pytest.raises(ValueError, match="from largest to smallest"):
        imglyb_napari.layer_kwargs([np.zeros((4, 4)), np.zeros((8, 8))])
    with pytest.raises(ValueError, match="empty list"):
        imglyb_napari.layer_kwargs([])
    with pytest.raises(TypeError, match="labels are integers"):
        imglyb_napari.add_labels(None, np.zeros((4, 4), np.float32))
    with pytest.raises(TypeError, match="expected a napari image or labels layer"):
        imglyb_napari.to_imglib(napari.layers.Points(np.zeros((3, 2))))
