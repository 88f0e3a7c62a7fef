"""Shared fixtures: one JVM for the whole session, started with -Xcheck:jni.

Tests that need a fresh JVM, other options or a broken environment run in a subprocess
(:func:`run_python`), because a process can hold one JVM and never restart it.
"""

from __future__ import annotations

import gc
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import imglyb

SESSION_OPTIONS = ["-Xcheck:jni", "-Dimglyb.session=pytest"]
FIXTURE_SOURCES = pathlib.Path(__file__).resolve().parent.parent / "java"


def _javac() -> str:
    if os.environ.get("IMGLYB_TEST_JAVAC"):
        # ci/wheel-test hides every Java from imglyb's search; the tests still compile with this.
        return os.environ["IMGLYB_TEST_JAVAC"]
    home = os.environ.get("JAVA_HOME")
    if home and (pathlib.Path(home) / "bin" / "javac").exists():
        return str(pathlib.Path(home) / "bin" / "javac")
    found = shutil.which("javac")
    if found is None:
        raise RuntimeError("the bridge tests compile tests/java and need javac (ci/setup installs a JDK)")
    return found


def _imglib2_under_test() -> str:
    """The ImgLib2 jar the tests run on: the first ``imglib2-*.jar`` in ``IMGLYB_CLASSPATH`` (ci/test
    runs the suite a second time with ImgLib2 8.x that way), else ``IMGLYB_IMGLIB2_JAR``, else the
    wheel's own, else Debian's (ci/test's first runs set ``IMGLYB_BUNDLED_JARS=0``). The fixtures
    are compiled against it, so they link whatever the version."""
    for entry in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep):
        if re.fullmatch(r"imglib2(-[0-9][^/]*)?\.jar", pathlib.Path(entry).name):
            return entry
    if os.environ.get("IMGLYB_IMGLIB2_JAR"):
        return os.environ["IMGLYB_IMGLIB2_JAR"]
    # The ImgLib2 the wheel carries comes before Debian's (IMGLYB_BUNDLED_JARS=0 leaves it off).
    bundled = [j for j in imglyb._jvm.bundled_jars() if re.fullmatch(r"imglib2-[0-9][^/]*\.jar", os.path.basename(j))]
    return bundled[0] if bundled else "/usr/share/java/imglib2.jar"


def _jar_version(jar: str) -> str:
    """The version in a jar's Maven ``pom.properties``, else its manifest's
    ``Implementation-Version`` ('' when it has neither)."""
    import zipfile

    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
                m = re.search(r"^version=(\S+)", z.read(name).decode("utf-8", "replace"), re.MULTILINE)
                if m:
                    return m.group(1)
        manifest = z.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    m = re.search(r"^Implementation-Version:\s*(\S+)", manifest, re.MULTILINE)
    return m.group(1) if m else ""


def imglib2_at_least(major: int, minor: int = 0) -> bool:
    """Whether the ImgLib2 under test is at least ``major.minor``."""
    parts = [int(p) for p in re.findall(r"\d+", IMGLIB2_VERSION)[:2]] + [0, 0]
    return tuple(parts[:2]) >= (major, minor)


#: Embedded classes that implement ImgLib2 interfaces newer than 4.5, with the version that has
#: them; imglyb loads them only there.
VERSION_GATED_CLASSES = {"org.imglyb.memory.NativeBooleanAccess": (5, 6)}


def linkable_bridge_classes() -> list:
    """The embedded classes that link against the ImgLib2 under test."""
    return [
        n for n in imglyb._imglyb._bridge_classes()
        if n not in VERSION_GATED_CLASSES or imglib2_at_least(*VERSION_GATED_CLASSES[n])
    ]


#: The ImgLib2 jar the suite runs on, its version, and the classpath the JVM gets from the
#: environment (``IMGLYB_CLASSPATH`` entries, or Debian's ImgLib2 when that is unset).
IMGLIB2_JAR = _imglib2_under_test()
IMGLIB2_VERSION = _jar_version(IMGLIB2_JAR)
ENV_CLASSPATH = [e for e in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep) if e] or [IMGLIB2_JAR]


@pytest.fixture(scope="session")
def fixture_classes(tmp_path_factory) -> str:
    """tests/java compiled into a folder, for the session classpath and for subprocesses."""
    out = tmp_path_factory.mktemp("fixture-classes")
    sources = sorted(str(p) for p in FIXTURE_SOURCES.rglob("*.java"))
    imglib2 = _imglib2_under_test()
    subprocess.run([_javac(), "--release", "11", "-cp", imglib2, "-d", str(out), *sources], check=True)
    return str(out)


@pytest.fixture(scope="session", autouse=True)
def session_jvm(fixture_classes):
    imglyb.start_jvm(classpath=[fixture_classes], options=SESSION_OPTIONS)
    yield


def run_python(code: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter (the same one as the tests) and returns the result.

    ``env`` entries are added to a copy of the environment; a value of ``None`` removes the
    variable. Under emulation (``IMGLYB_TEST_EMULATED``: ci/cross runs an aarch64 interpreter
    under qemu, which cannot start another emulated process) the test is skipped.
    """
    if os.environ.get("IMGLYB_TEST_EMULATED"):
        pytest.skip("needs a fresh interpreter, which qemu's user-mode emulation cannot start")
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    result.stdout = strip_exit_signal_reports(result.stdout)
    return result


# HotSpot's -Xcheck:jni compares the installed signal handlers with a table it saved at start,
# every few milliseconds, on its WatcherThread. At process exit that thread can still run while
# exit() frees the table, and then prints one report per signal with garbage "Expected" entries
# while the handlers installed are still the JVM's own. With -Xcheck:jni imglyb shuts the JVM
# down first (runtime/exit.rs), except while another non-daemon Java thread runs (a window), so
# such reports remain possible in subprocesses that keep one; they are dropped here.
# A report where a handler really was replaced (by faulthandler, say) names a handler outside
# libjvm.so and is kept, so the tests still see it.
_SIGNAL_REPORT = re.compile(
    r"^Warning: SIG\w+ handler modified!\n(?:.*\n)*?Consider using jsig library\.\n?", re.MULTILINE
)
_MODIFIED_HANDLER = re.compile(r"^\s*SIG\w+: (.*)\n\s*\*\*\* Handler was modified!", re.MULTILINE)


def _benign(report: str) -> bool:
    installed = _MODIFIED_HANDLER.findall(report)
    return bool(installed) and all(" in libjvm.so, " in handler for handler in installed)


_TRUNCATED_REPORT = re.compile(r"^Warning: SIG(?:.*\n?)*\Z", re.MULTILINE)
_HANDLER_LINE = re.compile(r"^\s*SIG\w+:[ \t]*(\S.*)$", re.MULTILINE)
_BARE_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def _benign_truncated(report: str) -> bool:
    """A report cut short by the process exiting (no closing line): benign when every handler it
    got to name is libjvm's. The exit can cut a handler line after its address and before the
    library name (seen once in the wheel test: ``SIGSEGV: 0x00007f9624c4d4e0`` and then nothing);
    such a cut last line names no library and is not counted against the report."""
    if "Consider using jsig library." in report:
        return False
    handlers = _HANDLER_LINE.findall(report)
    if handlers and not report.endswith("\n") and _BARE_ADDRESS.fullmatch(handlers[-1].strip()):
        handlers.pop()
    return all(" in libjvm.so" in h or h.startswith("SIG_") for h in handlers)


def strip_exit_signal_reports(stdout: str) -> str:
    """``stdout`` without -Xcheck:jni signal reports whose installed handlers are all the JVM's,
    including one that the exiting process cut short."""
    stdout = _SIGNAL_REPORT.sub(lambda m: "" if _benign(m.group(0)) else m.group(0), stdout)
    return _TRUNCATED_REPORT.sub(lambda m: "" if _benign_truncated(m.group(0)) else m.group(0), stdout)


def collect_until(predicate, rounds: int = 100) -> bool:
    """Runs garbage collection on both sides until ``predicate()`` holds (Java's cleaners run on
    their own thread, and PyO3 applies deferred reference drops at the next call into the
    module); returns whether it did within ``rounds``."""
    System = imglyb.jimport("java.lang.System")
    for _ in range(rounds):
        gc.collect()
        System.gc()
        time.sleep(0.02)
        imglyb.jvm_started()
        gc.collect()
        if predicate():
            return True
    return False
