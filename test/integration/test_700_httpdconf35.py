"""A mod_python 3.5-style httpdconf script configures a working server
(issue 12 item 1).

The script uses 3.5's forms only (`from mod_python.httpdconf import *`, one
value string per directive, written verbatim); its output must pass
`httpd -t` and serve a request through test/htdocs/compat35/hello35.py.
"""

from __future__ import annotations

import subprocess

import pytest

SCRIPT = '''\
from mod_python.httpdconf import *

ROOT = {root!r}
HTDOCS = {htdocs!r}
LIBEXEC = {libexec!r}
MPM = {mpm!r}

config = Container(
    Comment("written the way mod_python 3.5 scripts are"),
    ServerRoot(ROOT),
    Listen("127.0.0.1:%d" % {port}),
    ServerName("localhost"),
    PidFile(ROOT + "/run/httpd.pid"),
    ErrorLog(ROOT + "/logs/error_log"),
    LogLevel("info"),
    Mutex("file:%s/run default" % ROOT),
    LoadModule("mpm_%s_module %s/mod_mpm_%s.so" % (MPM, LIBEXEC, MPM)),
    IfModule("!authz_core_module",
             LoadModule("authz_core_module %s/mod_authz_core.so" % LIBEXEC)),
    IfModule("!mime_module",
             LoadModule("mime_module %s/mod_mime.so" % LIBEXEC)),
    IfModule("!log_config_module",
             LoadModule("log_config_module %s/mod_log_config.so" % LIBEXEC)),
    LoadModule("python_module {module_so}"),
    StartServers("1"),
    {user}
    TypesConfig(ROOT + "/conf/mime.types"),
    LogFormat('"%h %l %u %t \\\\"%r\\\\" %>s %b" common'),
    CustomLog(ROOT + "/logs/access_log common"),
    DocumentRoot(HTDOCS),
    KeepAliveTimeout("5"),
    Timeout("30"),
    Directory("/", Options("None"), Require("all denied")),
    Directory(HTDOCS, Require("all granted")),
    PythonOption("mod_python.package_dir {pkgdir}"),
    Location("/py35",
             SetHandler("mod_python"),
             PythonPath("\\"sys.path+['%s/compat35']\\"" % HTDOCS),
             PythonHandler("hello35"),
             PythonOption("greeting from-a-3.5-script"),
             PythonDebug("On"),
             PythonInterpPerDirectory()),
    Container(Listen("127.0.0.1:1"), only_if="1 == 2"),
)

print(config)
'''


@pytest.fixture(scope="module")
def server(httpd):
    env = httpd.env
    user = ""
    if env.user:
        user = f'User("{env.user}"), Group("{env.group}"),'
    script = httpd.root / "conf" / "httpd_conf35.py"
    script.write_text(SCRIPT.format(
        root=str(httpd.root), htdocs=str(httpd.htdocs), libexec=env.libexecdir,
        mpm=env.mpm, port=httpd.port, module_so=env.module_so,
        pkgdir=httpd.pkgdir, user=user))
    out = subprocess.run(
        [env.python, str(script)], capture_output=True, text=True, timeout=60,
        env={**env.httpd_env(), "PYTHONPATH": str(httpd.pkgdir)}, check=False)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    # the server writes exactly what the 3.5 script printed
    httpd.conf.text = lambda: text  # type: ignore[method-assign]
    httpd.script_output = text
    return httpd


def test_rendering_is_35s(server):
    text = server.script_output
    assert f"LoadModule python_module {server.env.module_so}\n" in text
    assert "PythonOption greeting from-a-3.5-script\n" in text
    assert "PythonInterpPerDirectory Off\n" in text
    assert f"CustomLog {server.root}/logs/access_log common\n" in text
    assert "Listen 127.0.0.1:1" not in text


def test_httpd_accepts_it(server):
    res = server.configtest()
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Syntax OK" in res.stderr + res.stdout


def test_it_serves(server):
    server.start()
    r = server.client().get("/py35/anything")
    assert r.status == 200, r
    assert r.text == "hello35 from-a-3.5-script"
