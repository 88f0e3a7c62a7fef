"""Java windows from a Python script, on every system: ``python -m imglyb.gui script.py``.

On macOS, Java's AWT and Swing (ImageJ, BigDataViewer, BigWarp) need the process's first
thread to run the Cocoa event loop, and a plain ``python`` keeps that thread for the
interpreter. This module runs a script (or a module, with ``-m``) on a second thread and gives
the first thread to that loop; the process ends with the script's exit status. On Linux and
Windows the script runs as ``python script.py`` would run it. See ``docs/macos.md``.

    python -m imglyb.gui my_script.py arg1 arg2
    python -m imglyb.gui -m my_package.viewer arg1
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
from typing import Any, Callable, Optional

from . import _imglyb

__all__ = ["main", "require_display", "run", "running"]

#: How long the first thread pumps events between looks at the script and at signals (Ctrl-C).
_SLICE_SECONDS = 0.05
#: The script thread's stack: macOS gives a second thread 512 KiB, where the first has 8 MiB.
_STACK_BYTES = 16 * 2**20

_running = False


def running() -> bool:
    """Whether this process runs under :func:`run` (``python -m imglyb.gui``) on macOS, so that
    Java windows can be shown."""
    return _running


def run(target: Callable[[], Any]) -> Any:
    """Calls ``target()`` where Java windows work, and returns what it returns (or raises what
    it raised). On macOS that is a second thread, with this (the first) thread pumping the
    Cocoa event loop until ``target`` returns; it must be called on the first thread. Elsewhere,
    and inside a script that already runs under it, ``target`` is simply called."""
    global _running
    if sys.platform != "darwin" or _running:
        return target()  # no loop needed, or one already runs (a script under the wrapper)
    if threading.current_thread() is not threading.main_thread():
        raise _imglyb.ImglybError(
            "imglyb.gui.run must be called on the main thread: on macOS that thread runs the "
            "Cocoa event loop Java windows need"
        )
    outcome: dict[str, Any] = {}

    def body() -> None:
        try:
            outcome["value"] = target()
        except BaseException as e:  # handed to the first thread, which raises it
            outcome["error"] = e

    # Set before the script starts, so that its first window already finds the loop.
    _running = True
    try:
        previous = threading.stack_size(_STACK_BYTES)
        try:
            worker = threading.Thread(target=body, name="imglyb.gui script", daemon=True)
            worker.start()
        finally:
            threading.stack_size(previous)
        while worker.is_alive():
            _imglyb._gui_pump(_SLICE_SECONDS)  # Ctrl-C is raised here, between slices
    finally:
        _running = False
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def require_display(what: str, hint: str = "") -> None:
    """Raises ``ImglybError`` naming the fix when ``what`` (a Java window) cannot be shown: with
    no X display on Linux and other Unix systems, and on macOS outside :func:`run`. ``hint``
    (a clause such as "X works without one") ends the message."""
    tail = f"; {hint}" if hint else ""
    if sys.platform == "darwin":
        if not _running:
            raise _imglyb.ImglybError(
                f"{what} needs the main thread's Cocoa event loop on macOS, which a plain `python` "
                "keeps for the interpreter: run the script as `python -m imglyb.gui script.py` "
                f"(or call imglyb.gui.run(function) on the main thread){tail}"
            )
    elif sys.platform != "win32" and not os.environ.get("DISPLAY"):
        raise _imglyb.ImglybError(
            f"{what} needs a display: set DISPLAY to an X server, or run under Xvfb "
            f"(for example `xvfb-run -a python script.py`){tail}"
        )


_USAGE = "usage: python -m imglyb.gui (SCRIPT | -m MODULE) [ARGUMENTS...]"


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m imglyb.gui``: runs a script or module (with its own arguments in
    ``sys.argv``) where Java windows work; returns its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    if args[0] == "-m":
        if len(args) < 2:
            print(_USAGE, file=sys.stderr)
            return 2
        name, rest = args[1], args[2:]
        sys.argv = [name, *rest]
        target: Callable[[], Any] = lambda: runpy.run_module(name, run_name="__main__", alter_sys=True)
    else:
        path, rest = args[0], args[1:]
        if not os.path.isfile(path):
            print(f"imglyb.gui: no such script: {path}\n{_USAGE}", file=sys.stderr)
            return 2
        sys.argv = [path, *rest]
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        target = lambda: runpy.run_path(path, run_name="__main__")
    try:
        run(target)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code, file=sys.stderr)  # as the interpreter does with a message
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
