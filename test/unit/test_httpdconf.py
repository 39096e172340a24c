"""Unit tests for mod_python.httpdconf (no Apache)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import httpdconf
from mod_python.httpdconf import (
    AddHandler,
    Comment,
    Container,
    ContainerTag,
    Directive,
    Directory,
    DocumentRoot,
    Files,
    IfModule,
    Listen,
    LoadModule,
    Location,
    LogFormat,
    PythonHandler,
    PythonOption,
    PythonPath,
    Require,
    SetHandler,
    VirtualHost,
    quote,
    quote_if_space,
)


def test_directive_renders_name_and_value():
    assert str(Directive("Listen", "8080")) == "Listen 8080"
    assert str(Directive("Listen", 8080)) == "Listen 8080"
    assert str(Directive("KeepAlive")) == "KeepAlive"


def test_directive_flips_backslashes_unless_told_not_to():
    assert str(Directive("DocumentRoot", "C:\\www\\site")) == "DocumentRoot C:/www/site"
    d = Directive("DocumentRoot", "C:\\www", flipslash=False)
    assert str(d) == "DocumentRoot C:\\www"


def test_directive_name_is_checked():
    with pytest.raises(ValueError):
        Directive("Two words", "x")


def test_quote_helpers():
    assert quote_if_space("/srv/site") == "/srv/site"
    assert quote_if_space("/srv/my site") == '"/srv/my site"'
    assert quote_if_space("") == '""'
    assert quote('say "hi"') == '"say \\"hi\\""'


def test_ready_made_directives():
    assert str(Listen("127.0.0.1:8080")) == "Listen 127.0.0.1:8080"
    assert str(AddHandler("mod_python", ".py")) == "AddHandler mod_python .py"
    assert str(DocumentRoot("/srv/my site")) == 'DocumentRoot "/srv/my site"'
    assert str(LoadModule("python_module", "/m/mod_python.so")) == (
        "LoadModule python_module /m/mod_python.so"
    )
    assert str(PythonOption("title", "Hello world")) == 'PythonOption title "Hello world"'
    assert str(PythonOption("flag")) == "PythonOption flag"
    # 3.5 wrote a one-word expression as given; whitespace gets quotes
    assert str(PythonPath("sys.path+['/x']")) == "PythonPath sys.path+['/x']"
    assert str(PythonPath("sys.path + ['/x']")) == "PythonPath \"sys.path + ['/x']\""
    assert str(LogFormat('%h "%r"', "common")) == 'LogFormat "%h \\"%r\\"" common'
    assert str(Require("all granted")) == "Require all granted"


def test_every_python_directive_is_available():
    for name in ["PythonHandler", "PythonAccessHandler", "PythonAuthenHandler", "PythonAuthzHandler", "PythonPostReadRequestHandler", "PythonTransHandler", "PythonFixupHandler", "PythonCleanupHandler", "PythonConnectionHandler", "PythonOutputFilter", "PythonInputFilter", "PythonImport", "PythonPath", "PythonOption", "PythonDebug", "PythonInterpPerDirectory", "PythonInterpPerDirective", "PythonInterpreter", "PythonHeaderParserHandler", "PythonInitHandler", "PythonTypeHandler", "PythonLogHandler", "PythonEnablePdb", "PythonAutoReload", "PythonOptimize", "PythonHandlerModule", "PythonHome"]:
        cls = getattr(httpdconf, name)
        assert name in httpdconf.__all__
        assert str(cls("x")).startswith(name + " ")


def test_comment_lines():
    assert str(Comment("one")) == "# one"
    assert str(Comment("one\ntwo\n")) == "# one\n# two\n#"


def test_sections_indent_and_quote():
    conf = VirtualHost(
        "*:80",
        Directory(
            "/srv/my site",
            SetHandler("mod_python"),
            Files("x.py", Require("all denied")),
        ),
        Location("/app", PythonHandler("app")),
    )
    assert str(conf) == (
        "<VirtualHost *:80>\n"
        '  <Directory "/srv/my site">\n'
        "    SetHandler mod_python\n"
        "    <Files x.py>\n"
        "      Require all denied\n"
        "    </Files>\n"
        "  </Directory>\n"
        "  <Location /app>\n"
        "    PythonHandler app\n"
        "  </Location>\n"
        "</VirtualHost>"
    )


def test_container_tag_and_plain_container():
    tag = ContainerTag("IfDefine", "DEBUG", [Directive("LogLevel", "debug")])
    assert str(tag) == "<IfDefine DEBUG>\n  LogLevel debug\n</IfDefine>"
    assert str(Container(Listen(80), Listen(81))) == "Listen 80\nListen 81"


def test_append_type_checks():
    c = Container()
    c.append(Listen(80))
    with pytest.raises(TypeError):
        c.append("Listen 81")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Directory("/x", "SetHandler mod_python")  # type: ignore[arg-type]


def test_only_if():
    assert str(Container(Listen(80), only_if=False)) == ""
    assert str(Container(Listen(80), only_if=True)) == "Listen 80"
    assert str(Container(Listen(80), only_if=lambda: False)) == ""
    assert str(Container(Listen(80), only_if="1 + 1 == 3")) == ""
    # the expression sees the package, with its generated version module
    assert str(IfModule("x", Listen(80), only_if="mod_python is not None")) == (
        "<IfModule x>\n  Listen 80\n</IfModule>"
    )


def test_repr_round_trips():
    conf = Container(
        Comment("site\nsecond line"),
        Listen("127.0.0.1:8080"),
        Directive("ServerName", "example.org"),
        Directory(
            "C:\\www",
            SetHandler("mod_python"),
            PythonPath("sys.path + ['/a b']"),
            PythonOption("k", "v w"),
            flipslash=False,
        ),
        ContainerTag("IfDefine", "X", [Listen(81)]),
        Container(Listen(82), only_if="True"),
        LogFormat('%h "%r"', "common"),
    )
    ns = {name: getattr(httpdconf, name) for name in httpdconf.__all__}
    again = eval(repr(conf), ns)
    assert str(again) == str(conf)
    assert repr(again) == repr(conf)


def test_write_basic_config(tmp_path):
    root = tmp_path / "inst"
    script = httpdconf.write_basic_config(
        root,
        listen="127.0.0.1:9999",
        htdocs="htdocs",
        pythonhandler="myapp",
        pythonpath=["/opt/lib"],
        pythonoptions=["color blue", "flag"],
        mp_comments=["a comment"],
        module_path="/m/mod_python.so",
        modules_dir="/mods",
        user=None,
    )
    assert script == str(root / "conf" / "httpd_conf.py")
    for sub in ("conf", "logs", "run", "htdocs"):
        assert (root / sub).is_dir()
    assert (root / "conf" / "mime.types").is_file()
    assert os.access(script, os.X_OK)
    with pytest.raises(FileExistsError):
        httpdconf.write_basic_config(root)
    text = _run(script)
    assert "Listen 127.0.0.1:9999" in text
    assert "LoadModule python_module /m/mod_python.so" in text
    assert "LoadModule mpm_event_module /mods/mod_mpm_event.so" in text
    assert f"ServerRoot {root}" in text
    assert f"<Directory {root / 'htdocs'}>" in text
    assert "  PythonHandler myapp" in text
    assert "  PythonPath \"sys.path + ['/opt/lib']\"" in text
    assert "  PythonOption color blue" in text
    assert "  PythonOption flag" in text
    assert "  # a comment" in text
    assert "User " not in text


def _run(script: str) -> str:
    import subprocess

    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "lib" / "python")
    out = subprocess.run(
        [sys.executable, script], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    return out.stdout
