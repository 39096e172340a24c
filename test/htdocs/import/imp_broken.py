"""Fails at import: `PythonImport imp_broken localhost` must be logged and
must not stop the server."""

raise RuntimeError("imp_broken fails on purpose")
