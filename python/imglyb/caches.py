"""The original imglyb 2.x's ``imglyb.caches``: ImgLib2's loader caches by name
(``BoundedSoftRefLoaderCache``, ``GuardedStrongRefLoaderCache``, ``SoftRefLoaderCache``,
``WeakRefLoaderCache``), looked up on first use, which starts the JVM. They belong to
imglib2-cache, which must be on the classpath; imglyb's own chunked images cache their cells
themselves (``imglyb.to_imglib(array, chunks=..., cache_bytes=...)``)."""

from typing import Any

from ._compat import cache_class

__all__ = ["BoundedSoftRefLoaderCache", "GuardedStrongRefLoaderCache", "SoftRefLoaderCache", "WeakRefLoaderCache"]

# Declared for type checkers; looked up by __getattr__ on first use.
BoundedSoftRefLoaderCache: Any
GuardedStrongRefLoaderCache: Any
SoftRefLoaderCache: Any
WeakRefLoaderCache: Any


def __getattr__(name: str) -> Any:
    if name in __all__:
        return cache_class(name)
    raise AttributeError(f"module 'imglyb.caches' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
