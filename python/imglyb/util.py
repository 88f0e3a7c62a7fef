"""The original imglyb 2.x's ``imglyb.util`` names, for code written against it.

``to_imglib``, ``to_imglib_argb`` and ``to_numpy`` are :mod:`imglyb`'s own (zero-copy both
ways; JPype objects when JPype started the JVM). The original's Java helper classes
(``net.imglib2.python.*``, from the ``imglib2-imglyb`` jar) are not needed and not provided:
ImgLib2's ``Views`` and ``Converters`` take imglyb's images directly.
"""

from __future__ import annotations

from . import to_imglib, to_imglib_argb, to_numpy

__all__ = ["to_imglib", "to_imglib_argb", "to_numpy"]
