"""The original imglyb 2.x's ``imglyb.reference_store``: :class:`ReferenceStore`. imglyb's own
images keep their arrays alive themselves and need no store."""

from ._compat import ReferenceStore

__all__ = ["ReferenceStore"]
