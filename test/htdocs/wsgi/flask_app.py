"""A Flask application served through mod_python.wsgi (test_520_wsgi.py)."""

from flask import Flask, request

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>Flask index</h1>"


@app.route("/form", methods=["POST"])
def form():
    return f"name={request.form['name']} n={request.form.getlist('n')}"


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    data = f.read()
    return f"{f.filename}:{len(data)}:{data[:5].decode()}:{request.form['note']}"


@app.route("/missing")
def missing():
    return "not here", 404
