"""Imported at child start by `PythonImport imp_named named_interp` only.

Records IMPORTED_IN (apache.interpreter) at import time.
"""

from mod_python import apache

IMPORTED_IN = apache.interpreter
