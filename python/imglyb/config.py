"""JVM settings collected before the JVM starts.

Everything added here is used by the first :func:`imglyb.start_jvm` call, including the implicit
one on first use. After the JVM has started, changing the settings raises
:class:`imglyb.JVMAlreadyStartedError`, because a JVM cannot be reconfigured or restarted.
"""

from __future__ import annotations

import os
from typing import List, Union

from ._imglyb import JVMAlreadyStartedError, jvm_started

__all__ = ["add_classpath", "add_options", "get_classpath", "get_options"]

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
