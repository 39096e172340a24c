"""API-heavy handler: ten request attributes, ten headers_in entries, five
headers_out, a 1 KiB body."""
from mod_python import apache

HEADERS = ("User-Agent", "Accept", "Accept-Language", "Referer", "Cookie",
           "X-Forwarded-For", "X-Request-Id", "X-Bench-A", "X-Bench-B",
           "Cache-Control")
BODY = (b"0123456789abcdef" * 64)[:1024 - 32]


def handler(req):
    attrs = (req.uri, req.method, req.protocol, req.hostname,
             req.unparsed_uri, req.args, req.filename, req.the_request,
             req.proto_num, req.path_info)
    hin = req.headers_in
    values = [hin.get(name) for name in HEADERS]
    found = sum(1 for v in values if v)
    hout = req.headers_out
    hout["X-Attrs"] = str(sum(1 for a in attrs if a is not None))
    hout["X-Headers"] = str(found)
    hout["X-Uri"] = req.uri
    hout["Cache-Control"] = "no-store"
    hout["X-Bench"] = "api"
    req.content_type = "text/plain"
    req.write(("attrs=%02d headers=%02d method=%-4s|" % (
        len(attrs), found, req.method)).encode() + BODY)
    return apache.OK
