"""JVM settings collected before the JVM starts.

Everything added here is used by the first :func:`imglyb.start_jvm` call, including the implicit
one on first use. After the JVM has started, changing the settings raises
:class:`imglyb.JVMAlreadyStartedError`, because a JVM cannot be reconfigured or restarted.
"""

from __future__ import annotations

import os
from typing import List, Union

from ._imglyb import JVMAlreadyStartedError, jvm_started

__all__ = ["add_classpath", "add_fiji", "add_options", "get_classpath", "get_options"]

_classpath: List[str] = []
_options: List[str] = []


def _check_not_started() -> None:
    if jvm_started():
        raise JVMAlreadyStartedError(
            "the JVM is already running; imglyb.config must be changed before the first use "
            "of Java (or before imglyb.start_jvm())"
        )


def add_classpath(*entries: Union[str, "os.PathLike[str]"]) -> None:
    """Add jars or class folders; ``folder/*`` stands for every jar in the folder."""
    _check_not_started()
    _classpath.extend(os.fspath(e) for e in entries)


# Folders of a Fiji installation's jars/ that hold other platforms' native libraries.
_OTHER_PLATFORMS = {"win32", "win64", "macosx", "macos", "macos-arm64", "linux32"}


def add_fiji(fiji: Union[str, "os.PathLike[str]"]) -> List[str]:
    """Add every jar of a Fiji installation: ``fiji/jars`` and its subfolders (other platforms'
    folders skipped), in sorted order, and ``fiji/plugins`` likewise. Fiji's own ImgLib2 then
    comes before Debian's. Returns the jars added.

    Raises:
        FileNotFoundError: ``fiji`` has no ``jars`` folder with jars in it.
    """
    _check_not_started()
    root = os.fspath(fiji)
    jars_dir = os.path.join(root, "jars")
    if not os.path.isdir(jars_dir):
        raise FileNotFoundError(
            f"{root!r} is not a Fiji installation: it has no jars/ folder (pass the folder that "
            "contains jars/ and plugins/, e.g. ~/Fiji.app)"
        )
    found: List[str] = []
    for top in (jars_dir, os.path.join(root, "plugins")):
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in _OTHER_PLATFORMS)
            found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".jar"))
    if not found:
        raise FileNotFoundError(f"no jars found under {jars_dir!r}")
    _classpath.extend(found)
    return found


def add_options(*options: str) -> None:
    """Add JVM options such as ``-Xmx4g`` or ``-Dkey=value``."""
    _check_not_started()
    for option in options:
        if not isinstance(option, str):
            raise TypeError(f"JVM options are strings, got {type(option).__name__}")
    _options.extend(options)


def get_classpath() -> List[str]:
    """The classpath entries added so far (a copy)."""
    return list(_classpath)


def get_options() -> List[str]:
    """The JVM options added so far (a copy)."""
    return list(_options)
