"""`mod_python serve` and the `create` samples, without starting a server
(test/integration/test_730_cli_serve.py does that).  `httpd -t` checks each
generated configuration when httpd and the built module are there."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

TEST_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEST_DIR.parent / "lib" / "python"))
sys.path.insert(0, str(TEST_DIR))

from harness import TestEnv
from mod_python import cli


@pytest.fixture(scope="module")
def env() -> TestEnv:
    return TestEnv()


@pytest.fixture
def targets(tmp_path, monkeypatch):
    (tmp_path / "wsgi1.py").write_text("def application(e, s):\n    return []\n")
    (tmp_path / "wsgi2.py").write_text("app = None\n")
    (tmp_path / "hand.py").write_text("def handler(req):\n    return 0\n")
    (tmp_path / "both.py").write_text("application = handler = None\n")
    (tmp_path / "neither.py").write_text("x = 1\n")
    (tmp_path / "broken.py").write_text("def (\n")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "site.wsgi").write_text("import app\napplication = app.make()\n")
    (tmp_path / "pages").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_classify(targets):
    t = cli.classify_target("wsgi1.py")
    assert (t.kind, t.path, t.name) == ("wsgi", str(targets / "wsgi1.py"), "application")
    assert t.directory == str(targets)
    t = cli.classify_target("wsgi2.py::app")
    assert (t.kind, t.name) == ("wsgi", "app")
    t = cli.classify_target("hand.py")
    assert (t.kind, t.name, t.module) == ("handler", "", False)
    assert cli.classify_target("hand.py::handler").kind == "handler"
    assert cli.classify_target("both.py").kind == "wsgi"
    t = cli.classify_target("site.wsgi")
    assert (t.kind, t.name) == ("wsgi", "application")
    assert cli.classify_target("both.py", "handler").kind == "handler"
    t = cli.classify_target("pkg.handlers")
    assert (t.kind, t.path, t.module, t.directory) == (
        "handler", "pkg.handlers", True, str(targets))
    t = cli.classify_target("pages")
    assert (t.kind, t.path, t.directory) == ("pages", str(targets / "pages"), str(targets / "pages"))


@pytest.mark.parametrize(("target", "kind", "message"), [
    ("neither.py", None, "neither 'application'"),
    ("broken.py", None, "cannot read"),
    ("notes.txt", None, "not a .py or .wsgi file"),
    ("missing.py", None, "no such file"),
    ("pages", "wsgi", "can only be served as pages"),
    ("hand.py", "pages", "needs a directory"),
])
def test_classify_errors(targets, target, kind, message):
    with pytest.raises(cli.CliError, match=message):
        cli.classify_target(target, kind)


def test_mpm_settings():
    mpm, nodes = cli._mpm_settings(2, 1)
    text = "\n".join(map(str, nodes))
    assert mpm == "prefork" and "MaxRequestWorkers 2" in text
    mpm, nodes = cli._mpm_settings(3, 4)
    text = "\n".join(map(str, nodes))
    assert mpm == "event"
    assert "ThreadsPerChild 4" in text and "MaxRequestWorkers 12" in text
    with pytest.raises(cli.CliError):
        cli._mpm_settings(0, 1)


def show(env, capsys, *args):
    rc = cli.main(["--httpd", env.httpd, "serve", *args, "--module", str(env.module_so),
                   "--package-dir", str(env.pkgdir), "--port", "18999", "--show-config"])
    out = capsys.readouterr().out
    assert rc == 0
    return out


@pytest.mark.parametrize(("target", "expect"), [
    ("wsgi1.py", ["PythonHandler mod_python.wsgi",
                  "PythonOption mod_python.wsgi.application {d}/wsgi1.py::application",
                  "PythonAutoReload Off", "StartServers 1", "ThreadsPerChild 5"]),
    ("wsgi2.py::app", ["PythonOption mod_python.wsgi.application {d}/wsgi2.py::app"]),
    ("hand.py", ["PythonHandler {d}/hand.py", "PythonPath \"['{d}'] + sys.path\""]),
    ("pkg.mod", ["PythonHandler pkg.mod", "PythonPath \"['{d}'] + sys.path\""]),
    ("pages", ["DocumentRoot {d}/pages", "PythonHandler mod_python.publisher",
               "<Files *.psp>", "PythonHandler mod_python.psp", "SetHandler none",
               "DirectoryIndex index.py index.psp index.html"]),
])
def test_show_config(targets, env, capsys, target, expect):
    text = show(env, capsys, target)
    for line in expect:
        assert line.format(d=targets) in text, (line, text)
    assert "Listen 127.0.0.1:18999" in text
    assert "ErrorLog /dev/stderr" in text and "CustomLog /dev/stdout common" in text
    assert f"PythonOption mod_python.package_dir {env.pkgdir}" in text
    # the temporary server root is gone again
    root = text.split("ServerRoot ", 1)[1].split("\n", 1)[0]
    assert not os.path.exists(root)
    if os.access(env.httpd, os.X_OK) and env.have_mod_python():
        again = targets / "root"   # the same layout, kept for httpd -t
        for sub in ("conf", "run", "htdocs"):
            (again / sub).mkdir(parents=True, exist_ok=True)
        (again / "conf" / "mime.types").write_text("text/plain txt\n")
        conf = again / "conf" / "httpd.conf"
        conf.write_text(text.replace(root, str(again)))
        res = subprocess.run([env.httpd, "-t", "-f", str(conf)], capture_output=True,
                             text=True, timeout=60, env=env.httpd_env(), check=False)
        assert res.returncode == 0, res.stdout + res.stderr


def test_show_config_options(targets, env, capsys):
    text = show(env, capsys, "hand.py", "--reload", "--processes", "2", "--threads", "1",
                "--debug", "--host", "0.0.0.0")
    assert "PythonAutoReload On" in text and "PythonDebug On" in text
    assert "mod_mpm_prefork.so" in text and "MaxRequestWorkers 2" in text
    assert "Listen 0.0.0.0:18999" in text


def test_serve_errors(targets, env, capsys):
    assert cli.main(["--httpd", env.httpd, "serve", "neither.py"]) == 1
    assert "neither" in capsys.readouterr().err
    assert cli.main(["--httpd", env.httpd, "serve", "hand.py", "--module",
                     str(targets / "nope.so")]) == 1
    assert "does not exist" in capsys.readouterr().err


def _create(tmp_path, env, *extra):
    root = tmp_path / "inst"
    rc = cli.main(["--httpd", env.httpd, "create", str(root), "--listen", "127.0.0.1:18888",
                   "--module", str(env.module_so), "--package-dir", str(env.pkgdir), *extra])
    assert rc == 0
    return root


def test_create_publisher_has_an_index(tmp_path, env):
    root = _create(tmp_path, env, "--pythonhandler", "mod_python.publisher")
    index = root / "htdocs" / "index.py"
    assert "def index(req)" in index.read_text()
    ns = runpy.run_path(str(index))
    assert ns["index"](None) == "Hello from mod_python's publisher!\n"   # type: ignore[operator]


def test_create_wsgi_is_served_without_options(tmp_path, env):
    root = _create(tmp_path, env, "--pythonhandler", "mod_python.wsgi")
    conf = (root / "conf" / "httpd.conf").read_text()
    assert "PythonOption mod_python.wsgi.application wsgi_app::application" in conf
    assert "base_uri /" not in conf
    ns = runpy.run_path(str(root / "htdocs" / "wsgi_app.py"))
    seen = []
    body = ns["application"]({}, lambda s, h: seen.append(s))   # type: ignore[operator]
    assert seen == ["200 OK"] and b"".join(body).startswith(b"Hello")
