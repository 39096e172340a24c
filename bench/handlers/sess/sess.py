"""FileSession read and save (no secret: 3.5's signed cookies are broken)."""
from mod_python import Session, apache


def handler(req):
    sess = Session.FileSession(req, fast_cleanup=True, verify_cleanup=False)
    count = sess.get("count", 0) + 1
    sess["count"] = count
    sess.save()
    req.content_type = "text/plain"
    req.write(("count=%d new=%d" % (count, int(sess.is_new()))).encode())
    return apache.OK
