"""``python -m imglyb.gui``: scripts and modules run where Java windows work (on macOS under the
Cocoa event loop, elsewhere as they are), with their arguments and exit status; the old
``imglyb.OSXAWTwrapper`` name does the same; and a Java window asked for where it cannot be
shown is a clear error naming the fix."""

from __future__ import annotations

import subprocess
import sys

import pytest

import imglyb
import imglyb.gui
from conftest import run_python


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "show_args.py"
    path.write_text(
        "import sys, threading\n"
        "import numpy as np, imglyb\n"
        "img = imglyb.to_imglib(np.arange(6, dtype=np.float32).reshape(2, 3))\n"
        "print('args', sys.argv[1:], 'name', __name__, 'sum', float(imglyb.to_numpy(img).sum()))\n"
        "sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 0)\n"
    )
    (tmp_path / "gui_probe_module.py").write_text(
        "import sys\nprint('module', __name__, sys.argv)\n"
    )
    return path


def test_a_script_runs_with_its_arguments_and_exit_status(tmp_path, script):
    ok = _run(tmp_path, "-m", "imglyb.gui", str(script), "a", "b")
    assert ok.returncode == 0, ok.stderr
    assert "args ['a', 'b'] name __main__ sum 15.0" in ok.stdout
    assert _run(tmp_path, "-m", "imglyb.gui", str(script), "3").returncode == 3
    module = _run(tmp_path, "-m", "imglyb.gui", "-m", "gui_probe_module", "x")
    assert module.returncode == 0, module.stderr
    assert "module __main__" in module.stdout and "'x'" in module.stdout


def test_the_old_wrapper_name_runs_scripts_and_modules(tmp_path, script):
    by_path = _run(tmp_path, "-m", "imglyb.OSXAWTwrapper", str(script), "z")
    assert by_path.returncode == 0, by_path.stderr
    assert "args ['z']" in by_path.stdout
    by_name = _run(tmp_path, "-m", "imglyb.OSXAWTwrapper", "gui_probe_module", "y")
    assert by_name.returncode == 0, by_name.stderr
    assert "module __main__" in by_name.stdout


def test_bad_invocations_say_how_to_call_it(tmp_path):
    for args in ([], ["-m"], ["no_such_script.py"]):
        result = _run(tmp_path, "-m", "imglyb.gui", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "usage: python -m imglyb.gui" in result.stderr


def test_run_calls_the_target_and_raises_what_it_raised():
    assert imglyb.gui.run(lambda: 42) == 42
    with pytest.raises(KeyError):
        imglyb.gui.run(lambda: {}["missing"])


def test_the_event_loop_is_refused_where_it_is_not_needed():
    if sys.platform == "darwin":
        pytest.skip("macOS runs the loop")
    with pytest.raises(imglyb.ImglybError, match="only macOS"):
        imglyb._imglyb._gui_pump(0.0)
    with pytest.raises(ValueError):
        imglyb._imglyb._gui_pump(-1.0)


def test_windows_without_a_display_name_the_fix():
    result = run_python(
        """
        import sys, numpy as np, imglyb, imglyb.gui, imglyb.viewer
        try:
            imglyb.viewer.show(np.zeros((4, 4), np.float32))
        except imglyb.ImglybError as e:
            print("linux:", e)
        sys.platform = "darwin"  # what a Mac would say, outside python -m imglyb.gui
        try:
            imglyb.gui.require_display("BigDataViewer")
        except imglyb.ImglybError as e:
            print("macos:", e)
        """,
        env={"DISPLAY": None},
    )
    assert result.returncode == 0, result.stderr
    assert "linux: imglyb.show needs a display: set DISPLAY" in result.stdout
    assert "render work without one" in result.stdout
    assert "macos: BigDataViewer needs the main thread's Cocoa event loop on macOS" in result.stdout
    assert "python -m imglyb.gui script.py" in result.stdout


def test_on_macos_the_script_runs_on_a_second_thread_while_the_first_pumps():
    """The thread arrangement of imglyb.gui.run as macOS gets it, with the event pump (AppKit,
    which only a Mac has) replaced by one that records where it runs and sleeps its slice."""
    result = run_python(
        """
        import sys, threading, time
        import imglyb, imglyb.gui
        sys.platform = "darwin"
        pumps = []
        def pump(seconds):
            pumps.append(threading.current_thread() is threading.main_thread())
            time.sleep(seconds)
        imglyb.gui._imglyb._gui_pump = pump

        def script():
            assert threading.current_thread() is not threading.main_thread()
            imglyb.gui.require_display("BigDataViewer")  # the loop runs: no error
            assert imglyb.gui.run(lambda: 7) == 7  # nested: simply called
            time.sleep(0.2)
            return 42

        print("value", imglyb.gui.run(script), "pumped on main", all(pumps), len(pumps) >= 2)
        try:
            imglyb.gui.run(lambda: 1 / 0)
        except ZeroDivisionError:
            print("error raised on the main thread")
        try:
            imglyb.gui.require_display("BigDataViewer")
        except imglyb.ImglybError:
            print("refused after the loop")
        errors = []
        def off_main():
            try:
                imglyb.gui.run(lambda: None)
            except imglyb.ImglybError as e:
                errors.append(str(e))
        t = threading.Thread(target=off_main); t.start(); t.join()
        print("off main:", errors)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "value 42 pumped on main True True" in result.stdout
    assert "error raised on the main thread" in result.stdout
    assert "refused after the loop" in result.stdout
    assert "must be called on the main thread" in result.stdout
