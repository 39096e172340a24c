"""Configuration mistakes fail `apache2 -t` with file and line (issue 12
item 9): PythonHome that is not a Python home nor a venv (MP0033), a
PythonPath that does not parse (MP0035), mod_python.wsgi.base_uri ending in
'/' (MP0036), a non-numeric mod_python.mutex_locks (MP0037).  Correct values
still pass.  No server is started: each case is one `apache2 -t` run.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from harness import HttpdServer


def configtest(httpd: HttpdServer, *lines: str,
               section: bool = False) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run `apache2 -t` on the base config plus lines (at server level, or
    inside a <Directory> when section).  Returns the result and the line
    number of the last added line."""
    text = httpd.conf.text().rstrip("\n") + "\n"
    if section:
        text += f'<Directory "{httpd.htdocs}/config">\n'
    for line in lines:
        text += line + "\n"
    lineno = text.count("\n")
    if section:
        text += "</Directory>\n"
    return httpd.configtest(text), lineno


def assert_fails(httpd: HttpdServer, line: str, code: str, message: str,
                 section: bool = False) -> str:
    res, lineno = configtest(httpd, line, section=section)
    assert res.returncode != 0, f"{line!r} passed apache2 -t"
    m = re.search(r"Syntax error on line (\d+) of (\S+):\s*(" + code + r": .*)",
                  res.stderr)
    assert m, res.stderr
    assert int(m.group(1)) == lineno, res.stderr
    assert m.group(2).startswith(str(httpd.root / "conf") + "/check-")
    assert re.search(message, m.group(3)), m.group(3)
    return m.group(3)


def assert_passes(httpd: HttpdServer, line: str, section: bool = False) -> None:
    res, _ = configtest(httpd, line, section=section)
    assert res.returncode == 0, f"{line!r}: {res.stderr}"
    assert "Syntax OK" in res.stderr


# -- PythonHome ---------------------------------------------------------------

def test_pythonhome_that_does_not_exist(httpd):
    assert_fails(httpd, "PythonHome /nonexistent/python", "MP0033",
                 r"PythonHome /nonexistent/python does not exist")


def test_pythonhome_that_is_not_a_python_home(httpd):
    empty = httpd.tmp / "not-a-home"
    empty.mkdir(exist_ok=True)
    msg = assert_fails(httpd, f"PythonHome {empty}", "MP0033",
                       r"is neither a Python 3\.\d+ installation \(no .*/os\.py\)"
                       r" nor a virtual environment \(no pyvenv\.cfg\)")
    assert str(empty) in msg


def test_pythonhome_file_instead_of_directory(httpd):
    f = httpd.tmp / "a-file"
    f.write_text("x")
    assert_fails(httpd, f"PythonHome {f}", "MP0033", r"is not a directory")


def test_venv_without_version_is_refused(httpd):
    v = httpd.tmp / "venv-noversion"
    v.mkdir(exist_ok=True)
    (v / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert_fails(httpd, f"PythonHome {v}", "MP0033",
                 r"pyvenv\.cfg has no Python version")


def test_real_python_home_passes(httpd, env):
    out = subprocess.run([env.python, "-c", "import sys; print(sys.base_prefix)"],
                         capture_output=True, text=True, check=True)
    assert_passes(httpd, f"PythonHome {out.stdout.strip()}")


# -- PythonPath ---------------------------------------------------------------

@pytest.mark.parametrize("expr, message", [
    ("/srv/app", (r"is not a Python expression: it must start with a name, "
                  r"a list or a string, not '/'")),
    ("\"sys.path + ['/srv/app'\"", r"the '\[' of column 12 is not closed"),
    ("\"sys.path + ['/srv/app]\"", r"the string starting at column 13 is not closed"),
    ("\"['/a') + sys.path\"", r"'\)' at column 6 does not close the '\[' of column 1"),
    ("\"sys.path + ['/a']]\"", r"'\]' at column 18 closes nothing"),
    ("\"sys.path +\"", r"ends with '\+'"),
    ("\"sys.path = ['/a']\"", r"'=' at column 10 is an assignment"),
    ("\"import os; sys.path\"", r"';' at column 10: PythonPath is one expression"),
    ("\"sys.path + x'/a'\"", r"unexpected quote after 'x' at column 13"),
])
def test_pythonpath_that_does_not_parse(httpd, expr, message):
    assert_fails(httpd, f"PythonPath {expr}", "MP0035", message)


def test_pythonpath_checked_inside_sections_too(httpd):
    assert_fails(httpd, "PythonPath \"sys.path + ['/a'\"", "MP0035",
                 r"is not closed", section=True)


@pytest.mark.parametrize("expr", [
    "\"sys.path + ['/srv/app']\"",
    "\"['/srv/app', '/srv/lib'] + sys.path\"",
    "\"sorted(sys.path, key=len) + [r'/a\\b', \\\"x]y\\\", '''z(''']\"",
    "\"[p for p in sys.path if p != ''] # a comment\"",
    "\"sys.path if len(sys.path) >= 1 else []\"",
    "sys.path",
])
def test_valid_pythonpath_passes(httpd, expr):
    assert_passes(httpd, f"PythonPath {expr}")


# -- PythonOption -------------------------------------------------------------

def test_wsgi_base_uri_ending_in_slash(httpd):
    assert_fails(httpd, "PythonOption mod_python.wsgi.base_uri /app/", "MP0036",
                 r"base_uri '/app/' must not end with '/': write '/app'")


def test_wsgi_base_uri_slash_alone(httpd):
    assert_fails(httpd, "PythonOption mod_python.wsgi.base_uri /", "MP0036",
                 r"leave the option out")


def test_wsgi_base_uri_in_a_section(httpd):
    assert_fails(httpd, "PythonOption mod_python.wsgi.base_uri /wsgibad/",
                 "MP0036", r"must not end with '/'", section=True)


@pytest.mark.parametrize("value", ["eight", "8x", "-1", "1.5", "99999999"])
def test_mutex_locks_not_a_number(httpd, value):
    assert_fails(httpd, f"PythonOption mod_python.mutex_locks {value}", "MP0037",
                 r"mutex_locks '" + re.escape(value) + r"' must be a whole number")


@pytest.mark.parametrize("line", [
    "PythonOption mod_python.wsgi.base_uri /app",
    "PythonOption mod_python.wsgi.base_uri",
    "PythonOption mod_python.mutex_locks 16",
    "PythonOption some.other.option /ends/with/slash/",
])
def test_valid_options_pass(httpd, line):
    assert_passes(httpd, line)


# -- .htaccess: the same check on the request path ------------------------------

@pytest.fixture(scope="module")
def served(httpd):
    httpd.write_file("cfgcheck/bad/.htaccess",
                     "PythonPath \"sys.path + ['/srv/app'\"\n")
    httpd.write_file("cfgcheck/good/.htaccess",
                     f"PythonPath \"sys.path + ['{httpd.htdocs}/basic']\"\n")
    httpd.conf.directory("{htdocs}/cfgcheck", "AllowOverride All",
                         "SetHandler mod_python", "PythonHandler basic_hello")
    httpd.start()
    return httpd


def test_htaccess_pythonpath_that_does_not_parse_fails_the_request(served):
    r = served.client().get("/cfgcheck/bad/x")
    assert r.status == 500
    line = served.log.wait_for(r"cfgcheck/bad/\.htaccess: MP0035: PythonPath "
                               r"'sys\.path \+ \['/srv/app'': the '\[' of "
                               r"column 12 is not closed", 0, 5)
    assert line, served.log.tail(10)


def test_htaccess_valid_pythonpath_serves(served):
    r = served.client().get("/cfgcheck/good/x")
    assert r.status == 200, r.text


def test_venv_whose_base_python_is_gone(httpd, env):
    out = subprocess.run(
        [env.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True)
    v = httpd.tmp / "venv-nobase"
    v.mkdir(exist_ok=True)
    (v / "pyvenv.cfg").write_text(
        f"home = /nonexistent/bin/\nversion = {out.stdout.strip()}.0\n")
    assert_fails(httpd, f"PythonHome {v}", "MP0033",
                 r"the base Python of virtual environment .* \(home = "
                 r"/nonexistent/bin/ in .*pyvenv\.cfg\) has no standard library")
