"""The contract's pixel types as Python tables: every one derived from the table the native module
exports (``_imglyb.DTYPES``, written once in ``imglyb_core::contract``), so no Python table can
drift from Rust's or Java's. ARGB (stored as uint32) is left out of the by-dtype tables, whose
uint32 is uint32's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _imglyb

__all__ = ["CODES", "DTYPES", "MAX_DIMENSIONS", "STORAGE", "TYPE_CLASSES", "VOLATILE_CLASSES"]

_BY_DTYPE = [row for row in _imglyb.DTYPES if not row[2].endswith(".ARGBType")]

#: At most this many dimensions.
MAX_DIMENSIONS: int = _imglyb.MAX_DIMENSIONS

# The tables below are NumPy dtypes, built on their first read (PEP 562), so that importing the
# package does not import NumPy (see _lazy).
if TYPE_CHECKING:
    #: Type codes by NumPy dtype (native byte order): the dtypes imglyb shares.
    CODES: dict[np.dtype, int]
    #: NumPy dtypes by type code.
    DTYPES: dict[int, np.dtype]
    #: The ImgLib2 pixel type (binary class name) each dtype is shared as.
    TYPE_CLASSES: dict[np.dtype, str]
    #: The volatile pixel type of each dtype, "" where ImgLib2 has none.
    VOLATILE_CLASSES: dict[np.dtype, str]
    #: How ImgLib2 stores each dtype: (Java's storage primitive, values per pixel), such as
    #: ("float", 2) for complex64.
    STORAGE: dict[np.dtype, tuple[str, int]]


def __getattr__(name: str) -> Any:
    if name not in ("CODES", "DTYPES", "STORAGE", "TYPE_CLASSES", "VOLATILE_CLASSES"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    codes = {np.dtype(row[1]): row[0] for row in _BY_DTYPE}
    globals().update(
        CODES=codes,
        DTYPES={code: dtype for dtype, code in codes.items()},
        TYPE_CLASSES={np.dtype(row[1]): row[2] for row in _BY_DTYPE},
        VOLATILE_CLASSES={np.dtype(row[1]): row[3] for row in _BY_DTYPE},
        STORAGE={np.dtype(row[1]): (_imglyb.PRIMITIVES[row[4]], row[5]) for row in _BY_DTYPE},
    )
    return globals()[name]
