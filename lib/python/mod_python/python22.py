"""Empty compatibility module.

mod_python 3.x shipped ``mod_python.python22`` with helpers for Python 2.2;
old handlers still do ``from mod_python.python22 import *``.  It defines
nothing.
"""

from __future__ import annotations

__all__: list[str] = []
