"""Server (spec 2.8), connection attributes and methods from a request
(2.7) and finfo (2.10), through a real Apache.  The handler is
test/htdocs/api/api_server.py; it runs at the main server and in a virtual
host with its own PythonOption, ServerAdmin, ServerAlias and ServerPath.
(Connection read/readline/write are exercised by a connection handler in
test_310_connection.py.)
"""

import os
import time

import pytest

API_PATH = "PythonPath \"sys.path + ['{htdocs}/api']\""


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("PythonOption srv.opt main", "PythonDebug On",
          "PythonAutoReload Off")
    c.directory("{htdocs}/api", c.block("Files", '"cond.txt"',
                                        "SetHandler mod_python",
                                        "PythonHandler api_server"))
    c.vhost("v.test", "ServerAdmin admin@v.test",
            "ServerAlias alias.test *.wild.test", "ServerPath /vpath",
            "PythonOption vh.opt V", "PythonOption srv.opt overridden",
            "PythonInterpreter vhinterp")
    httpd.start()
    return httpd


@pytest.fixture(scope="module")
def main(server):
    r = server.client().get("/api/cond.txt")
    assert r.status == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def vhost(server):
    r = server.client().get("/api/cond.txt", host="v.test")
    assert r.status == 200, r.text
    return r.json()


def test_main_server_attributes(main, server):
    s = main["main"]
    assert s["server_hostname"] == "localhost"
    assert s["is_virtual"] == 0
    assert s["defn_name"] is None and s["defn_line_number"] == 0
    assert s["timeout"] == 30.0 and s["keep_alive_timeout"] == 15.0
    assert s["keep_alive"] == 1 and s["keep_alive_max"] == 0
    assert s["loglevel"] == 6                       # LogLevel info
    assert s["error_fname"] == str(server.root / "logs" / "error_log")
    assert s["limit_req_line"] == 8190
    assert s["limit_req_fieldsize"] == 8190
    assert s["limit_req_fields"] == 100
    assert s["names"] == [] and s["wild_names"] == []
    assert s["path"] is None and s["pathlen"] == 0
    assert isinstance(s["port"], int)
    assert isinstance(s["my_generation"], int)
    assert abs(s["restart_time"] - time.time()) < 600
    assert s["_server_rec"] == "PyCapsule"
    assert s["next"] == "mp_server"
    # the harness's default vhost (first) answers unknown Host names
    assert sorted(main["vhost_chain"]) == ["localhost", "v.test"]
    assert main["server"]["server_hostname"] == "localhost"
    assert main["server"]["is_virtual"] == 1
    assert main["server_type"] == "mp_server"
    assert main["server_cached"] is True


def test_vhost_attributes(vhost, server):
    s = vhost["server"]
    assert s["server_hostname"] == "v.test"
    assert s["is_virtual"] == 1
    assert s["server_admin"] == "admin@v.test"
    assert s["names"] == ["alias.test"]
    assert s["wild_names"] == ["*.wild.test"]
    assert s["path"] == "/vpath" and s["pathlen"] == 6
    assert s["defn_name"] == str(server.root / "conf" / "httpd.conf")
    assert s["defn_line_number"] > 0
    assert s["timeout"] == 30.0                      # inherited
    assert vhost["main"]["server_hostname"] == "localhost"


def test_server_get_config_and_options(main, vhost):
    assert main["server_config"]["PythonDebug"] == "1"
    assert main["server_config"]["PythonAutoReload"] == "0"
    assert main["server_options"]["srv.opt"] == "main"
    assert "vh.opt" not in main["server_options"]
    # vhost-level options are on req.server only, not on main_server
    assert vhost["server_options"]["vh.opt"] == "V"
    assert vhost["server_options"]["srv.opt"] == "overridden"
    assert "vh.opt" not in vhost["main_options"]
    assert vhost["main_options"]["srv.opt"] == "main"
    assert vhost["server_config"]["PythonInterpreter"] == "vhinterp"
    assert "PythonInterpreter" not in vhost["main_config"]


def test_server_dict_log_and_cleanup(main, server, expect_log):
    assert main["server_dict"] == "attached"
    assert main["server_cleanup"] is None
    server.client().get("/api/cond.txt")
    expect_log(r"\[python:notice\].*api_server: server log line",
               r"\[python:notice\].*\[client 127\.0\.0\.1:\d+\] "
               r"api_server: conn log line")


def test_connection_attributes(main, server):
    c = main["conn"]
    assert c["base_server"] == "mp_server"
    assert main["conn_base_is_server_type"] is True
    assert c["local_addr"] == ["127.0.0.1", server.port]
    assert c["client_addr"][0] == "127.0.0.1"
    assert c["remote_addr"] == c["client_addr"]
    assert c["client_ip"] == c["remote_ip"] == "127.0.0.1"
    assert c["local_ip"] == "127.0.0.1"
    assert c["remote_host"] is None and c["remote_logname"] is None
    assert c["aborted"] == 0
    assert c["keepalive"] in (0, 1, 2)
    assert c["double_reverse"] == 0
    assert c["keepalives"] == 0
    assert isinstance(c["id"], int)
    assert c["notes"] == "table" and main["conn_notes"] == "yes"
    assert c["hlist"] is None
    assert c["_conn_rec"] == "PyCapsule"
    assert main["conn_cached"] is True
    assert main["keepalive_set"] == 1          # AP_CONN_CLOSE
    assert main["keepalive_restored"] == c["keepalive"]


def test_keepalives_counts_requests_on_one_connection(server):
    with server.client().session() as s:
        first = s.get("/api/cond.txt").json()["conn"]
        second = s.get("/api/cond.txt").json()["conn"]
    assert (first["keepalives"], second["keepalives"]) == (0, 1)
    assert second["client_addr"] == first["client_addr"]


def test_req_finfo_attributes_and_sequence(main, server):
    f = main["finfo"]
    path = server.htdocs / "api" / "cond.txt"
    st = os.stat(path)
    assert f["fname"] == str(path)
    assert f["filetype"] == 1                       # APR_REG
    assert f["size"] == st.st_size
    assert f["mtime"] == int(st.st_mtime)
    assert f["inode"] == st.st_ino and f["nlink"] == st.st_nlink
    assert f["user"] == st.st_uid and f["group"] == st.st_gid
    assert isinstance(f["valid"], int) and f["valid"] != 0
    # sequence access, FINFO_* order, index 12 works (defect 12)
    assert f["len"] == 13
    assert f["seq"] == [f["protection"], f["inode"], f["device"], f["nlink"],
                        f["user"], f["group"], f["size"], f["atime"],
                        f["mtime"], f["ctime"], f["fname"], f["name"],
                        f["filetype"]]
    assert f["by_const"]["FILETYPE"] == 1
    assert f["by_const"]["SIZE"] == st.st_size
    assert f["by_const"]["FNAME"] == str(path)
    assert f["by_const"]["INO"] == st.st_ino
    assert f["repr_ok"] is True


def test_apache_stat(main):
    f, os_st = main["stat_file"], main["os_stat"]
    assert f["filetype"] == 1 and f["size"] == os_st["size"]
    assert f["mtime"] == os_st["mtime"] and f["inode"] == os_st["ino"]
    assert main["stat_dir"] == 2                    # APR_DIR
    m = main["stat_missing"]
    assert m["filetype"] == 0                       # APR_NOFILE
    assert m["fname"].endswith("/no-such-file")
    assert m["size"] is None and m["mtime"] is None and m["inode"] is None
    assert m["seq"][:10] == [None] * 10 and m["seq"][12] == 0
    assert main["stat_notdir"] == 0
    assert main["finfo_after_set"].endswith("/api/cond.txt")


def test_bad_arguments(main):
    assert main["bad"] == {
        "server.port=1": "AttributeError",
        "server.timeout=1": "AttributeError",
        "server.log_error(5)": "TypeError",
        "server.get_config(1)": "TypeError",
        "server.register_cleanup(req, 5)": "ValueError",
        "conn.keepalive='x'": "TypeError",
        "conn.client_ip='x'": "AttributeError",
        "conn.write(5)": "TypeError",
        "conn.read('x')": "TypeError",
        "conn.readline('x')": "TypeError",
        "conn.log_error(5)": "TypeError",
        "finfo[13]": "IndexError",
        "finfo[-20]": "IndexError",
        "finfo.size=1": "AttributeError",
        "stat(5, 1)": "TypeError",
        "stat('x')": "TypeError",
        "stat('x', 'y')": "TypeError",
        "stat(nul)": "ValueError",
        "stat(too long)": "OSError",
        "finfo=None": "TypeError",
    }
