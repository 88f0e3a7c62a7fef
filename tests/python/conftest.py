"""Shared fixtures: one JVM for the whole session, started with -Xcheck:jni.

Tests that need a fresh JVM, other options or a broken environment run in a subprocess
(:func:`run_python`), because a process can hold one JVM and never restart it.
"""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import imglyb

SESSION_OPTIONS = ["-Xcheck:jni", "-Dimglyb.session=pytest"]
FIXTURE_SOURCES = pathlib.Path(__file__).resolve().parent.parent / "java"


def _javac() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (pathlib.Path(home) / "bin" / "javac").exists():
        return str(pathlib.Path(home) / "bin" / "javac")
    found = shutil.which("javac")
    if found is None:
        raise RuntimeError("the bridge tests compile tests/java and need javac (ci/setup installs a JDK)")
    return found


@pytest.fixture(scope="session")
def fixture_classes(tmp_path_factory) -> str:
    """tests/java compiled into a folder, for the session classpath and for subprocesses."""
    out = tmp_path_factory.mktemp("fixture-classes")
    sources = sorted(str(p) for p in FIXTURE_SOURCES.rglob("*.java"))
    imglib2 = os.environ.get("IMGLYB_IMGLIB2_JAR", "/usr/share/java/imglib2.jar")
    subprocess.run([_javac(), "--release", "11", "-cp", imglib2, "-d", str(out), *sources], check=True)
    return str(out)


@pytest.fixture(scope="session", autouse=True)
def session_jvm(fixture_classes):
    imglyb.start_jvm(classpath=[fixture_classes], options=SESSION_OPTIONS)
    yield


def run_python(code: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter (the same one as the tests) and returns the result.

    ``env`` entries are added to a copy of the environment; a value of ``None`` removes the
    variable.
    """
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
