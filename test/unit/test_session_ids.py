"""Unit tests for session id handling in mod_python.Session (no _apache)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import Session
from mod_python.Session import new_sid, session_path, true_or_false, valid_sid

FORGED = [
    "../../etc/passwd",
    "../" * 10 + "x" * 2,
    "/etc/passwd",
    "",
    "0" * 31,
    "0" * 33,
    "A" * 32,                      # upper case
    "g" * 32,
    "0123456789abcdef0123456789abcde\n",
    "0123456789abcdef0123456789abcdef\n",
    " 0123456789abcdef0123456789abcdef",
    "0123456789abcdef/123456789abcdef",
    "..23456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcd\x00f",
    "\u0660" * 32,                 # Arabic-Indic digits match \d, not [0-9]
]


def test_imports_without_apache() -> None:
    assert "_apache" not in sys.modules
    assert Session.COOKIE_NAME == "pysid"


def test_new_sid_is_valid_and_random() -> None:
    ids = {new_sid() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(valid_sid(s) and len(s) == 32 for s in ids)


@pytest.mark.parametrize("sid", FORGED)
def test_forged_ids_rejected(sid: str) -> None:
    assert not valid_sid(sid)
    with pytest.raises(ValueError):
        session_path("/var/sessions", sid)


@pytest.mark.parametrize("sid", [None, 12345, b"0" * 32, ["0" * 32]])
def test_non_str_rejected(sid: object) -> None:
    assert not valid_sid(sid)


def test_path_stays_inside_directory(tmp_path: Path) -> None:
    base = str(tmp_path / "mp_sess")
    for _ in range(200):
        sid = new_sid()
        p = session_path(base, sid)
        assert os.path.realpath(p).startswith(os.path.realpath(base) + os.sep)
        assert p == os.path.join(base, sid[:2], sid)


def test_true_or_false() -> None:
    for v in ("1", "yes", "On", "TRUE", True):
        assert true_or_false(v) is True
    for v in ("0", "no", "Off", "false", None, ""):
        assert true_or_false(v) is False
    with pytest.raises(ValueError):
        true_or_false("maybe")


class FakeReq:
    """Enough of a request to reach the id validation of BaseSession."""

    server = None
    uri = "/"

    def get_options(self) -> dict[str, str]:
        return {}


def test_explicit_invalid_sid_raises_before_any_lock() -> None:
    with pytest.raises(ValueError):
        Session.FileSession(FakeReq(), sid="../../etc/passwd")  # type: ignore[arg-type]
