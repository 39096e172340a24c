"""mod_python.httpdconf accepts mod_python 3.5 scripts (issue 12 item 1).

3.5's directive classes take one value string written verbatim; every class
3.5 had exists with that signature; any other directive can be written.
test/integration/test_700_httpdconf35.py runs such a script against Apache.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import httpdconf

# Every class of 3.5's httpdconf and the argument names of its constructor.
CLASSES_35 = {
    "Directive": ["name", "val", "flipslash"],
    "Container": None,
    "ContainerTag": ["tag", "attr", "args", "flipslash"],
    "Comment": ["comment"],
    "Directory": ["dir"], "Files": ["dir"], "IfModule": ["dir"],
    "Location": ["dir"], "VirtualHost": ["addr"],
}
DIRECTIVES_35 = [
    "AddHandler", "AddOutputFilter", "AddType", "AuthBasicAuthoritative",
    "AuthBasicProvider", "AuthName", "AuthType", "CustomLog", "DirectoryIndex",
    "DocumentRoot", "ErrorLog", "KeepAliveTimeout", "Listen", "LoadModule", "LockFile",
    "LogFormat", "LogLevel", "MaxClients", "MaxConnectionsPerChild",
    "MaxRequestsPerChild", "MaxSpareServers", "MaxSpareThreads", "MaxThreadsPerChild",
    "MinSpareThreads", "Mutex", "NameVirtualHost", "NumServers", "Options", "PidFile",
    "PythonAccessHandler", "PythonAuthenHandler", "PythonAuthzHandler",
    "PythonCleanupHandler", "PythonConnectionHandler", "PythonDebug",
    "PythonFixupHandler", "PythonHandler", "PythonImport", "PythonInterpPerDirective",
    "PythonInterpPerDirectory", "PythonOption", "PythonOutputFilter", "PythonPath",
    "PythonPostReadRequestHandler", "PythonTransHandler", "Require", "ServerAdmin",
    "ServerName", "ServerPath", "ServerRoot", "SetHandler", "StartServers",
    "StartThreads", "ThreadsPerChild", "Timeout", "TypesConfig",
]


def test_star_import_gives_every_35_name():
    ns: dict[str, object] = {}
    exec("from mod_python.httpdconf import *", ns)  # noqa: S102 - what 3.5 scripts do
    for name in [*CLASSES_35, *DIRECTIVES_35, "quote_if_space", "write_basic_config"]:
        assert name in ns, name


@pytest.mark.parametrize("name", DIRECTIVES_35)
def test_one_value_string_is_written_verbatim(name):
    cls = getattr(httpdconf, name)
    value = "first second  third"
    if name in ("PythonInterpPerDirective", "PythonInterpPerDirectory"):
        value = "On"
    rendered = str(cls(value))
    if getattr(cls, "take1", False):
        # one-argument directives: 3.5 wrote this unquoted, which httpd rejects
        assert rendered == f'{name} "{value}"'
    else:
        assert rendered == f"{name} {value}"
    again = eval(repr(cls(value)), vars(httpdconf))
    assert str(again) == rendered


def test_35_examples():
    h = httpdconf
    assert str(h.LoadModule("python_module /path/mod_python.so")) == (
        "LoadModule python_module /path/mod_python.so"
    )
    assert str(h.PythonOption("mod_python.session.session_type MemorySession")) == (
        "PythonOption mod_python.session.session_type MemorySession"
    )
    assert str(h.CustomLog("logs/access_log common")) == "CustomLog logs/access_log common"
    assert str(h.LogFormat('"%h %l %u %t" common')) == 'LogFormat "%h %l %u %t" common'
    assert str(h.PythonPath('"sys.path+[\'/a b\']"')) == "PythonPath \"sys.path+['/a b']\""
    assert str(h.DocumentRoot('"/srv/my site"')) == 'DocumentRoot "/srv/my site"'
    assert str(h.NameVirtualHost("*:80")) == "NameVirtualHost *:80"
    assert str(h.NumServers("2")) == "NumServers 2"
    assert str(h.ServerPath("/old")) == "ServerPath /old"
    assert str(h.PythonInterpPerDirectory()) == "PythonInterpPerDirectory Off"
    assert str(h.PythonInterpPerDirective()) == "PythonInterpPerDirective Off"
    assert str(h.Directive("Foo", "bar\\baz")) == "Foo bar/baz"
    assert str(h.Location('~ "^/x"', h.SetHandler("none"))) == (
        '<Location ~ "^/x">\n  SetHandler none\n</Location>'
    )


def test_35_signatures():
    for name, params in CLASSES_35.items():
        if params is None:
            continue
        sig = list(inspect.signature(getattr(httpdconf, name)).parameters)
        assert len(sig) >= len(params), name
    # positional forms 3.5 scripts use
    tag = httpdconf.ContainerTag("IfDefine", "C:\\x", [httpdconf.Listen("80")], 0)
    assert str(tag) == "<IfDefine C:\\x>\n  Listen 80\n</IfDefine>"
    d = httpdconf.Directive("DocumentRoot", "C:\\www", 0)
    assert str(d) == "DocumentRoot C:\\www"
    # 3.5's keyword names
    assert str(httpdconf.Directive("Listen", val="80")) == "Listen 80"
    assert str(httpdconf.Listen(val="127.0.0.1:80")) == "Listen 127.0.0.1:80"
    assert str(httpdconf.Comment(comment="x")) == "# x"


def test_any_directive_can_be_written():
    Header = httpdconf.directive_class("Header")
    assert str(Header('set X-Frame-Options "DENY"')) == 'Header set X-Frame-Options "DENY"'
    assert str(Header("set", "X-A", "a b")) == 'Header set X-A "a b"'
    assert str(httpdconf.SSLEngine("on")) == "SSLEngine on"
    assert repr(httpdconf.SSLEngine("on")) == "SSLEngine('on')"
    with pytest.raises(AttributeError):
        httpdconf.no_such_thing  # noqa: B018
    with pytest.raises(ValueError):
        httpdconf.directive_class("Two words")


def test_python22_is_importable_and_empty():
    ns: dict[str, object] = {}
    exec("from mod_python.python22 import *", ns)  # noqa: S102 - what old handlers do
    assert set(ns) == {"__builtins__"}
