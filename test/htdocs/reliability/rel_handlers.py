"""Handlers for test_140_reliability.

/reliability/pid      the pid of the child that answers
/reliability/busy     writes 64 KiB blocks in a loop for up to 60 s (the
                      test does not read: the handler waits in req.write)
/reliability/spin     spins in Python for up to 60 s without an Apache call
/reliability/slow     (PythonRequestTimeout 1) loops in Python, 50 ms
                      sleeps, for up to 30 s; a RequestTimeout ends it
/reliability/quick    (PythonRequestTimeout 2) sleeps 0.3 s and answers
/reliability/late     (PythonRequestTimeout 1) writes and flushes a line,
                      then loops like slow
/reliability/blocked  (PythonRequestTimeout 1) one time.sleep(7) call
/reliability/session2 Session(req) twice in one request
/reliability/halfbody reads 5 bytes of the body, sleeps 2 s (through the
                      RequestTimeout of a stop), then reads 5 more: the
                      test sends only the first 5 and stops the server

The busy and spin handlers write a marker file under the server's tmp
directory when they start, so that the test knows they are running.
"""

import os
import time

from mod_python import Session, apache


def _mark(req, name):
    path = os.path.join(req.get_options()["rel.tmp"], f"{name}.{os.getpid()}")
    with open(path, "w") as f:
        f.write("started\n")


def pid(req):
    req.content_type = "text/plain"
    req.write(str(os.getpid()))
    return apache.OK


def busy(req):
    req.content_type = "application/octet-stream"
    _mark(req, "busy")
    block = b"x" * 65536
    end = time.monotonic() + 60
    while time.monotonic() < end:
        req.write(block)
    return apache.OK


def halfbody(req):
    first = req.read(5)
    _mark(req, "halfbody")
    try:
        time.sleep(2)
    except apache.SERVER_RETURN:
        pass                    # the stop's RequestTimeout: read on
    rest = req.read(5)
    req.content_type = "text/plain"
    req.write(first + rest)
    return apache.OK


def spin(req):
    _mark(req, "spin")
    end = time.monotonic() + 60
    n = 0
    while time.monotonic() < end:
        n += 1
    req.content_type = "text/plain"
    req.write(str(n))
    return apache.OK


def _loop_in_python(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.05)


def slow(req):
    _loop_in_python(30)
    req.content_type = "text/plain"
    req.write("finished")
    return apache.OK


def quick(req):
    time.sleep(0.3)
    req.content_type = "text/plain"
    req.write("quick")
    return apache.OK


def late(req):
    req.content_type = "text/plain"
    req.write("started\n")
    _loop_in_python(30)
    req.write("finished")
    return apache.OK


def session2(req):
    first = Session.Session(req)
    first["n"] = first.get("n", 0) + 1
    second = Session.Session(req)
    req.content_type = "text/plain"
    req.write(f"same={second is first} n={second.get('n')} "
              f"sid={first.id() == second.id()}")
    first.save()
    return apache.OK


def blocked(req):
    """(PythonRequestTimeout 1) one C call of 7 s: cannot be interrupted."""
    time.sleep(7)
    req.content_type = "text/plain"
    req.write("finished")
    return apache.OK
