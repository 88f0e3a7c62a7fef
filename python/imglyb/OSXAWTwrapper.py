"""The original imglyb's macOS wrapper, under its old name, now a front for :mod:`imglyb.gui`
(no PyObjC needed): ``python -m imglyb.OSXAWTwrapper (SCRIPT | MODULE) [ARGUMENTS...]`` runs a
script path or, when no such file exists, a module, where Java windows work. On Linux and
Windows it simply runs it.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

from .gui import main as _gui_main

__all__ = ["main"]


def main(argv: Optional[list[str]] = None) -> int:
    """Runs the script or module named first in ``argv`` (default ``sys.argv[1:]``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-") and not os.path.exists(args[0]):
        args = ["-m", *args]
    return _gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
