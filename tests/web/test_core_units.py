"""The console's building blocks without a stack: PKCE pairs, the return path after sign-in, formatting."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from web.auth import safe_next
from web.formatting import china_date, china_datetime, percent, yuan
from web.sessions import SessionStore, User, pkce_pair

UNRESERVED = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def test_pkce_pair_is_rfc7636_s256() -> None:
    verifier, challenge = pkce_pair()
    assert UNRESERVED.match(verifier)
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == expected
    assert pkce_pair()[0] != verifier  # fresh each time


@given(st.text(max_size=200))
def test_the_return_path_never_leaves_the_site(value: str) -> None:
    target = safe_next(value)
    parts = urlsplit(target)
    assert target.startswith("/")
    assert not target.startswith("//")
    assert parts.scheme == ""
    assert parts.netloc == ""
    assert "\\" not in target
    assert "\n" not in target


def test_the_return_path_keeps_a_page_and_its_query() -> None:
    assert safe_next("/alerts?severity=RED&body=1") == "/alerts?severity=RED&body=1"
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil", "javascript:alert(1)", "", None):
        assert safe_next(hostile) == "/"


def test_a_sign_in_state_is_good_once() -> None:
    store = SessionStore(ttl_s=600)
    state, _ = store.begin("/alerts")
    first = store.finish(state)
    assert first is not None
    assert first.next_path == "/alerts"
    assert store.finish(state) is None  # a replayed callback finds nothing
    assert store.finish("never-issued") is None


def _token(claims: str) -> str:
    body = base64.urlsafe_b64encode(claims.encode()).rstrip(b"=").decode()
    return f"e30.{body}.sig"


def test_a_session_ends_with_its_token() -> None:
    store = SessionStore(ttl_s=3600)
    session = store.create(_token('{"sub":"s1","name":"许监督","roles":["SUPERVISOR"]}'), expires_in=-1)
    assert session.expired
    assert session.user == User("s1", "许监督", ("SUPERVISOR",), None, None)
    capped = store.create(_token('{"sub":"s2","roles":[]}'), expires_in=10 ** 6)
    assert capped.expires_at - capped.created_at <= 3600 + 1


def test_money_dates_and_rates_as_chinese_users_read_them() -> None:
    assert yuan(123456) == "1,234.56 元"
    assert yuan(2_500_000_00) == "250.00 万元"  # 2 500 000 yuan
    assert yuan(None) == "—"
    assert yuan("x") == "—"
    assert china_date("2026-10-30") == "2026-10-30"
    assert china_date("2026-10-30T20:00:00Z") == "2026-10-31"  # China time is UTC+8
    assert china_datetime("2026-10-30T01:02:03+00:00") == "2026-10-30 09:02:03"
    assert percent(0.9567) == "95.7%"
    assert percent(None) == "—"
