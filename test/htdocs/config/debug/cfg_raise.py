"""A handler that raises.

PythonHandler cfg_raise -> ValueError("boom <&> debug").  With PythonDebug
On the 500 page shows the escaped traceback; with Off it does not.
"""


def handler(req):
    raise ValueError("boom <&> debug")
