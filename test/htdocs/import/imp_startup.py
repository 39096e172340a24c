"""Imported at child start by `PythonImport imp_startup localhost`.

Records at import time: IMPORTED_IN (apache.interpreter) and PID; init()
(run by `PythonImport imp_startup::init localhost`) appends "init" to CALLS.
"""

import os

from mod_python import apache

IMPORTED_IN = apache.interpreter
PID = os.getpid()
CALLS = []


def init():
    CALLS.append("init")
