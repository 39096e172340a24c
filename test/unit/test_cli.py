"""Unit tests for mod_python.cli, the `mod_python` command-line tool.

No server is started here (test/integration/test_610_cli.py does that);
`httpd -t` checks the generated configuration when httpd and the built
module are available.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEST_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEST_DIR.parent / "lib" / "python"))
sys.path.insert(0, str(TEST_DIR))

from harness import TestEnv
from mod_python import cli, mp_version


@pytest.fixture(scope="module")
def env() -> TestEnv:
    return TestEnv()


def create(tmp_path: Path, env: TestEnv, *extra: str) -> tuple[int, Path]:
    root = tmp_path / "inst"
    rc = cli.main([
        "--httpd", env.httpd, "create", str(root), "--listen", "127.0.0.1:18888",
        "--module", str(env.module_so), "--package-dir", str(env.pkgdir), *extra,
    ])
    return rc, root


def test_create_makes_an_instance(tmp_path, env, capsys):
    rc, root = create(tmp_path, env)
    assert rc == 0
    out = capsys.readouterr().out
    assert f"mod_python start {root}" in out
    for sub in ("conf", "logs", "run", "htdocs", "bin"):
        assert (root / sub).is_dir()
    conf = (root / "conf" / "httpd.conf").read_text()
    assert "Listen 127.0.0.1:18888" in conf
    assert f"LoadModule python_module {env.module_so}" in conf
    assert "PythonHandler hello" in conf
    assert f"PythonOption mod_python.package_dir {env.pkgdir}" in conf
    assert "def handler(req)" in (root / "htdocs" / "hello.py").read_text()
    start = (root / "bin" / "start").read_text()
    assert f'"{env.httpd}" -f "{root}/conf/httpd.conf" -k start' in start
    assert os.access(root / "bin" / "start", os.X_OK)
    # the config is exactly what its script prints
    assert cli.render_script(root / "conf" / "httpd_conf.py") == conf


def test_create_config_passes_httpd_configtest(tmp_path, env):
    if not (os.access(env.httpd, os.X_OK) and env.have_mod_python()):
        pytest.skip("httpd or the built mod_python.so is missing")
    rc, root = create(tmp_path, env)
    assert rc == 0
    res = subprocess.run(
        [env.httpd, "-t", "-f", str(root / "conf" / "httpd.conf")],
        capture_output=True, text=True, timeout=60, env=env.httpd_env(), check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Syntax OK" in res.stdout + res.stderr


def test_create_any_handler_and_options(tmp_path, env):
    rc, root = create(
        tmp_path, env, "--pythonhandler", "mod_python.wsgi",
        "--pythonpath", f"/opt/a{os.pathsep}/opt/b", "--pythonoption",
        "mod_python.wsgi.application app::application",
    )
    assert rc == 0
    conf = (root / "conf" / "httpd.conf").read_text()
    assert "PythonHandler mod_python.wsgi" in conf
    assert "PythonPath \"sys.path + ['/opt/a', '/opt/b']\"" in conf
    assert "PythonOption mod_python.wsgi.application app::application" in conf
    # the 3.5 comment said base_url (spec defect 19); a base_uri of "/"
    # breaks the site (issue 12 item 11), so no such hint either
    assert "mod_python.wsgi.base_uri" in conf and "base_url" not in conf
    assert "base_uri /" not in conf
    assert not (root / "htdocs" / "wsgi_app.py").exists()


def test_create_refuses_to_replace(tmp_path, env, capsys):
    assert create(tmp_path, env)[0] == 0
    rc, _ = create(tmp_path, env)
    assert rc == 1
    assert "--force" in capsys.readouterr().err
    rc, root = create(tmp_path, env, "--force", "--listen", "127.0.0.1:18889")
    assert rc == 0
    assert "Listen 127.0.0.1:18889" in (root / "conf" / "httpd.conf").read_text()


def test_genconfig_prints_the_config(tmp_path, env, capsys):
    _, root = create(tmp_path, env)
    capsys.readouterr()
    assert cli.main(["genconfig", str(root / "conf" / "httpd_conf.py")]) == 0
    assert capsys.readouterr().out == (root / "conf" / "httpd.conf").read_text()


def test_genconfig_of_a_script_with_only_a_config_object(tmp_path, capsys):
    script = tmp_path / "site.py"
    script.write_text(
        "from mod_python.httpdconf import *\n"
        "config = Container(Listen(8080), Location('/app', PythonHandler('app')))\n"
    )
    assert cli.main(["genconfig", str(script)]) == 0
    assert capsys.readouterr().out == (
        "Listen 8080\n<Location /app>\n  PythonHandler app\n</Location>\n"
    )


def test_genconfig_missing_file(tmp_path, capsys):
    assert cli.main(["genconfig", str(tmp_path / "nope.py")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_version(env, capsys):
    assert cli.main(["--httpd", env.httpd, "version"]) == 0
    out = capsys.readouterr().out
    assert f"mod_python:  {mp_version}" in out
    assert "Python:" in out and "httpd:" in out and "platform:" in out
    if os.access(env.httpd, os.X_OK):
        assert "Apache/2.4" in out


def test_pid_file_from_config(tmp_path):
    conf = tmp_path / "conf" / "httpd.conf"
    conf.parent.mkdir()
    conf.write_text('ServerRoot "/srv/x"\nPidFile run/httpd.pid\n')
    assert cli.pid_file(conf) == Path("/srv/x/run/httpd.pid")
    conf.write_text("PidFile /abs/h.pid\n")
    assert cli.pid_file(conf) == Path("/abs/h.pid")
    conf.write_text("Listen 80\n")
    assert cli.pid_file(conf) == tmp_path / "logs" / "httpd.pid"


def test_control_commands_need_a_config(tmp_path, capsys):
    for cmd in ("start", "stop", "restart"):
        assert cli.main([cmd, str(tmp_path)]) == 1
        assert "no such configuration file" in capsys.readouterr().err


def test_stop_when_not_running(tmp_path, env, capsys):
    _, root = create(tmp_path, env)
    capsys.readouterr()
    assert cli.main(["stop", str(root)]) == 0
    assert "not running" in capsys.readouterr().out


def test_usage_errors_return_2(capsys):
    assert cli.main([]) == 2
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["--help"]) == 0
    capsys.readouterr()


def test_launcher_script_runs_main():
    script = TEST_DIR.parent / "scripts" / "mod_python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    res = subprocess.run([sys.executable, str(script), "version"], capture_output=True,
                         text=True, timeout=60, env=env, check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("mod_python:")
