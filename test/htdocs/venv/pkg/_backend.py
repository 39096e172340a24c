"""A minimal in-tree PEP 517 backend: builds a pure-Python wheel holding
mpvenvdemo/, mpvenvdemo_extra/ and mpvenvdemo.pth (which puts
mpvenvdemo_extra on sys.path, so importing mpvenvpth proves that the
embedded Python processed the venv's .pth files)."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile

NAME, VERSION = "mpvenvdemo", "1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
DIST_INFO = f"{NAME}-{VERSION}.dist-info"


def _files() -> list[tuple[str, bytes]]:
    out = []
    for top in ("mpvenvdemo", "mpvenvdemo_extra"):
        for dirpath, _dirs, files in os.walk(os.path.join(HERE, top)):
            for f in sorted(files):
                if f.endswith(".py"):
                    path = os.path.join(dirpath, f)
                    with open(path, "rb") as fh:
                        out.append((os.path.relpath(path, HERE), fh.read()))
    out.append(("mpvenvdemo.pth", b"mpvenvdemo_extra\n"))
    out.append((f"{DIST_INFO}/METADATA",
                f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n".encode()))
    out.append((f"{DIST_INFO}/WHEEL",
                (b"Wheel-Version: 1.0\nGenerator: _backend\n"
                 b"Root-Is-Purelib: true\nTag: py3-none-any\n")))
    return out


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}"


def build_wheel(wheel_directory: str, config_settings: object = None,
                metadata_directory: object = None) -> str:
    filename = f"{NAME}-{VERSION}-py3-none-any.whl"
    files = _files()
    record = [_record_line(n, d) for n, d in files] + [f"{DIST_INFO}/RECORD,,"]
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as zf:
        for name, data in files:
            zf.writestr(name, data)
        zf.writestr(f"{DIST_INFO}/RECORD", "\n".join(record) + "\n")
    return filename
