"""The original imglyb 2.x's ``imglyb.util`` names, for code written against it.

``to_imglib``, ``to_imglib_argb`` and ``to_numpy`` are :mod:`imglyb`'s own (zero-copy both
ways; JPype objects when JPype started the JVM). ``Views`` (ImgLib2's ``net.imglib2.view.Views``)
and ``Random`` (``java.util.Random``) are the Java classes, as JPype classes when JPype started the
JVM and as imglyb's otherwise. The original's Java helper classes (``net.imglib2.python.*``, from
the ``imglib2-imglyb`` jar) are not needed and not provided: asking for one raises an
``AttributeError`` that names what replaces it.
"""

from __future__ import annotations

from typing import Any

from . import _imglyb, interop, to_imglib, to_imglib_argb, to_numpy

__all__ = ["to_imglib", "to_imglib_argb", "to_numpy", "Views", "Random"]

# Looked up on first use (module __getattr__ below), since they need the running JVM.
Views: Any
Random: Any

_CLASSES = {"Views": "net.imglib2.view.Views", "Random": "java.util.Random"}

_REPLACED = {
    "Helpers": "ImgLib2's own classes and imglyb.jinstance (class names: obj.getClass().getName())",
    "NumpyToImgLibConversions": "imglyb.to_imglib(array), which shares any NumPy layout",
    "NumpyToImgLibConversionsWithStride": "imglyb.to_imglib(array), which shares any NumPy layout",
    "ReferenceGuardingRandomAccessibleInterval": "nothing: images from imglyb.to_imglib keep their array alive themselves",
    "ReferenceGuard": "nothing: images from imglyb.to_imglib keep their array alive themselves",
    "numpy_dtype_to_conversion_method": "imglyb.to_imglib(array)",
    "numpy_dtype_to_conversion_with_stride_method": "imglyb.to_imglib(array)",
    "GenericMouseMotionListener": "imglyb.jproxy('java.awt.event.MouseMotionListener', an_object_with_its_methods)",
    "RunnableFromFunc": "imglyb.jproxy('java.lang.Runnable', func)",
}


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        if interop.jpype_owns_jvm():
            import jpype  # type: ignore[import-untyped,import-not-found,unused-ignore]

            return jpype.JClass(_CLASSES[name])
        return _imglyb.jimport(_CLASSES[name])
    if name in _REPLACED:
        raise AttributeError(
            f"imglyb.util.{name} belonged to the original imglyb 2.x and its imglib2-imglyb jar, which "
            f"this imglyb does not need; use {_REPLACED[name]}"
        )
    raise AttributeError(f"module 'imglyb.util' has no attribute {name!r}")
