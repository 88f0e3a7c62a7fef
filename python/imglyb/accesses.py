"""The original imglyb 2.x's ``imglyb.accesses``: :func:`as_array_access` copies a NumPy array
into a new ImgLib2 array access. For an image that shares the array's memory, use
:func:`imglyb.to_imglib`."""

from ._compat import as_array_access

__all__ = ["as_array_access"]
