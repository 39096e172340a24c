"""PythonHandler err_raise -> raises ValueError("boom from err_raise")."""


def handler(req):
    raise ValueError("boom from err_raise")
