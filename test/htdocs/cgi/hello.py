"""CGI script for test_530_cgi_test.py: echoes environment and stdin."""

import json
import os
import sys

import cgi_helper

body = sys.stdin.read() if os.environ.get("REQUEST_METHOD") == "POST" else ""
data = {
    "method": os.environ.get("REQUEST_METHOD"),
    "query": os.environ.get("QUERY_STRING"),
    "script_filename": os.environ.get("SCRIPT_FILENAME"),
    "x_test": os.environ.get("HTTP_X_TEST"),
    "body": body,
    "cwd": os.getcwd(),
    "argv0": sys.argv[0],
    "helper": cgi_helper.VALUE,
    "name": __name__,
}
print("Content-Type: application/json")
print("X-Cgi: yes")
print()
print(json.dumps(data))
