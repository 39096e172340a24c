"""PythonConnectionHandler conn_lines: a small line protocol.

Each command is one line; the answer is one line (or a JSON line):
- ECHO <text>   -> "ECHO <text>"
- READ <n>      -> reads exactly n more bytes with conn.read(n) and answers
                   "GOT <bytes>"
- SOME          -> conn.read() (no length): what arrives first, "SOME <bytes>"
- LIMIT <n>     -> conn.readline(n) on the next line, "LINE <repr>"
- ATTRS         -> the connection's attributes as JSON
- WRITE_STR     -> writes a str (not bytes)
- RAISE         -> raises ValueError("conn boom") (logged as MP0100)
- QUIT          -> "BYE", then the handler returns OK (connection closes)
At end of input the handler returns OK.
"""

import json

from mod_python import apache


def attrs(conn):
    return {
        "type": type(conn).__name__,
        "interpreter": apache.interpreter,
        "server_hostname": conn.base_server.server_hostname,
        "local_addr": list(conn.local_addr),
        "client_addr": list(conn.client_addr),
        "client_ip": conn.client_ip,
        "local_ip": conn.local_ip,
        "remote_host": conn.remote_host,
        "remote_logname": conn.remote_logname,
        "aborted": conn.aborted,
        "keepalive": conn.keepalive,
        "keepalives": conn.keepalives,
        "double_reverse": conn.double_reverse,
        "id": conn.id,
        "notes_is_table": isinstance(conn.notes, apache.table),
        "notes_seen": conn.notes.get("seen"),
        "hlist_handler": conn.hlist.handler,
    }


def connectionhandler(conn):
    conn.notes["seen"] = "yes"
    while True:
        line = conn.readline()
        if not line:
            return apache.OK
        cmd, _, arg = line.rstrip(b"\r\n").partition(b" ")
        if cmd == b"ECHO":
            conn.write(b"ECHO " + arg + b"\n")
        elif cmd == b"READ":
            data = conn.read(int(arg))
            conn.write(b"GOT " + data + b"\n")
        elif cmd == b"SOME":
            data = conn.read()
            conn.write(b"SOME " + data + b"\n")
        elif cmd == b"LIMIT":
            data = conn.readline(int(arg))
            conn.write(b"LINE " + repr(data).encode() + b"\n")
        elif cmd == b"ATTRS":
            conn.write(json.dumps(attrs(conn)).encode() + b"\n")
        elif cmd == b"WRITE_STR":
            conn.write("str written\n")
        elif cmd == b"RAISE":
            raise ValueError("conn boom")
        elif cmd == b"QUIT":
            conn.write(b"BYE\n")
            return apache.OK
        else:
            conn.write(b"ERR unknown command\n")
