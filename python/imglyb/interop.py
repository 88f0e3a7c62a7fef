"""One process with JPype (and so scyjava and pyimagej): Java objects handed over both ways.

imglyb and JPype are two Python bridges into the same JVM. :func:`to_jpype` gives an imglyb
proxy's Java object to JPype, and :func:`from_jpype` a JPype object's to imglyb; the object is the
same (never copied), and each side's proxy holds it alive. Every imglyb function that takes a Java
object also takes a JPype one.

Who starts the JVM:

- JPype first (``jpype.startJVM()``, ``scyjava.start_jvm()``, ``imagej.init()``), then imglyb,
  which attaches to that JVM. Then :func:`imglyb.to_imglib` and :func:`imglyb.to_imglib_argb`
  return JPype objects, as the original imglyb 2.x did, so that code written for it (pyimagej's
  ``ij.py.to_java``) runs unchanged; :func:`imglyb.to_numpy` takes them.
- imglyb first: JPype cannot attach to a JVM it did not create (its ``startJVM`` only creates
  one, and a process holds one), so :func:`to_jpype` raises an error that says to start JPype
  first.

The hand-over goes through ``org.imglyb.bridge.Exchange``, which imglyb defines in the system
class loader: one side gives the object to the current thread's slot, the other takes it.
"""

from __future__ import annotations

import sys
from typing import Any

from . import _contract, _imglyb, _jvm, _wrap
from ._jpype import (
    JPYPE_CLASSPATH_FIX,
    START_JPYPE_FIRST,
    JPypeStartError,
    customize_jpype,
    guard_jpype_start,
    is_jpype,
    jpype_module,
    jpype_owns_jvm,
)

__all__ = [
    "JPYPE_CLASSPATH_FIX",
    "JPypeStartError",
    "as_imglyb",
    "customize_jpype",
    "for_jpype_owner",
    "from_jpype",
    "guard_jpype_start",
    "is_jpype",
    "jpype_owns_jvm",
    "register_scyjava_converters",
    "to_jpype",
]

_jpype_exchange: list[Any] = []
_imglyb_exchange: list[Any] = []


def _exchanges() -> tuple[Any, Any]:
    """The Exchange class as imglyb's and as JPype's proxy."""
    if _jpype_exchange:
        return _imglyb_exchange[0], _jpype_exchange[0]
    if not _jpype_exchange:
        jpype = jpype_module()
        if jpype is None or not jpype.isJVMStarted():
            raise _imglyb.ImglybError(START_JPYPE_FIRST)
        _jvm.ensure_jvm()
        mine = _imglyb.jimport("org.imglyb.bridge.Exchange")
        try:
            theirs = jpype.JClass("org.imglyb.bridge.Exchange")
        except Exception as e:  # JPype's own exception types
            raise _imglyb.ImglybError(
                f"JPype cannot see imglyb's exchange class ({e}); is JPype running in the JVM "
                "imglyb attached to?"
            ) from None
        _imglyb_exchange.append(mine)
        _jpype_exchange.append(theirs)
        # The four calls of a hand-over, looked up once.
        # _jobject first: from_jpype's fast path reads it once _calls is filled.
        _jobject[:] = [sys.modules["_jpype"]._JObject]
        _calls[:] = [mine.give, mine.take, theirs.give, theirs.take]
        register_scyjava_converters()
    return _imglyb_exchange[0], _jpype_exchange[0]


_calls: list[Any] = []
_jobject: list[Any] = []


def to_jpype(obj: Any) -> Any:
    """The same Java object as a JPype proxy.

    ``obj`` is an imglyb proxy (a :class:`imglyb.JavaObject`, or a :class:`imglyb.JavaClass`,
    which becomes JPype's class), a JPype object (returned as it is), or a NumPy array or chunked
    array, which is first shared with :func:`imglyb.to_imglib`. ``None`` stays ``None``.

    Raises:
        ImglybError: JPype has not started the JVM (start JPype first, then imglyb).
        TypeError: ``obj`` is not a Java object and cannot be made one.
    """
    if type(obj) is _imglyb.JavaObject and _calls:
        _calls[0](obj)  # the common case first: imglyb's give, JPype's take
        return _calls[3]()
    if obj is None or is_jpype(obj):
        return obj
    _exchanges()
    if isinstance(obj, _imglyb.JavaClass):
        return jpype_module().JClass(obj.__javaname__)
    if not isinstance(obj, _imglyb.JavaObject):
        obj = _wrap.to_imglib_proxy(obj)
    _calls[0](obj)
    return _calls[3]()


def from_jpype(obj: Any) -> Any:
    """The same Java object as an imglyb proxy (:class:`imglyb.JavaObject`; a JPype class becomes
    a :class:`imglyb.JavaClass`). imglyb proxies are returned as they are.

    Raises:
        TypeError: ``obj`` is neither a JPype nor an imglyb Java object.
    """
    if _calls and isinstance(obj, _jobject[0]):
        _calls[2](obj)  # the common case first: JPype's give, imglyb's take
        return _calls[1]()
    if isinstance(obj, (_imglyb.JavaObject, _imglyb.JavaClass)):
        return obj
    if not is_jpype(obj):
        raise TypeError(f"expected a JPype Java object, got {type(obj).__name__}")
    jp = sys.modules["_jpype"]
    if isinstance(obj, jp._JClass):
        return _imglyb.jimport(str(obj.class_.getName()))
    _exchanges()
    _calls[2](obj)  # JPype's give, imglyb's take
    return _calls[1]()


def as_imglyb(obj: Any) -> Any:
    """``obj``, with a JPype object turned into its imglyb proxy."""
    return from_jpype(obj) if is_jpype(obj) else obj


def for_jpype_owner(obj: Any) -> Any:
    """``obj`` as a JPype proxy when JPype owns the JVM (the original imglyb API), else as it is."""
    return to_jpype(obj) if jpype_owns_jvm() else obj


def register_scyjava_converters() -> bool:
    """Registers scyjava converters, when scyjava is installed: a NumPy array becomes a zero-copy
    ImgLib2 image in ``scyjava.to_java``, and an ImgLib2 image a NumPy view (or a copy) in
    ``scyjava.to_python``. Returns whether they were registered (once per process)."""
    if _registered:
        return True
    if "scyjava" not in sys.modules and "jpype" not in sys.modules:
        return False  # neither is in use: nothing to register with
    try:
        import numpy as np
        import scyjava  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from scyjava import Converter, Priority  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return False

    rai: list[Any] = []

    def is_rai(obj: Any) -> bool:
        if not is_jpype(obj):
            return False
        if not rai:
            rai.append(scyjava.jimport("net.imglib2.RandomAccessibleInterval"))
        return isinstance(obj, rai[0])

    scyjava.add_java_converter(
        Converter(
            name="imglyb: NumPy array to a zero-copy ImgLib2 image",
            # Only what imglyb shares (native byte order, its dtypes); others fall through to
            # scyjava's own converters.
            predicate=lambda obj, **hints: isinstance(obj, np.ndarray) and obj.ndim >= 1 and obj.dtype in _contract.CODES,
            converter=lambda obj, **hints: to_jpype(obj),
            priority=Priority.NORMAL + 1,  # above scyjava's own, below pyimagej's (HIGH and up)
        )
    )
    scyjava.add_py_converter(
        Converter(
            name="imglyb: ImgLib2 image to a NumPy view or copy",
            predicate=lambda obj, **hints: is_rai(obj),
            converter=lambda obj, **hints: _imglyb.to_numpy(from_jpype(obj)),
            priority=Priority.NORMAL + 1,  # above scyjava's own, below pyimagej's (HIGH and up)
        )
    )
    _registered.append(True)
    return True


_registered: list[bool] = []
