"""Shared fixtures: one JVM for the whole session, started with -Xcheck:jni.

Tests that need a fresh JVM, other options or a broken environment run in a subprocess
(:func:`run_python`), because a process can hold one JVM and never restart it.
"""

import os
import subprocess
import sys
import textwrap

import pytest

import imglyb

SESSION_OPTIONS = ["-Xcheck:jni", "-Dimglyb.session=pytest"]


@pytest.fixture(scope="session", autouse=True)
def session_jvm():
    imglyb.start_jvm(options=SESSION_OPTIONS)
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
