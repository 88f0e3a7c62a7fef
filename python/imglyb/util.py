"""The original imglyb's ``imglyb.util`` names (0.x with pyjnius, 2.x with JPype), so that its
scripts run with one edit: ``from jnius import autoclass, cast, PythonJavaClass, java_method``
becomes ``from imglyb.util import autoclass, cast, PythonJavaClass, java_method``
(``docs/migrating.md``).

- ``to_imglib``, ``to_imglib_argb`` and ``to_numpy`` are :mod:`imglyb`'s own (zero-copy both
  ways; JPype objects when JPype started the JVM). BigDataViewer 10 draws ARGB pixels with their
  alpha: an alpha of 0 (``0x00RRGGBB``, as the original scripts build them) shows black.
- ``autoclass``, ``cast``, ``PythonJavaClass`` and ``java_method`` have pyjnius' meaning over
  imglyb's bridge (see :mod:`imglyb._jnius` for the differences).
- ``Views`` (``net.imglib2.view.Views``), ``Random`` (``java.util.Random``) and ``Helpers``
  (``net.imglib2.python.Helpers``: ``behaviours()``, embedded in imglyb like
  ``net.imglib2.python.BdvWindowClosedCheck``) are Java classes, as JPype classes when JPype
  started the JVM.
- With BigDataViewer on the classpath: ``BdvFunctions``, ``BdvOptions`` (which also takes the
  old static forms, ``BdvOptions.addTo(bdv)`` for ``BdvOptions.options().addTo(bdv)``) and
  :func:`options2D`; :class:`GenericOverlayRenderer` implements the overlay interface of the
  BigDataViewer present (``bdv.viewer.OverlayRenderer`` from BigDataViewer 10, imglib2-ui's
  ``net.imglib2.ui.OverlayRenderer`` before).
- The original's other Java helpers (the ``imglib2-imglyb`` jar) are not needed: asking for one
  raises an ``AttributeError`` that names what replaces it.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _imglyb, interop
from ._convert import to_imglib, to_imglib_argb, to_numpy
from ._jnius import PythonJavaClass, autoclass, cast, java_method

__all__ = [
    "BdvFunctions",
    "BdvOptions",
    "GenericMouseMotionListener",
    "GenericOverlayRenderer",
    "Helpers",
    "PythonJavaClass",
    "Random",
    "Views",
    "autoclass",
    "cast",
    "java_method",
    "options2D",
    "to_imglib",
    "to_imglib_argb",
    "to_numpy",
]

# Looked up on first use (module __getattr__ below), since they need the running JVM.
Views: Any
Random: Any
Helpers: Any
BdvFunctions: Any
BdvOptions: Any

_CLASSES = {
    "Views": "net.imglib2.view.Views",
    "Random": "java.util.Random",
    "Helpers": "net.imglib2.python.Helpers",
}
_BDV_CLASSES = {"BdvFunctions": "bdv.util.BdvFunctions", "BdvOptions": "bdv.util.BdvOptions"}

_REPLACED = {
    "NumpyToImgLibConversions": "imglyb.to_imglib(array), which shares any NumPy layout",
    "NumpyToImgLibConversionsWithStride": "imglyb.to_imglib(array), which shares any NumPy layout",
    "ReferenceGuardingRandomAccessibleInterval": "nothing: images from imglyb.to_imglib keep their array alive themselves",
    "ReferenceGuard": "nothing: images from imglyb.to_imglib keep their array alive themselves",
    "numpy_dtype_to_conversion_method": "imglyb.to_imglib(array)",
    "numpy_dtype_to_conversion_with_stride_method": "imglyb.to_imglib(array)",
    "RunnableFromFunc": "imglyb.jproxy('java.lang.Runnable', func)",
}

_NO_BDV = (
    "imglyb.util.{name} needs BigDataViewer ({cls}), which is not on the classpath: add its jars "
    "before the JVM starts, with imglyb.config.add_fiji('/path/to/Fiji.app') or "
    "imglyb.config.add_classpath('/path/to/jars/*')"
)


def _java_class(name: str) -> Any:
    if interop.jpype_owns_jvm():
        import jpype  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return jpype.JClass(name)
    return _imglyb.jimport(name)


def _bdv_class(name: str) -> Any:
    try:
        return _imglyb.jimport(_BDV_CLASSES[name])
    except _imglyb.JavaException as e:
        if e.java_class in ("java.lang.ClassNotFoundException", "java.lang.NoClassDefFoundError"):
            raise AttributeError(_NO_BDV.format(name=name, cls=_BDV_CLASSES[name])) from None
        raise


class _BdvOptions:
    """``bdv.util.BdvOptions``, also taking the old static forms: ``BdvOptions.addTo(bdv)``,
    ``BdvOptions.is2D()``, ... (instance methods since BigDataViewer 10) mean
    ``BdvOptions.options().addTo(bdv)``. Static methods and fields are the class's own."""

    def __init__(self, java_class: Any) -> None:
        self._class = java_class
        methods = java_class.options().getClass().getMethods()
        Modifier = _imglyb.jimport("java.lang.reflect.Modifier")
        self._instance_methods = {
            str(m.getName()) for m in methods if not Modifier.isStatic(m.getModifiers())
        }

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._instance_methods:
            return getattr(self._class, name)
        return lambda *args: getattr(self._class.options(), name)(*args)

    def __call__(self, *args: Any) -> Any:
        return self._class(*args)

    def __repr__(self) -> str:
        return f"<imglyb.util.BdvOptions over {self._class!r}>"


def options2D() -> Any:
    """``BdvOptions.options().is2D()``: options for a 2-D BigDataViewer window."""
    options = __getattr__("BdvOptions")
    return options.options().is2D()


def _overlay_interface() -> str:
    """The overlay interface of the BigDataViewer on the classpath."""
    for name in ("bdv.viewer.OverlayRenderer", "net.imglib2.ui.OverlayRenderer"):
        try:
            _imglyb.jimport(name)
        except _imglyb.JavaException:
            continue
        return name
    raise RuntimeError(
        "GenericOverlayRenderer needs BigDataViewer (bdv.viewer.OverlayRenderer) or imglib2-ui "
        "(net.imglib2.ui.OverlayRenderer) on the classpath"
    )


class GenericOverlayRenderer(PythonJavaClass):
    """A BigDataViewer overlay drawn by Python: ``draw_overlays(graphics)`` paints (on Swing's
    thread), ``set_canvas_size(width, height)`` hears of size changes. Add it with
    ``viewer_panel.getDisplay().overlays().add(renderer)`` (BigDataViewer 10) or
    ``getDisplay().addOverlayRenderer(renderer)``."""

    def __init__(
        self,
        draw_overlays: Callable[[Any], None] = lambda g: None,
        set_canvas_size: Optional[Callable[[int, int], None]] = None,
    ) -> None:
        self.__javainterfaces__ = [_overlay_interface()]
        super().__init__()
        self.draw_overlays = draw_overlays
        self.set_canvas_size = set_canvas_size if set_canvas_size is not None else (lambda w, h: None)

    @java_method("(Ljava/awt/Graphics;)V")
    def drawOverlays(self, g: Any) -> None:
        self.draw_overlays(g)

    @java_method("(II)V")
    def setCanvasSize(self, width: int, height: int) -> None:
        self.set_canvas_size(width, height)


class GenericMouseMotionListener(PythonJavaClass):
    """A ``java.awt.event.MouseMotionListener`` calling ``mouse_dragged(event)`` and
    ``mouse_moved(event)``."""

    __javainterfaces__ = ["java/awt/event/MouseMotionListener"]

    def __init__(
        self,
        mouse_dragged: Callable[[Any], None] = lambda e: None,
        mouse_moved: Callable[[Any], None] = lambda e: None,
    ) -> None:
        super().__init__()
        self.mouse_dragged = mouse_dragged
        self.mouse_moved = mouse_moved

    @java_method("(Ljava/awt/event/MouseEvent;)V")
    def mouseDragged(self, e: Any) -> None:
        self.mouse_dragged(e)

    @java_method("(Ljava/awt/event/MouseEvent;)V")
    def mouseMoved(self, e: Any) -> None:
        self.mouse_moved(e)


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return _java_class(_CLASSES[name])
    if name == "BdvFunctions":
        return _bdv_class(name)
    if name == "BdvOptions":
        return _BdvOptions(_bdv_class(name))
    if name in _REPLACED:
        raise AttributeError(
            f"imglyb.util.{name} belonged to the original imglyb and its imglib2-imglyb jar, which "
            f"this imglyb does not need; use {_REPLACED[name]}"
        )
    raise AttributeError(f"module 'imglyb.util' has no attribute {name!r}")
