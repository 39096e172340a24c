"""Unit tests for the SocacheSession record format (no _apache): a record
opens only with the secret and the key it was sealed for, so nothing that
another writer of a shared store put there reaches pickle.loads."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import Session
from mod_python.Session import socache_seal, socache_unseal

KEY = b"mps:" + b"ab" * 16
SECRET = b"s3cret"


def test_round_trip() -> None:
    payload = pickle.dumps({"_data": {"a": 1}}, 4)
    raw = socache_seal(SECRET, KEY, payload)
    assert raw.startswith(b"MPS1") and len(raw) == 4 + 32 + len(payload)
    assert socache_unseal(SECRET, KEY, raw) == payload


def test_empty_secret_still_checks_integrity() -> None:
    raw = socache_seal(b"", KEY, b"payload")
    assert socache_unseal(b"", KEY, raw) == b"payload"
    assert socache_unseal(b"", KEY, raw[:-1] + b"X") is None


@pytest.mark.parametrize("mutate", [
    lambda r: r[:-1] + bytes([r[-1] ^ 1]),       # payload changed
    lambda r: r[:10] + bytes([r[10] ^ 1]) + r[11:],  # mac changed
    lambda r: b"MPS2" + r[4:],                   # magic
    lambda r: r[:20],                            # truncated
    lambda r: b"",
    lambda r: b"cos\nsystem\n(S'true'\ntR.",     # a bare pickle
])
def test_tampered_records_are_refused(mutate) -> None:
    raw = socache_seal(SECRET, KEY, b"payload")
    assert socache_unseal(SECRET, KEY, mutate(raw)) is None


def test_other_secret_or_other_key_is_refused() -> None:
    raw = socache_seal(SECRET, KEY, b"payload")
    assert socache_unseal(b"other", KEY, raw) is None
    # a record copied to another session's key does not open there
    assert socache_unseal(SECRET, b"mps:" + b"cd" * 16, raw) is None


def test_factory_knows_the_class() -> None:
    assert "SocacheSession" in Session.__all__
    assert Session._TYPES["SocacheSession"] is Session.SocacheSession
