"""A Flask application receiving a PUT (test_710_wsgi_compat.py).

/upload (PUT): JSON with the body's length and sha256 and the environ's
wsgi.input_terminated.  Werkzeug reads a body without Content-Length (a
chunked upload) only when wsgi.input_terminated is true.
"""

import hashlib

from flask import Flask, request

app = Flask(__name__)


@app.route("/upload", methods=["PUT"])
def upload():
    data = request.get_data()
    return {
        "length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "terminated": request.environ.get("wsgi.input_terminated"),
        "content_length": request.environ.get("CONTENT_LENGTH"),
    }
