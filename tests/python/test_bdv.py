"""imglyb.bdv against a real BigDataViewer, in real windows under Xvfb.

BigDataViewer is not on Maven Central (docs/compatibility.md), so CI has none and these tests
run only where ``IMGLYB_TEST_BDV_CLASSPATH`` names its jars (a path list: bigdataviewer-core,
bigdataviewer-vistools and their dependencies, with the ImgLib2 they were built against first).
They were run by hand against BigDataViewer core 4.3.2 and vistools 1.0.0-beta-10 built from
their public sources on Debian's ImgLib2 4.5.0 (all 6 passed on 2026-12-04).
"""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

BDV_CLASSPATH = os.environ.get("IMGLYB_TEST_BDV_CLASSPATH", "")
pytestmark = pytest.mark.skipif(
    not BDV_CLASSPATH, reason="IMGLYB_TEST_BDV_CLASSPATH names no BigDataViewer jars (not on Maven Central)"
)

# Captures the viewer as it is on the (virtual) screen (BdvWindow.capture_png), as RGB.
CAPTURE = """
import numpy as np, os, tempfile, time, imglyb
from PIL import Image
def capture(window, settle=1.5):
    path = os.path.join(tempfile.mkdtemp(), "shot.png")
    window.capture_png(path, settle)
    return np.asarray(Image.open(path).convert("RGB"))
def bright_centroid(rgb):
    ys, xs = np.nonzero(rgb.max(axis=-1) > 128)
    assert ys.size, "nothing bright on the screen"
    return ys.mean() / rgb.shape[0], xs.mean() / rgb.shape[1]
"""


def run_bdv(code: str, timeout: float = 180) -> subprocess.CompletedProcess:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: ./ci/setup installs Debian's xvfb"
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["IMGLYB_CLASSPATH"] = BDV_CLASSPATH
    env["IMGLYB_SYSTEM_JARS"] = "0"
    return subprocess.run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x1024x24", sys.executable, "-c",
         CAPTURE + textwrap.dedent(code)],
        env=env, capture_output=True, text=True, timeout=timeout,
    )


def test_numpy_float_volume_renders_with_its_value_range_and_orientation():
    r = run_bdv("""
        a = np.zeros((100, 160), np.float32)   # y, x; values far below BigDataViewer's 0..65535
        a[15:35, 110:150] = 0.5                 # top right
        w = imglyb.bdv.show(a, "float", is_2d=True, title="imglyb test")
        assert w.source.getClass().getName() == "bdv.util.BdvStackSource"
        assert np.shares_memory(imglyb.to_numpy(w.image, copy=False), a)
        frame = imglyb.jimport("javax.swing.SwingUtilities").getWindowAncestor(w.handle.getViewerPanel())
        assert frame.getTitle() == "imglyb test", frame.getTitle()
        rgb = capture(w)
        y, x = bright_centroid(rgb)            # not black: the display range is the data's
        assert x > 0.5 and y < 0.5, (y, x)     # x to the right, y down
        a[70:90, 10:40] = 0.5                   # NumPy writes; the window shows it after refresh
        w.refresh()
        rgb2 = capture(w)
        h, wd = rgb2.shape[:2]
        assert rgb2[h // 2:, : wd // 2].max() > 128, "the NumPy edit is not drawn"
        assert imglyb.viewer.open_windows() == 1
        w.close()
        time.sleep(0.5)
        assert imglyb.viewer.open_windows() == 0
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


def test_two_sources_in_one_window_and_channels_as_sources():
    r = run_bdv("""
        base = np.random.default_rng(0).random((4, 32, 48), dtype=np.float32)
        w = imglyb.bdv.show(base, "first")
        w2 = w.add(base * 2, "second")           # the seed's demo: a second source, same window
        assert w2.handle.equals(w.handle)
        state = w.handle.getViewerPanel().getState()
        assert state.numSources() == 2, state.numSources()
        # (c, z, y, x): channels become sources with axis_order, not time points.
        cz = np.zeros((2, 4, 32, 48), np.uint16)
        c = imglyb.bdv.show(cz, "channels", axis_order="XYZC", voxel_size=(2.0, 1.0, 1.0))
        assert c.handle.getViewerPanel().getState().numSources() == 2
        assert c.handle.getViewerPanel().getState().getNumTimepoints() == 1
        t = imglyb.bdv.show(cz, "time")          # BigDataViewer's default for 4-D: XYZT
        assert t.handle.getViewerPanel().getState().getNumTimepoints() == 2
        try:
            imglyb.bdv.show(cz, "bad", axis_order="QQ")
        except ValueError as e:
            assert "XYZC" in str(e)
        for x in (w, c, t):
            x.close()
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


def test_argb_flag_shows_colour_and_wait_for_windows_waits():
    r = run_bdv("""
        import threading
        rgba = np.zeros((40, 60), np.uint32)
        rgba[:] = 0xFFFF0000                     # opaque red
        w = imglyb.bdv.show(rgba, "red", argb=True, is_2d=True)
        rgb = capture(w)
        red = (rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)
        assert red.mean() > 0.05, red.mean()
        threading.Timer(0.5, w.close).start()
        t0 = time.monotonic()
        imglyb.wait_for_windows()                # returns once BigDataViewer's window is closed
        assert time.monotonic() - t0 >= 0.4
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


def test_show_never_deadlocks():
    """BigDataViewer built its dialogs on the calling thread while the event thread laid them
    out, and hung about one process in four; imglyb.bdv.show runs on the event thread."""
    for _ in range(8):
        r = run_bdv("""
            w = imglyb.bdv.show(np.ones((8, 16, 16), np.float32), "x")
            w.close()
            print("ok")
        """, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr


def test_paint_example_paints_from_bigdataviewer(tmp_path):
    """examples/paint.py on BigDataViewer: synthetic presses on the viewer's display paint
    spheres into the NumPy array at the voxels BigDataViewer shows there."""
    import json
    import pathlib

    import numpy as np

    root = pathlib.Path(__file__).resolve().parents[2]
    xvfb_run = shutil.which("xvfb-run")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["IMGLYB_CLASSPATH"] = BDV_CLASSPATH
    env["IMGLYB_SYSTEM_JARS"] = "0"
    r = subprocess.run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x1024x24", sys.executable, str(root / "examples" / "paint.py"),
         "--headless", "--viewer", "bdv", "--out", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    sys.path.insert(0, str(root / "examples"))
    try:
        import paint
    finally:
        sys.path.pop(0)
    arr = np.load(tmp_path / "paint-bdv.npy")
    clicks = json.loads((tmp_path / "paint-bdv_clicks.json").read_text())["clicks"]
    assert [(c["z"], c["y"], c["x"]) for c in clicks] == paint.HEADLESS_CLICKS
    expected = paint.make_volume()
    for c in clicks:
        expected[paint.sphere_mask(arr.shape, (c["z"], c["y"], c["x"]), c["radius"])] = c["value"]
    np.testing.assert_array_equal(arr, expected)


def test_a_dask_volume_three_times_ram_renders_without_waiting_for_python():
    r = run_bdv("""
        import threading
        import dask.array as da
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        planes = -(-3 * ram // (512 * 512 * 4)) + 64
        planes += (-planes) % 64
        started = []
        gate = threading.Event()
        def cell(block_info=None):
            (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
            started.append(z0)
            gate.wait(30)                            # Python is slow: BigDataViewer must not wait
            z, y, x = np.ogrid[z0:z1, y0:y1, x0:x1]
            return np.where((x // 64 + y // 64) % 2 == 1, 200.0, 0.0).astype(np.float32) + 0 * z
        volume = da.map_blocks(cell, dtype=np.float32, chunks=((64,) * (planes // 64), (256, 256), (256, 256)),
                               meta=np.empty((0, 0, 0), np.float32))
        assert volume.nbytes >= 3 * ram
        t0 = time.monotonic()
        w = imglyb.bdv.show(volume, "3x RAM", display_range=(0, 200))
        assert time.monotonic() - t0 < 20, "showing waited for Python"
        assert imglyb.jimport("net.imglib2.util.Util").getTypeFromInterval(w.image).getClass().getSimpleName() == "VolatileFloatType"
        gate.set()                                   # cells arrive; each repaints the viewer
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rgb = capture(w)
            if rgb.max() > 128:
                break
        assert rgb.max() > 128, "the computed cells were never drawn"
        assert len(started) < 200, len(started)     # the visible cells, not the volume
        w.close()
        print("ok")
    """, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


def test_the_original_util_names_drive_bigdataviewer():
    """imglyb.util as the original example scripts use it (docs/migrating.md): BdvFunctions,
    options2D(), BdvOptions.addTo(bdv) on the class (an instance method since BigDataViewer 10),
    a Python overlay and mouse listener, Helpers.behaviours() with a PythonJavaClass behaviour,
    and BdvWindowClosedCheck seeing the window close."""
    r = run_bdv("""
        import threading
        from imglyb import util
        from imglyb.util import autoclass, cast, PythonJavaClass, java_method
        argb = np.full((100, 160), 0xFF000000 | 200 << 16, np.uint32)   # opaque red
        bdv = util.BdvFunctions.show(util.to_imglib_argb(argb), "argb", util.options2D().frameTitle("compat"))
        gray = np.zeros((100, 160), np.float32)
        second = util.BdvFunctions.show(util.to_imglib(gray), "gray", util.BdvOptions.addTo(bdv))
        vp = bdv.getBdvHandle().getViewerPanel()
        assert second.getBdvHandle().getViewerPanel() is not None
        assert vp.state().getSources().size() == 2        # one window, two sources
        drawn, sizes = threading.Event(), []
        def draw(g):
            cast("java.awt.Graphics2D", g).drawString("hello", 30, 30)
            drawn.set()
        overlay = util.GenericOverlayRenderer(draw, lambda w, h: sizes.append((w, h)))
        vp.getDisplay().overlays().add(overlay)
        vp.getDisplay().addMouseMotionListener(util.GenericMouseMotionListener())
        vp.requestRepaint()
        assert drawn.wait(10), "the Python overlay was never drawn"
        assert sizes and sizes[0][0] > 0, sizes
        class Drag(PythonJavaClass):
            __javainterfaces__ = ["org/scijava/ui/behaviour/DragBehaviour"]
            def __init__(self):
                super().__init__()
                self.seen = []
            @java_method("(II)V")
            def init(self, x, y): self.seen.append(("init", x, y))
            @java_method("(II)V")
            def drag(self, x, y): self.seen.append(("drag", x, y))
            @java_method("(II)V")
            def end(self, x, y): self.seen.append(("end", x, y))
        painter = Drag()
        behaviours = util.Helpers.behaviours()
        behaviours.install(bdv.getBdvHandle().getTriggerbindings(), "paint")
        behaviours.behaviour(painter, "paint", "SPACE button1")
        painter.__javaobject__.init(3, 4)
        assert painter.seen == [("init", 3, 4)]
        check = autoclass("net.imglib2.python.BdvWindowClosedCheck")()
        frame = cast("javax.swing.JFrame", autoclass("javax.swing.SwingUtilities").getWindowAncestor(vp))
        assert frame.getTitle() == "compat"
        frame.addWindowListener(check)
        assert check.isOpen()
        bdv.getBdvHandle().close()
        for _ in range(50):
            if not check.isOpen():
                break
            time.sleep(0.1)
        assert check.isClosed()
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"


ORIGINAL_EXAMPLES = os.environ.get("IMGLYB_TEST_ORIGINAL_EXAMPLES", "")


@pytest.mark.skipif(not ORIGINAL_EXAMPLES, reason="IMGLYB_TEST_ORIGINAL_EXAMPLES names no folder of the original imglyb example scripts")
@pytest.mark.parametrize("script", ["views_stack.py", "bdv_hello_world.py", "bdv_painter.py"])
def test_an_original_example_runs_with_only_its_import_changed(script, tmp_path):
    """The original imglyb's example scripts (imglyb-examples, pyjnius era), with `from jnius
    import` changed to `from imglyb.util import` and nothing else; a timer closes the window,
    which the script waits for with BdvWindowClosedCheck."""
    source = (pathlib.Path(ORIGINAL_EXAMPLES) / script).read_text()
    assert "from jnius import" in source
    edited = tmp_path / script
    edited.write_text(source.replace("from jnius import", "from imglyb.util import"))
    r = run_bdv(f"""
        import runpy, sys, threading
        def close_all():
            time.sleep(8)
            Frame = imglyb.jimport("java.awt.Frame")
            WindowEvent = imglyb.jimport("java.awt.event.WindowEvent")
            for f in Frame.getFrames():
                f.dispatchEvent(WindowEvent(f, WindowEvent.WINDOW_CLOSING))
        threading.Thread(target=close_all, daemon=True).start()
        sys.argv = [{str(edited)!r}]
        runpy.run_path({str(edited)!r}, run_name="__main__")
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok"
