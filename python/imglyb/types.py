"""ImgLib2 pixel types by NumPy dtype, as the original imglyb 2.x had them (``imglyb.types``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _imglyb, interop

_TYPES = {
    np.dtype(np.bool_): "net.imglib2.type.logic.BitType",
    np.dtype(np.uint8): "net.imglib2.type.numeric.integer.UnsignedByteType",
    np.dtype(np.int8): "net.imglib2.type.numeric.integer.ByteType",
    np.dtype(np.uint16): "net.imglib2.type.numeric.integer.UnsignedShortType",
    np.dtype(np.int16): "net.imglib2.type.numeric.integer.ShortType",
    np.dtype(np.uint32): "net.imglib2.type.numeric.integer.UnsignedIntType",
    np.dtype(np.int32): "net.imglib2.type.numeric.integer.IntType",
    np.dtype(np.uint64): "net.imglib2.type.numeric.integer.UnsignedLongType",
    np.dtype(np.int64): "net.imglib2.type.numeric.integer.LongType",
    np.dtype(np.float32): "net.imglib2.type.numeric.real.FloatType",
    np.dtype(np.float64): "net.imglib2.type.numeric.real.DoubleType",
    np.dtype(np.complex64): "net.imglib2.type.numeric.complex.ComplexFloatType",
    np.dtype(np.complex128): "net.imglib2.type.numeric.complex.ComplexDoubleType",
}


def for_np_dtype(dtype: Any, volatile: bool = False) -> Any:
    """A new ImgLib2 pixel of the type ``to_imglib`` uses for ``dtype`` (``FloatType`` for
    float32, ...); with ``volatile``, its volatile type (``VolatileFloatType``, ImgLib2 5 and
    newer). A JPype object when JPype started the JVM, as in the original imglyb. bool (which the
    original did not map) gives ``BitType``, ImgLib2's usual boolean pixel, one bit each; shared
    bool arrays are ``NativeBoolType`` images, one byte each, where ImgLib2 has it (5.6 and newer).

    Raises:
        TypeError: ``dtype`` has no ImgLib2 type (or no volatile one).
    """
    from . import _ensure_jvm

    dt = np.dtype(dtype)
    name = _TYPES.get(dt.newbyteorder("=") if not dt.isnative else dt)
    if name is None:
        raise TypeError(f"ImgLib2 has no pixel type for dtype {dt}")
    if volatile:
        if dt.kind in "bc":
            raise TypeError(f"ImgLib2 has no volatile pixel type for dtype {dt}")
        name = "net.imglib2.type.volatiles.Volatile" + name.rsplit(".", 1)[1]
    _ensure_jvm()
    try:
        cls = _imglyb.jimport(name)
    except _imglyb.JavaException:
        raise TypeError(f"{name} is not on the classpath (volatile types need ImgLib2 5 or newer)") from None
    return interop.for_jpype_owner(cls())
