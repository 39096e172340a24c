"""A mod_wsgi-style .wsgi script (test_710_wsgi_compat.py): the
docs/mod_wsgi.md equivalent of WSGIScriptAlias /script .../script.wsgi."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]
