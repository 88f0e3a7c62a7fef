"""The ImageJ viewer: windows that read shared pixels live, in fresh processes under Xvfb (a
real X server), the PNG rendering without a display, and the clear errors without a display or
without ImageJ. Every check reads values back from ImageJ or from the PNG it wrote."""

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

import imglyb
from conftest import run_python


def run_with_display(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter under Xvfb (ci/setup installs it)."""
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: ./ci/setup installs Debian's xvfb"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run(
        [xvfb_run, "-a", sys.executable, "-c", textwrap.dedent(code)],
        env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_a_window_reads_the_array_live():
    r = run_with_display("""
        import threading, time
        import numpy as np, imglyb
        a = np.zeros((3, 40, 60), np.float32)
        a[1, 10:20, 5:25] = 7
        w = imglyb.show(a, "live")
        imp = w.imageplus
        assert (imp.getStackSize(), imp.getWidth(), imp.getHeight()) == (3, 60, 40)
        assert imp.getTitle() == "live"
        assert imglyb.viewer._viewer().windowCount() == 1
        imp.setSlice(2)
        w.refresh()
        assert imp.getProcessor().getPixelValue(10, 15) == 7.0
        assert imp.getProcessor().getPixelValue(30, 15) == 0.0
        a[1, 15, 10] = 3.5          # NumPy writes; the window shows it after refresh()
        w.refresh()
        assert imp.getProcessor().getPixelValue(10, 15) == 3.5
        assert (imp.getDisplayRangeMin(), imp.getDisplayRangeMax()) == (0.0, 7.0)
        imp.setSlice(1)             # an all-zero slice keeps the volume's display range
        w.refresh()
        assert (imp.getDisplayRangeMin(), imp.getDisplayRangeMax()) == (0.0, 7.0)
        # wait_for_windows returns once the last window is closed.
        threading.Timer(0.5, w.close).start()
        t0 = time.monotonic()
        imglyb.wait_for_windows()
        assert time.monotonic() - t0 >= 0.4
        assert imglyb.viewer._viewer().windowCount() == 0
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


def test_argb_and_2d_images_and_imglib2_images(tmp_path):
    png = tmp_path / "argb.png"
    r = run_with_display(f"""
        import numpy as np, imglyb
        rgba = np.zeros((4, 5), np.uint32)
        rgba[1, 2] = 0xFF10C020
        w = imglyb.show(imglyb.to_imglib_argb(rgba))
        imp = w.imageplus
        assert imp.getStackSize() == 1 and imp.getBitDepth() == 24
        assert imp.getProcessor().getPixel(2, 1) & 0xFFFFFF == 0x10C020
        w.save_png({str(png)!r})
        w.close()
        # An ImgLib2 image made in Java is shown as it is (here a rotated view).
        Views = imglyb.jimport("net.imglib2.view.Views")
        b = np.arange(12, dtype=np.int16).reshape(3, 4)
        w2 = imglyb.show(Views.rotate(imglyb.to_imglib(b), 0, 1))
        assert (w2.imageplus.getWidth(), w2.imageplus.getHeight()) == (3, 4)
        w2.close()
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    pixels = np.asarray(Image.open(png).convert("RGB"))
    assert pixels.shape == (4, 5, 3)
    assert tuple(pixels[1, 2]) == (0x10, 0xC0, 0x20)
    assert pixels.sum() == 0x10 + 0xC0 + 0x20


def test_render_writes_the_plane_as_shown_without_a_display(tmp_path):
    png = tmp_path / "plane.png"
    r = run_python(f"""
        import numpy as np, imglyb
        a = np.zeros((2, 8, 10), np.uint16)
        a[0, 2:5, 3:7] = 1000
        a[0, 6, 1] = 500
        imglyb.viewer.render(a).save_png({str(png)!r})
        print("ok")
    """, env={"DISPLAY": None})
    assert r.returncode == 0, r.stdout + r.stderr
    shown = np.asarray(Image.open(png).convert("L"))
    assert shown.shape == (8, 10)
    assert (shown[2:5, 3:7] == 255).all()           # the display range is 0 .. 1000
    assert 120 <= shown[6, 1] <= 135                # 500 of 1000
    mask = np.zeros_like(shown, bool)
    mask[2:5, 3:7] = True
    mask[6, 1] = True
    assert (shown[~mask] == 0).all()


def test_show_without_a_display_says_how_to_get_one():
    r = run_python("""
        import numpy as np, imglyb
        try:
            imglyb.show(np.zeros((4, 4)))
        except imglyb.ImglybError as e:
            print(e)
    """, env={"DISPLAY": None})
    assert r.returncode == 0, r.stderr
    assert "DISPLAY" in r.stdout and "Xvfb" in r.stdout


def test_without_imagej_the_error_names_the_package(tmp_path):
    r = run_python("""
        import numpy as np, imglyb
        imglyb.start_jvm(classpath=["/usr/share/java/imglib2.jar"])
        try:
            imglyb.viewer.render(np.zeros((4, 4)))
        except imglyb.ImglybError as e:
            print(e)
    """, env={"IMGLYB_SYSTEM_JARS": "0", "IMGLYB_BUNDLED_JARS": "0", "IMGLYB_CLASSPATH": None})
    assert r.returncode == 0, r.stderr
    assert "libij-java" in r.stdout and "IMGLYB_CLASSPATH" in r.stdout


def test_pixel_types_imagej_cannot_show_are_refused():
    r = run_python("""
        import numpy as np, imglyb
        try:
            imglyb.viewer.render(np.zeros((4, 4), np.complex64))
        except imglyb.JavaException as e:
            print(e.java_class, e.message)
    """)
    assert r.returncode == 0, r.stderr
    assert "IllegalArgumentException" in r.stdout and "ComplexFloatType" in r.stdout


def test_bigdataviewer_missing_is_a_clear_error():
    r = run_python("""
        import numpy as np, imglyb
        try:
            imglyb.bdv.show(np.zeros((4, 4)), "x")
        except imglyb.ImglybError as e:
            print(e)
    """)
    assert r.returncode == 0, r.stderr
    assert "BdvFunctions" in r.stdout and "add_fiji" in r.stdout


def test_a_fiji_installation_adds_its_jars(tmp_path):
    fiji = tmp_path / "Fiji.app"
    (fiji / "jars" / "bio-formats").mkdir(parents=True)
    (fiji / "jars" / "win64").mkdir()
    (fiji / "plugins").mkdir()
    imglib2 = "/usr/share/java/imglib2.jar"
    for rel in ("jars/imglib2-9.jar", "jars/bio-formats/formats.jar", "jars/win64/native.jar",
                "plugins/a_plugin.jar"):
        shutil.copy(imglib2, fiji / rel)
    (fiji / "jars" / "README.txt").write_text("not a jar")
    r = run_python(f"""
        import imglyb
        added = imglyb.config.add_fiji({str(fiji)!r})
        print(sorted(p.split("Fiji.app/")[1] for p in added))
        cp = imglyb.jvm_info()["classpath"]
        print(all(p in cp for p in added))
        try:
            imglyb.config.add_fiji({str(tmp_path)!r})
        except imglyb.JVMAlreadyStartedError:
            print("refused after start")
    """)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0] == str(sorted(["jars/bio-formats/formats.jar", "jars/imglib2-9.jar",
                                   "plugins/a_plugin.jar"]))
    assert lines[1] == "True"
    assert lines[2] == "refused after start"
    r = run_python(f"""
        import imglyb
        try:
            imglyb.config.add_fiji({str(tmp_path)!r})
        except FileNotFoundError as e:
            print(e)
    """)
    assert "not a Fiji installation" in r.stdout


def test_on_event_thread_runs_there_and_hands_back_results_and_errors():
    swing = imglyb.jimport("javax.swing.SwingUtilities")
    assert not swing.isEventDispatchThread()
    assert imglyb.bdv.on_event_thread(lambda: bool(swing.isEventDispatchThread())) is True
    assert imglyb.bdv.on_event_thread(lambda: 41 + 1) == 42

    def fails():
        raise KeyError("from the event thread")

    with pytest.raises(KeyError, match="from the event thread"):
        imglyb.bdv.on_event_thread(fails)
    # Nested: a call made on the event thread runs at once.
    assert imglyb.bdv.on_event_thread(lambda: imglyb.bdv.on_event_thread(lambda: "inner")) == "inner"


def test_wait_for_windows_waits_for_any_java_frame():
    """BigDataViewer's windows are plain Swing frames: wait_for_windows counts every visible frame,
    not only ImageJ's."""
    r = run_with_display("""
        import threading, time
        import imglyb
        from imglyb.bdv import on_event_thread
        assert imglyb.viewer.open_windows() == 0
        frame = on_event_thread(lambda: imglyb.jimport("javax.swing.JFrame")("not ImageJ"))
        on_event_thread(lambda: frame.setSize(200, 100))
        on_event_thread(lambda: frame.setVisible(True))
        assert imglyb.viewer.open_windows() == 1
        threading.Timer(0.5, lambda: on_event_thread(frame.dispose)).start()
        t0 = time.monotonic()
        imglyb.wait_for_windows()
        assert time.monotonic() - t0 >= 0.4
        assert imglyb.viewer.open_windows() == 0
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


# A computed volume three times this machine's memory, in 512 x 512 slices of float32, whose
# slice z is rings around the centre that move outwards with z (docs/big-data.md shows it).
BIG_VOLUME = """
import os, threading
import numpy as np, dask.array as da, imglyb

ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
side, depth = 512, 16
planes = -(-3 * ram // (side * side * 4)) + depth        # at least 3x RAM
planes += (-planes) % depth
computed = []
lock = threading.Lock()

def formula(z, y, x):
    r = np.sqrt((x - 256.0) ** 2 + (y - 256.0) ** 2)
    return (100.0 * (1.0 + np.sin(r / 12.0 - z / 8.0))).astype(np.float32)

def cell(block_info=None):
    (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
    with lock:
        computed.append((z0, y0, x0))
    z, y, x = np.ogrid[z0:z1, y0:y1, x0:x1]
    return formula(z, y, x)

volume = da.map_blocks(cell, dtype=np.float32, chunks=((depth,) * (planes // depth), (256, 256), (256, 256)),
                       meta=np.empty((0, 0, 0), np.float32))
assert volume.nbytes >= 3 * ram
"""


def test_a_volume_three_times_ram_scrolls_computing_only_the_visible_cells(tmp_path):
    shot = tmp_path / "big.png"
    r = run_with_display(BIG_VOLUME + f"""
w = imglyb.show(volume, "3x RAM", display_range=(0, 200))
imp = w.imageplus
assert imp.getStackSize() == planes and (imp.getWidth(), imp.getHeight()) == (side, side)
shown = planes - 5
imp.setSlice(shown + 1)                                   # ImageJ counts slices from 1
w.refresh()
w.capture_png({str(shot)!r})
assert imp.getProcessor().getPixelValue(70, 10) == formula(np.array(shown), np.array(10), np.array(70))
# The first slice (opening the window) and the shown one: four cells each, no more.
slabs = sorted(set(z for z, _, _ in computed))
assert slabs == [0, shown - shown % depth], slabs
assert len(computed) == 8, len(computed)
print("ok", volume.nbytes >> 30, "GiB", shown)
""", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().startswith("ok"), r.stdout
    shown = int(r.stdout.split()[-1])
    gray = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    y, x = np.mgrid[0:512, 0:512]
    r = np.sqrt((x - 256.0) ** 2 + (y - 256.0) ** 2)
    expected = 100.0 * (1.0 + np.sin(r / 12.0 - shown / 8.0)) * 255.0 / 200.0
    # The canvas sits below the window's title and info line: find it, then compare.
    best = min(
        (np.mean(np.abs(gray[dy : dy + 512 : 4, dx : dx + 512 : 4] - expected[::4, ::4])), dy, dx)
        for dy in range(0, min(160, gray.shape[0] - 511))
        for dx in range(0, min(40, gray.shape[1] - 511))
    )
    assert best[0] < 4, f"the screenshot does not show slice {shown} of the formula (best offset {best})"


def test_a_dask_backed_data_array_is_shown_lazily_with_or_without_imagej_common():
    pytest.importorskip("xarray")
    pytest.importorskip("dask.array")
    r = run_with_display("""
import numpy as np, dask.array as da, xarray as xr, imglyb
data = np.arange(6 * 8 * 10, dtype=np.float32).reshape(6, 8, 10)
arr = xr.DataArray(da.from_array(data, chunks=(2, 4, 5)), dims=("z", "y", "x"))
w = imglyb.show(arr, "axes", display_range=(0, 480))  # no range to compute over every cell
cells = imglyb.chunked.chunked_img_of(w.image)     # inside an ImgPlus where imagej-common is
assert cells is not None and int(cells.readAhead()) == 0
imp = w.imageplus
imp.setSlice(4)                                    # ImageJ counts slices from 1
w.refresh()
assert imp.getProcessor().getPixelValue(7, 5) == data[3, 5, 7]
assert int(cells.loads()) < 3 * 2 * 2              # the slices shown, not the volume
print("ok")
""")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok", r.stdout
