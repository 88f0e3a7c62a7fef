"""BigDataViewer, when its jars are on the classpath (for example from a Fiji installation, see
:func:`imglyb.config.add_fiji`). BigDataViewer is not in any package registry this project can
use, so only the error path is tested here; :func:`show` is one call into
``bdv.util.BdvFunctions.show`` on the zero-copy image."""

from __future__ import annotations

import os
from typing import Any

from . import _imglyb

_NO_BDV = (
    "BigDataViewer (bdv.util.BdvFunctions) is not on the Java classpath: call "
    "imglyb.config.add_fiji('/path/to/Fiji.app') before the JVM starts, or add BigDataViewer's "
    "jars (bigdataviewer-core, bigdataviewer-vistools and their dependencies) with "
    "IMGLYB_CLASSPATH or start_jvm(classpath=[...])"
)


def show(data: Any, name: str = "imglyb") -> Any:
    """Show a NumPy array (wrapped with no copy by :func:`imglyb.to_imglib`) or an ImgLib2
    image in BigDataViewer; returns BigDataViewer's ``BdvStackSource``.

    Raises:
        ImglybError: BigDataViewer is not on the classpath, or there is no display.
    """
    from . import _ensure_jvm

    _ensure_jvm()
    try:
        functions = _imglyb.jimport("bdv.util.BdvFunctions")
    except _imglyb.JavaException as e:
        raise _imglyb.ImglybError(f"{_NO_BDV} ({e.java_class}: {e.message})") from None
    if not os.environ.get("DISPLAY"):
        raise _imglyb.ImglybError(
            "BigDataViewer needs a display: set DISPLAY to an X server, or run under Xvfb"
        )
    image = data if isinstance(data, _imglyb.JavaObject) else _imglyb.to_imglib(data)
    return functions.show(image, name)
