"""The original imglyb 2.x's ``imglyb.ndarray_like_as_img``: its cell-image functions, which
:mod:`imglyb` also exports (``docs/big-data.md``)."""

from typing import Any

from ._compat import as_cell_img, as_cell_img_with_array_accesses, as_cell_img_with_native_accesses

__all__ = ["as_cell_img", "as_cell_img_with_array_accesses", "as_cell_img_with_native_accesses", "identity"]


def identity(x: Any) -> Any:
    """``chunk_as_array`` that takes each chunk as it is."""
    return x
