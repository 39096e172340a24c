"""WSGI application: "wsgi <QUERY_STRING> <len(body)>"."""


def application(environ, start_response):
    n = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(n) if n else b""
    out = f"wsgi {environ.get('QUERY_STRING', '')} {len(body)}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(out)))])
    return [out]
