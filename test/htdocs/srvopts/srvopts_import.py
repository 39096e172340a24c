"""Run at child start by `PythonImport srvopts_import::store importer`.

store() writes "srvopts.stored" = "by-import-<pid>" into
apache.main_server.get_options(), the child's live options table, from an
interpreter ("importer") that no request uses.
"""

import os

from mod_python import apache


def store():
    apache.main_server.get_options()["srvopts.stored"] = f"by-import-{os.getpid()}"
