"""PSP from a string, with vars (test_510_psp.py, /pspstring)."""

from mod_python import apache, psp


def handler(req):
    req.content_type = "text/plain"
    page = psp.PSP(req, string="<%= greeting %>, <%= who %>!", vars={"greeting": "hi"})
    page.run({"who": "there"})
    return apache.OK
