"""PythonFixupHandler for test/htdocs/ssi/pre/: pre-populates the SSI
namespace of the request (req.ssi_globals) before mod_include runs."""

from mod_python import apache


def fixuphandler(req):
    req.ssi_globals = {"greeting": "hello from fixup"}
    return apache.OK
