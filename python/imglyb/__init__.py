"""imglyb: NumPy arrays and ImgLib2 images sharing the same pixel memory.

A JVM runs inside the Python process. It starts on first use, or explicitly with
:func:`start_jvm`; configure it beforehand with :mod:`imglyb.config` or the environment variables
``IMGLYB_CLASSPATH``, ``IMGLYB_JAVA_OPTIONS`` and ``JAVA_HOME``. One process holds one JVM, and
it can never be restarted.
"""

from __future__ import annotations

from . import _imglyb, bdv, bigwarp, chunked, config, interop, viewer, xarrays
from ._compat import as_cell_img, as_cell_img_with_array_accesses, as_cell_img_with_native_accesses
from ._convert import jinstance, to_imglib, to_imglib_argb, to_numpy
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
from ._jvm import jars, jvm_info, start_jvm
from .chunked import LazyArray, lazy, to_dask
from .interop import from_jpype, to_jpype
from .viewer import Window, show, wait_for_windows
from .xarrays import to_xarray

from . import types, util  # noqa: E402,I001  (after the names util re-exports)
from . import _hooks  # noqa: E402,F401  (registers the package with the native module, JPype, scyjava)

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
    "bigwarp",
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


def __getattr__(name: str) -> object:
    # imglyb.dask (and its import of distributed) and imglyb.napari load on first use, not with imglyb.
    if name in ("dask", "napari"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'imglyb' has no attribute {name!r}")
