"""The contract's pixel types as Python tables: every one derived from the table the native module
exports (``_imglyb.DTYPES``, written once in ``imglyb_core::contract``), so no Python table can
drift from Rust's or Java's. ARGB (stored as uint32) is left out of the by-dtype tables, whose
uint32 is uint32's."""

from __future__ import annotations

import numpy as np

from . import _imglyb

__all__ = ["CODES", "DTYPES", "MAX_DIMENSIONS", "TYPE_CLASSES", "VOLATILE_CLASSES"]

_BY_DTYPE = [row for row in _imglyb.DTYPES if not row[2].endswith(".ARGBType")]

#: Type codes by NumPy dtype (native byte order): the dtypes imglyb shares.
CODES: dict[np.dtype, int] = {np.dtype(row[1]): row[0] for row in _BY_DTYPE}
#: NumPy dtypes by type code.
DTYPES: dict[int, np.dtype] = {code: dtype for dtype, code in CODES.items()}
#: The ImgLib2 pixel type (binary class name) each dtype is shared as.
TYPE_CLASSES: dict[np.dtype, str] = {np.dtype(row[1]): row[2] for row in _BY_DTYPE}
#: The volatile pixel type of each dtype, "" where ImgLib2 has none.
VOLATILE_CLASSES: dict[np.dtype, str] = {np.dtype(row[1]): row[3] for row in _BY_DTYPE}
#: At most this many dimensions.
MAX_DIMENSIONS: int = _imglyb.MAX_DIMENSIONS
