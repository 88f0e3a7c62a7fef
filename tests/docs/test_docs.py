"""Every Python block of the README and of docs/*.md runs, page by page, top to bottom, as a
reader copies it: each page in a fresh interpreter of its own (so a page that starts the JVM with
options gets them), its blocks in order in one namespace, in a fresh working folder. Sybil parses
the pages (fenced ```python blocks and its skip directives); the blocks run in the page's
interpreter, and a failing block fails the page with its line and the traceback.

A block that needs what Maven Central does not serve says so on the page with a skip directive
(``<!-- skip: next if(not HAVE_BDV, reason="...") -->``); the conditions below tell whether it is
here. Windows a block opens are real (ci/test runs this under Xvfb); a reader closes them, which
the harness does a few seconds after a block waits for them (``imglyb.wait_for_windows()``).

Run by ci/test: ``xvfb-run -a .venv/bin/python -m pytest tests/docs``.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap
from unittest import SkipTest

import pytest
from sybil import Document
from sybil.example import SybilFailure
from sybil.parsers.markdown import CodeBlockParser, SkipParser

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# What the skip directives' conditions can use.
CONDITIONS = {
    "HAVE_BDV": bool(os.environ.get("IMGLYB_TEST_BDV_CLASSPATH")),
    "HAVE_IMAGEJ_COMMON": bool(os.environ.get("IMGLYB_TEST_IMAGEJ_COMMON_CLASSPATH")),
    "HAVE_DISPLAY": bool(os.environ.get("DISPLAY")),
    "HAVE_FIJI": bool(os.environ.get("IMGLYB_TEST_FIJI")),
    "HAVE_BIGWARP": bool(os.environ.get("IMGLYB_TEST_BIGWARP_CLASSPATH")),
}


def _worker_env() -> dict[str, str]:
    """The page's environment: this one, with BigDataViewer's and imagej-common's jars on the
    classpath when the run names them (the pages' skip directives ask for them)."""
    env = dict(os.environ)
    extra = [os.environ.get(v, "") for v in ("IMGLYB_TEST_BDV_CLASSPATH", "IMGLYB_TEST_IMAGEJ_COMMON_CLASSPATH", "IMGLYB_TEST_BIGWARP_CLASSPATH")]
    entries = [e for e in [*extra, env.get("IMGLYB_CLASSPATH", "")] if e]
    if entries:
        env["IMGLYB_CLASSPATH"] = os.pathsep.join(entries)
    return env

# The page's interpreter: runs each block it is sent in one namespace, with the block's output
# on stderr, and answers on stdout with one JSON line. While a block runs, a watcher closes the
# block's windows once it waits for them, as a reader would.
WORKER = textwrap.dedent(
    r'''
    import json, sys, threading, time, traceback

    answer = sys.stdout
    sys.stdout = sys.stderr
    namespace = {"__name__": "__main__"}

    def close_windows_when_waited_for():
        viewer = sys.modules.get("imglyb.viewer")
        if viewer is None:
            return
        original = viewer.wait_for_windows

        def wait_for_windows(poll_seconds=0.2):
            def close():
                time.sleep(3)
                import imglyb
                for w in imglyb.jimport("java.awt.Window").getWindows():
                    w.dispose()
            threading.Thread(target=close, daemon=True).start()
            original(poll_seconds)

        viewer.wait_for_windows = wait_for_windows
        imglyb = sys.modules.get("imglyb")
        if imglyb is not None:
            imglyb.wait_for_windows = wait_for_windows

    for line in sys.stdin:
        block = json.loads(line)
        try:
            close_windows_when_waited_for()
            exec(compile(block["source"], block["where"], "exec"), namespace)
            close_windows_when_waited_for()
            reply = {"ok": True}
        except BaseException:
            reply = {"ok": False, "error": traceback.format_exc()}
        answer.write(json.dumps(reply) + "\n")
        answer.flush()
    '''
)


class PageInterpreter:
    """A fresh Python for one page; :meth:`evaluate` is Sybil's evaluator for its blocks."""

    def __init__(self, cwd: pathlib.Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # the blocks' own output goes to the test's output
            cwd=cwd,
            env=_worker_env(),
            text=True,
        )

    def evaluate(self, example) -> str | None:
        where = f"{pathlib.Path(example.path).relative_to(ROOT)}:{example.line}"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"source": example.parsed, "where": where}) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            return f"{where}: the page's interpreter died (exit code {self.proc.wait()})"
        answer = json.loads(reply)
        return None if answer["ok"] else f"{where}: the block failed\n{answer['error']}"

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def pages_with_python() -> list[pathlib.Path]:
    return [p for p in PAGES if "```python" in p.read_text()]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", pages_with_python(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_runs_top_to_bottom(page: pathlib.Path, tmp_path: pathlib.Path) -> None:
    interpreter = PageInterpreter(tmp_path)
    try:
        document = Document.parse(str(page), CodeBlockParser("python", interpreter.evaluate), SkipParser())
        document.namespace.update(CONDITIONS)
        ran, skipped = 0, []
        for example in document:
            try:
                example.evaluate()  # a code block in the page's interpreter, or a skip directive
            except SkipTest as why:
                skipped.append(f"line {example.line}: {why}")
                continue
            except SybilFailure as failure:
                pytest.fail(str(failure), pytrace=False)
            ran += isinstance(example.region.evaluator, type(interpreter.evaluate))
        assert ran, f"{page}: no Python block ran"
        if skipped:
            print(f"{page.relative_to(ROOT)}: skipped {'; '.join(skipped)}")
    finally:
        interpreter.close()
