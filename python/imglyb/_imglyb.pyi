"""Stubs for the native module ``imglyb._imglyb`` (built from ``crates/imglyb-py``)."""

from typing import Any, Optional

__all__ = [
    "__version__",
    "ImgLib2NotFoundError",
    "ImglybError",
    "JVMAlreadyStartedError",
    "JVMForkedError",
    "JVMNotFoundError",
    "JavaException",
    "_bridge_classes",
    "_imglib2_self_test",
    "_load_classes",
    "jvm_info",
    "jvm_started",
    "start_jvm",
]

__version__: str

class ImglybError(Exception): ...

class JavaException(ImglybError):
    java_class: str
    message: Optional[str]
    stacktrace: str

class JVMNotFoundError(ImglybError): ...
class ImgLib2NotFoundError(ImglybError): ...
class JVMAlreadyStartedError(ImglybError): ...
class JVMForkedError(ImglybError): ...

def start_jvm(
    classpath: Optional[list[str]] = None,
    options: Optional[list[str]] = None,
    java_home: Optional[str] = None,
) -> None: ...
def jvm_started() -> bool: ...
def jvm_info() -> dict[str, Any]: ...
def _imglib2_self_test() -> float: ...
def _bridge_classes() -> list[str]: ...
def _load_classes(names: list[str]) -> None: ...
