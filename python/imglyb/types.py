"""ImgLib2 pixel types by NumPy dtype, as the original imglyb 2.x had them (``imglyb.types``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

from . import _contract, _imglyb, _jvm, interop

__all__ = ["for_np_dtype"]

# ImgLib2 pixel types by NumPy dtype, from the contract's table (imglyb._contract), except bool:
# the table's type is the one shared bool arrays fall back to on ImgLib2 older than 5.6
# (UnsignedByteType); a new bool pixel is BitType, ImgLib2's usual one.
_BIT_TYPE = "net.imglib2.type.logic.BitType"


def for_np_dtype(dtype: Any, volatile: bool = False) -> Any:
    """A new ImgLib2 pixel of the type ``to_imglib`` uses for ``dtype`` (``FloatType`` for
    float32, ...); with ``volatile``, its volatile type (``VolatileFloatType``, ImgLib2 5 and
    newer). A JPype object when JPype started the JVM, as in the original imglyb. bool (which the
    original did not map) gives ``BitType``, ImgLib2's usual boolean pixel, one bit each; shared
    bool arrays are ``NativeBoolType`` images, one byte each, where ImgLib2 has it (5.6 and newer).

    Raises:
        TypeError: ``dtype`` has no ImgLib2 type (or no volatile one).
    """
    dt = np.dtype(dtype)
    native = dt.newbyteorder("=") if not dt.isnative else dt
    name = _BIT_TYPE if native == np.bool_ else _contract.TYPE_CLASSES.get(native)
    if name is None:
        raise TypeError(f"ImgLib2 has no pixel type for dtype {dt}")
    if volatile:
        name = _contract.VOLATILE_CLASSES[native]
        if not name:
            raise TypeError(f"ImgLib2 has no volatile pixel type for dtype {dt}")
    _jvm.ensure_jvm()
    try:
        cls = _imglyb.jimport(name)
    except _imglyb.JavaException:
        raise TypeError(f"{name} is not on the classpath (volatile types need ImgLib2 5 or newer)") from None
    return interop.for_jpype_owner(cls())
