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

import os
import sys
from typing import Any, Callable, Optional

from . import _imglyb

_START_JPYPE_FIRST = (
    "JPype has not started the JVM: JPype cannot attach to a JVM that imglyb (or anything else) "
    "started, so start JPype first (jpype.startJVM(), scyjava.start_jvm() or imagej.init()) and "
    "imglyb afterwards, which attaches to it"
)

_jpype_exchange: list[Any] = []
_imglyb_exchange: list[Any] = []
_owner: list[Optional[bool]] = [None]


class JPypeStartError(_imglyb.JVMAlreadyStartedError, RuntimeError):
    """``jpype.startJVM()`` (also through scyjava and pyimagej) after imglyb started this
    process's JVM. JPype cannot attach to a running JVM, so start JPype first. It is also a
    ``RuntimeError``, for code that catches JPype's own start-up errors that way."""


_JPYPE_AFTER_IMGLYB = (
    "imglyb already started this process's JVM, and JPype cannot attach to a running JVM; start "
    "JPype first (jpype.startJVM(), scyjava.start_jvm() or imagej.init()) and imglyb afterwards, "
    "which attaches to it"
)

#: How to put ImgLib2 on the classpath of a JVM that JPype starts, for error messages.
JPYPE_CLASSPATH_FIX = (
    "JPype started this JVM without ImgLib2 on its classpath. Import imglyb before JPype starts "
    "(imglyb then adds its jars to the classpath JPype, scyjava and pyimagej start with), or add "
    "them yourself before the start: scyjava.config.add_classpath(*imglyb.jars()), or "
    "jpype.startJVM(classpath=imglyb.jars())"
)

_created_jvm = [False]
_jars_for: list[Callable[[list[str]], list[str]]] = []


def customize_jpype(jars_for: Callable[[list[str]], list[str]]) -> None:
    """Called when imglyb is imported: JPype's ``startJVM`` (also through scyjava and pyimagej)
    then starts with imglyb's jars after its own classpath, each only for a library that classpath
    lacks (``jars_for(classpath)`` gives them), so ImgLib2 from Fiji's ``jars/`` wins. Once
    imglyb has started the JVM itself (:func:`guard_jpype_start`), ``startJVM`` raises
    :class:`JPypeStartError` instead. Applies to JPype whether it is imported already or later."""
    _jars_for[:] = [jars_for]
    _customize_now_or_on_import()


def guard_jpype_start() -> None:
    """Called when imglyb created this process's JVM: from now on, JPype's ``startJVM`` raises
    :class:`JPypeStartError` saying to start JPype first, instead of trying to create a second
    JVM, which fails or, with another Java's libjvm, hangs."""
    _created_jvm[0] = True
    _customize_now_or_on_import()


def _customize_now_or_on_import() -> None:
    """Customizes JPype now when it is imported, else when it is (:class:`_JPypeImportHook`)."""
    module = sys.modules.get("jpype")
    if module is not None:
        _customize(module)
    elif not any(isinstance(f, _JPypeImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _JPypeImportHook())


def _customize(jpype: Any) -> None:
    if getattr(jpype.startJVM, "_imglyb_original", None) is not None:
        return
    original = jpype.startJVM

    def startJVM(*args: Any, **kwargs: Any) -> Any:
        if _created_jvm[0]:
            raise JPypeStartError(_JPYPE_AFTER_IMGLYB)
        if not jpype.isJVMStarted():
            args, kwargs = _with_imglyb_jars(jpype, args, kwargs)
        return original(*args, **kwargs)

    startJVM._imglyb_original = original  # type: ignore[attr-defined]
    startJVM.__wrapped__ = original  # type: ignore[attr-defined]
    startJVM.__doc__ = original.__doc__
    jpype.startJVM = startJVM


def _with_imglyb_jars(jpype: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``startJVM``'s arguments with imglyb's jars after the classpath they give (the
    ``classpath`` argument, a ``-Djava.class.path`` option, or JPype's default classpath), each
    only for a library (ImgLib2, ImageJ 1) that classpath lacks. Any failure here leaves the
    arguments as they are: JPype then starts as it would without imglyb."""
    if not _jars_for:
        return args, kwargs
    sep = os.pathsep
    try:
        option = next((i for i, a in enumerate(args) if isinstance(a, str) and a.startswith("-Djava.class.path=")), None)
        if kwargs.get("classpath") is not None:
            given = kwargs["classpath"]
            entries = [given] if isinstance(given, (str, os.PathLike)) else list(given)
            extra = _jars_for[0]([os.fspath(e) for e in entries])
            return args, {**kwargs, "classpath": entries + extra}
        if option is not None:
            value = args[option].split("=", 1)[1]
            extra = _jars_for[0]([e for e in value.split(sep) if e])
            joined = sep.join([value, *extra]) if value else sep.join(extra)
            return args[:option] + (f"-Djava.class.path={joined}",) + args[option + 1 :], kwargs
        extra = _jars_for[0]([e for e in jpype.getClassPath().split(sep) if e])
        for jar in extra:
            jpype.addClassPath(jar)
    except Exception:  # a classpath imglyb cannot read: JPype's own start decides
        pass
    return args, kwargs


class _JPypeImportHook:
    """A meta-path finder that customizes ``jpype.startJVM`` once JPype is imported. It stays on
    the meta path until the import really runs, so a probe such as ``importlib.util.find_spec``
    does not use it up."""

    def __init__(self) -> None:
        self._finding = False

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "jpype" or self._finding:
            return None
        import importlib.util

        self._finding = True  # the other finders, not this one again
        try:
            spec = importlib.util.find_spec(name)
        finally:
            self._finding = False
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        execute = loader.exec_module
        hook = self

        def exec_module(module: Any) -> None:
            execute(module)
            _customize(module)
            if hook in sys.meta_path:
                sys.meta_path.remove(hook)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _jpype_module() -> Any:
    return sys.modules.get("jpype")


def is_jpype(obj: Any) -> bool:
    """Whether ``obj`` is a JPype proxy of a Java object, class or array (without importing
    JPype)."""
    jp = sys.modules.get("_jpype")
    return jp is not None and isinstance(obj, (jp._JObject, jp._JClass))


def jpype_owns_jvm() -> bool:
    """Whether JPype started the JVM this process runs (and imglyb attached to it)."""
    if _owner[0] is None:
        jpype = _jpype_module()
        if jpype is None or not jpype.isJVMStarted():
            return False  # not known for good until some JVM runs
        _owner[0] = True
    return bool(_owner[0])


def _exchanges() -> tuple[Any, Any]:
    """The Exchange class as imglyb's and as JPype's proxy."""
    if _jpype_exchange:
        return _imglyb_exchange[0], _jpype_exchange[0]
    if not _jpype_exchange:
        jpype = _jpype_module()
        if jpype is None or not jpype.isJVMStarted():
            raise _imglyb.ImglybError(_START_JPYPE_FIRST)
        from . import _ensure_jvm

        _ensure_jvm()
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
        return _jpype_module().JClass(obj.__javaname__)
    if not isinstance(obj, _imglyb.JavaObject):
        from . import _to_imglib

        obj = _to_imglib(obj)
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


def _convert_args(args: tuple) -> Optional[tuple]:
    """``args`` with every JPype object (also inside lists and tuples) replaced by its imglyb
    proxy, and every object that carries a Java object of its own (``__javaobject__``, as
    :class:`imglyb.util.PythonJavaClass` instances do) by that, or None when there is none:
    imglyb's calls try this when an argument was refused."""
    jpype_loaded = "_jpype" in sys.modules
    changed = False

    def convert(a: Any) -> Any:
        nonlocal changed
        if jpype_loaded and is_jpype(a):
            changed = True
            return from_jpype(a)
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
    from .chunked import _CODES as _SHARED_DTYPES  # the dtypes imglyb shares, native byte order

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
            predicate=lambda obj, **hints: isinstance(obj, np.ndarray) and obj.ndim >= 1 and obj.dtype in _SHARED_DTYPES,
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
