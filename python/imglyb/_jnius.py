"""pyjnius' names over imglyb's bridge, for scripts written against imglyb 0.x (which used
pyjnius): ``autoclass``, ``cast``, ``PythonJavaClass`` and ``java_method`` with pyjnius' meaning.
Public through :mod:`imglyb.util`.

The differences a script can see:

- Java objects are proxies of their runtime class, so a method of the object's own class can be
  called without ``cast``; ``cast`` checks that the object is an instance (pyjnius did not) and
  returns it.
- A ``PythonJavaClass`` instance keeps its Python object alive for as long as Java holds it (pyjnius
  held a bare pointer: the script had to keep it alive).
- As in pyjnius, a Java call of a method the class does not implement prints what is missing and
  returns ``null``.

Limitation: an instance and its Java object hold each other across the two languages, which
neither garbage collector can see through, so an instance is never freed. Listeners, overlays and
behaviours, what these classes are for, are made once per window; make them once, not in a loop.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional, TypeVar, Union

from . import _imglyb
from .interop import as_imglyb

__all__ = ["PythonJavaClass", "autoclass", "cast", "java_method"]

F = TypeVar("F", bound=Callable[..., Any])


def autoclass(name: str) -> _imglyb.JavaClass:
    """The Java class ``name`` (``java.util.ArrayList``, also with ``/`` separators; nested
    classes as ``Outer$Inner``): call it to construct; static methods and fields are attributes."""
    if not isinstance(name, str):
        raise TypeError(f"autoclass takes a class name, not a {type(name).__name__}")
    return _imglyb.jimport(name.replace("/", "."))


def cast(class_: Union[str, _imglyb.JavaClass], obj: Any) -> Any:
    """``obj`` as an instance of ``class_`` (a name or a class). imglyb's proxies already expose
    the methods of the object's runtime class, so this only checks: a ``TypeError`` when ``obj``
    is not an instance. ``None`` stays ``None``."""
    if obj is None:
        return None
    target = autoclass(class_) if isinstance(class_, str) else as_imglyb(class_)
    java = as_imglyb(getattr(obj, "__javaobject__", obj))
    if not isinstance(java, _imglyb.JavaObject):
        raise TypeError(f"cast takes a Java object, not a {type(obj).__name__}")
    if not _imglyb.jinstance(java, target):
        raise TypeError(f"cannot cast a {java.getClass().getName()} to {target.__javaname__}")
    return obj


def java_method(signature: str, name: Optional[str] = None) -> Callable[[F], F]:
    """Marks a method of a :class:`PythonJavaClass` as the Java method ``name`` (default: the
    Python name) with the JNI ``signature`` (``'(II)V'``, ``'(Ljava/awt/Graphics;)V'``)."""
    if not isinstance(signature, str) or not signature.startswith("("):
        raise ValueError(f"java_method needs a JNI signature such as '(II)V', not {signature!r}")
    _parameter_count(signature)  # a malformed signature is an error here, not at the first call

    def mark(function: F) -> F:
        function.__javasignature__ = signature  # type: ignore[attr-defined]
        function.__javaname__ = name  # type: ignore[attr-defined]
        return function

    return mark


def _parameter_count(signature: str) -> int:
    """The number of parameters in a JNI method signature."""
    params = signature[1 : signature.index(")")]
    count, i = 0, 0
    while i < len(params):
        while params[i] == "[":
            i += 1
        if params[i] == "L":
            end = params.find(";", i)
            if end < 0:
                raise ValueError(f"malformed JNI signature {signature!r}")
            i = end
        elif params[i] not in "ZBCSIJFD":
            raise ValueError(f"malformed JNI signature {signature!r}")
        i += 1
        count += 1
    return count


class PythonJavaClass:
    """A Python class that Java sees as an implementation of ``__javainterfaces__`` (names such as
    ``'java/awt/event/MouseMotionListener'`` or with dots). Its methods marked with
    :func:`java_method` implement the interfaces' methods; ``__init__`` must run (call
    ``super().__init__()`` first). An instance is accepted wherever Java expects one of its
    interfaces; ``__javaobject__`` is the Java object itself.
    """

    __javainterfaces__: list[str] = []
    __javacontext__: str = "system"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        interfaces: list[Union[str, _imglyb.JavaClass]] = [name.replace("/", ".") for name in self.__javainterfaces__]
        if not interfaces:
            raise TypeError(f"{type(self).__name__} lists no __javainterfaces__")
        methods: dict[str, list[tuple[int, str]]] = {}
        for attribute in dir(type(self)):
            function = getattr(type(self), attribute, None)
            signature = getattr(function, "__javasignature__", None)
            if signature is not None:
                java_name = getattr(function, "__javaname__", None) or attribute
                methods.setdefault(java_name, []).append((_parameter_count(signature), attribute))
        self.__javaobject__ = _imglyb.jproxy(interfaces, _Dispatch(self, methods))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} implementing {', '.join(self.__javainterfaces__)}>"


class _Dispatch:
    """Calls from Java to a :class:`PythonJavaClass` instance: by Java method name, then by the
    number of arguments among that name's marked methods. Holds the instance, so Java keeps it
    alive."""

    def __init__(self, instance: PythonJavaClass, methods: dict[str, list[tuple[int, str]]]) -> None:
        self._instance = instance
        self._methods = methods

    def __getattr__(self, java_name: str) -> Callable[..., Any]:
        if java_name.startswith("__"):
            raise AttributeError(java_name)
        candidates = self._methods.get(java_name, [])
        instance = self._instance

        def call(*args: Any) -> Any:
            for count, attribute in candidates:
                if count == len(args):
                    return getattr(instance, attribute)(*args)
            print(
                f"===== Python/java method missing ======\n{type(instance).__name__} has no "
                f"@java_method for {java_name} with {len(args)} argument(s); Java gets null",
                file=sys.stderr,
            )
            return None

        return call
