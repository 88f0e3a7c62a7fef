"""What the package registers once, at import: the Python behaviour the native module needs
(``_imglyb._register_hooks``: it never imports the package), JPype's ``startJVM`` customized with
imglyb's jars, scyjava's Java resolution preferring the local Java (no download), and scyjava's
converters when scyjava is in use."""

from __future__ import annotations

import sys
from typing import Any, Optional

from . import _imglyb, _jpype, _jvm, arraylike, interop

__all__ = ["convert_args"]


def convert_args(args: tuple) -> Optional[tuple]:
    """``args`` with every JPype object (also inside lists and tuples) replaced by its imglyb
    proxy, and every object that carries a Java object of its own (``__javaobject__``, as
    :class:`imglyb.util.PythonJavaClass` instances do) by that, or None when there is none:
    imglyb's calls try this when an argument was refused."""
    jpype_loaded = "_jpype" in sys.modules
    changed = False

    def convert(a: Any) -> Any:
        nonlocal changed
        if jpype_loaded and _jpype.is_jpype(a):
            changed = True
            return interop.from_jpype(a)
        carried = getattr(a, "__javaobject__", None)
        if isinstance(carried, _imglyb.JavaObject):
            changed = True
            return carried
        if isinstance(a, (list, tuple)):
            items = [convert(x) for x in a]
            return type(a)(items) if isinstance(a, tuple) else items
        return a

    out = tuple(convert(a) for a in args)
    return out if changed else None


_imglyb._register_hooks(_jvm.ensure_jvm, convert_args, arraylike)
_jpype.customize_jpype(_jvm.jars_after)
_jpype.customize_scyjava()
if "scyjava" in sys.modules:
    interop.register_scyjava_converters()
