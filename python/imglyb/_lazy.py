"""NumPy, imported by the package on its first use, not by ``import imglyb``.

NumPy's import is the larger part of a cold start (70-80 ms here, against about 15 ms for the
package and 50 ms for the JVM's start), and a script that only drives Java (``start_jvm``,
``jimport``) never needs it. The package's modules bind ``np`` to :data:`np` (``import numpy as
np`` for type checkers), which imports NumPy on the first name read from it and keeps every name
it hands out, so later reads cost what a module attribute costs. Nothing here touches
``sys.modules``: NumPy is imported the ordinary way, once, when the package first needs it.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["np"]


class _NumPy:
    """Stands for the ``numpy`` module inside the package until a name is read from it."""

    def __getattr__(self, name: str) -> Any:
        # Only names not yet kept reach here: import NumPy (a dictionary look-up once it is
        # imported), keep the name, hand it out.
        value = getattr(importlib.import_module("numpy"), name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return "<numpy, imported by imglyb on first use>"


#: The ``numpy`` module, imported on the first name read from it.
np: Any = _NumPy()
