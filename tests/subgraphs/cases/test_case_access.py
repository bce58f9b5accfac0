"""Who calls the cases subgraph and what they may see and change (`subgraphs.cases.access`).

The SQL condition the reads use must select exactly the rows the row-level scope allows (the body's
region from the body register, else the case's own region); the caller is the signed context when
there is one, and the DEV ONLY header counts only on unsigned calls in the dev profile.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, insert, select
from starlette.requests import Request

from subgraphs.cases.access import CaseAccess, access_of
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.devauth import HEADER, DevUser
from subgraphs.cases.rows import CaseRow
from subgraphs.common.security import region_prefix
from subgraphs.personnel.store import BodyRow
from trust.signing import SCOPE_STATE_KEY, CallerContext

ROLES = ("OFFICER", "BODY_HEAD", "LEGAL_REVIEWER", "SUPERVISOR", "AUDITOR", "PUBLIC", "DEPARTMENT_SYSTEM")
REGIONS = ("445100", "445102", "445103", "445122", "440000", "445102001")
#: body -> its region in the register (None: not registered)
BODIES: dict[str, str | None] = {"B-CITY": "445100", "B-XQ": "445102", "B-XQ2": "445102", "B-FX": "445103",
                                 "B-RP": "445122", "B-GHOST": None}
#: (case id, body, the case's own region)
CASES = [(f"C{i:02d}", body, region) for i, (body, region) in enumerate(
    (b, r) for b in BODIES for r in ("445102", "445103", "445100"))]


def region_of(body: str, case_region: str) -> str:
    registered = BODIES[body]
    return registered if registered is not None else case_region


@pytest.fixture(scope="module")
def store() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    BodyRow.__table__.create(engine)  # type: ignore[attr-defined]
    CaseRow.__table__.create(engine)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for uscc, region in BODIES.items():
            if region is not None:
                conn.execute(insert(BodyRow).values(uscc=uscc, name=uscc, level="TOWN", region_code=region,
                                                    body_type="ADMIN_ORGAN", domains=[], item_codes=[],
                                                    status="ACTIVE", updated_at=now))
        for case_id, body, region in CASES:
            conn.execute(insert(CaseRow).values(id=case_id, case_no=case_id, body_uscc=body, item_code="I",
                                                item_version="1", status="CLUE", region_code=region, version=1,
                                                head_hash="0" * 64, snapshot={}, created_at=now, updated_at=now))
    yield engine
    engine.dispose()


callers = st.builds(
    lambda roles, body, region: CallerContext("u", frozenset(roles), body, region, None, "r"),
    st.sets(st.sampled_from(ROLES), max_size=3), st.one_of(st.none(), st.sampled_from(sorted(BODIES))),
    st.one_of(st.none(), st.sampled_from(REGIONS)))


def _selected(engine: Engine, access: CaseAccess) -> set[str]:
    stmt = select(CaseRow.id)
    condition = access.condition(CaseRow.body_uscc, CaseRow.region_code)
    if condition is not None:
        stmt = stmt.where(condition)
    with engine.connect() as conn:
        return {str(r) for r in conn.execute(stmt).scalars()}


@settings(max_examples=150, deadline=None)
@given(caller=callers)
def test_sql_scope_selects_exactly_the_allowed_cases(store: Engine, caller: CallerContext) -> None:
    access = CaseAccess.of_caller(caller)
    expected = {case_id for case_id, body, region in CASES if access.sees(body, region_of(body, region))}
    assert _selected(store, access) == expected


@settings(max_examples=150, deadline=None)
@given(caller=callers)
def test_scope_follows_the_roles(caller: CallerContext) -> None:
    """An independent statement of the rule, checked against `sees` for every body and region."""
    access = CaseAccess.of_caller(caller)
    prefix = region_prefix(caller.region_code) if caller.region_code else None
    handler = bool(caller.roles & {"OFFICER", "BODY_HEAD", "LEGAL_REVIEWER"})
    wide = bool(caller.roles & {"SUPERVISOR", "AUDITOR", "DEPARTMENT_SYSTEM"})
    for body in BODIES:
        for region in REGIONS:
            in_region = prefix is not None and region.startswith(prefix)
            want = (wide and in_region) or (handler and body == caller.body_uscc)
            assert access.sees(body, region) is want, (body, region)


def test_an_officer_sees_only_the_own_bodys_cases(store: Engine) -> None:
    officer = CaseAccess.of_caller(CallerContext("O1", frozenset({"OFFICER"}), "B-XQ", "445102", None, "r"))
    seen = _selected(store, officer)
    assert {c for c, b, _ in CASES if b == "B-XQ"} == seen
    # not another body of the same county, nor the neighbouring counties', the city's or an unregistered one
    assert not {c for c, b, _ in CASES if b in ("B-XQ2", "B-FX", "B-RP", "B-CITY", "B-GHOST")} & seen
    county = CaseAccess.of_caller(CallerContext("S2", frozenset({"SUPERVISOR"}), None, "445102", None, "r"))
    # a county supervisor: every body of the county (an unregistered one placed by the case's own region)
    assert _selected(store, county) == {
        c for c, b, r in CASES if b in ("B-XQ", "B-XQ2") or (b == "B-GHOST" and r == "445102")}
    city = CaseAccess.of_caller(CallerContext("S1", frozenset({"SUPERVISOR"}), None, "445100", None, "r"))
    assert _selected(store, city) == {c for c, _, _ in CASES}
    nobody = CaseAccess.of_caller(CallerContext(None, frozenset(), None, None, None, "r"))
    assert _selected(store, nobody) == set()


def test_write_rights() -> None:
    def access(*roles: str, body: str | None = "B-XQ", region: str | None = "445102") -> CaseAccess:
        return CaseAccess.of_caller(CallerContext("u", frozenset(roles), body, region, None, "r"))

    officer, head = access("OFFICER"), access("BODY_HEAD")
    for caller in (officer, head):
        assert caller.may_open_for("B-XQ", "445102")
        assert not caller.may_open_for("B-XQ2", "445102")  # same county, another body
        assert not caller.may_change("B-XQ2", "445102")  # nor change its cases
        assert caller.may_change("B-XQ", "445102")
        assert not caller.may_change("B-FX", "445103")
    assert not access("LEGAL_REVIEWER").may_open_for("B-XQ", "445102")
    assert access("LEGAL_REVIEWER").may_change("B-XQ", "445102")
    system = access("DEPARTMENT_SYSTEM", body=None, region="445100")
    assert system.may_open_for("B-FX", "445103")
    assert not system.may_open_for("B-ELSEWHERE", "440300")
    for reader in (access("SUPERVISOR", region="445100"), access("AUDITOR", body=None, region="445100")):
        assert reader.sees("B-FX", "445103")
        assert not reader.may_change("B-FX", "445103")
        assert not reader.may_open_for("B-XQ", "445102")
    anonymous = CaseAccess.of_caller(CallerContext(None, frozenset({"OFFICER"}), "B-XQ", "445102", None, "r"))
    assert not anonymous.may_change("B-XQ", "445102")


def _request(headers: dict[str, str], caller: CallerContext | None = None) -> Request:
    scope: dict[str, Any] = {"type": "http", "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
                             "state": {}}
    if caller is not None:
        scope["state"][SCOPE_STATE_KEY] = caller
    return Request(scope)


DEV = {HEADER: json.dumps({"id": "DEV-1", "body": "B-FX", "roles": ["OFFICER"], "region": "445103"})}


def test_signed_caller_wins_over_the_dev_header() -> None:
    signed = CallerContext("O-SIGNED", frozenset({"OFFICER"}), "B-XQ", "445102", None, "r")
    for allow in (True, False):
        access = access_of(_request(DEV, signed), allow_dev_header=allow)
        assert access.actor_id == "O-SIGNED"
        assert access.signed
        assert access.sees("B-XQ", "445102")
        assert not access.sees("B-FX", "445103")


def test_dev_header_only_in_dev() -> None:
    ignored = access_of(_request(DEV), allow_dev_header=False)
    assert ignored.actor_id is None
    assert not ignored.sees("B-FX", "445103")
    assert not ignored.may_change("B-FX", "445103")
    honoured = access_of(_request(DEV), allow_dev_header=True)
    assert honoured.actor_id == "DEV-1"
    assert honoured.sees("B-FX", "445103")
    assert not honoured.sees("B-XQ", "445102")
    malformed = access_of(_request({HEADER: "{not json"}), allow_dev_header=True)
    assert malformed.error is not None
    assert malformed.actor_id is None
    assert not malformed.sees("B-FX", "445103")
    anonymous_dev = access_of(_request({}), allow_dev_header=True)
    assert anonymous_dev.actor_id is None
    assert anonymous_dev.scope is None  # DEV ONLY: unsigned, unnamed reads are unrestricted


def test_dev_identity_without_body_or_region_is_unrestricted() -> None:
    wide = CaseAccess.of_dev_user(DevUser("SUP-1", None, frozenset({"SUPERVISOR"})))
    assert wide.scope is None
    assert wide.may_open_for("B-RP", None)
    bodied = CaseAccess.of_dev_user(DevUser("OFF-X", "B-FX", frozenset()))
    assert bodied.sees("B-FX", None)
    assert not bodied.sees("B-XQ", "445102")


@pytest.mark.parametrize(("profile", "allowed"), [("dev", True), ("production", False), (None, False),
                                                  ("DEV", False)])
def test_only_the_dev_profile_allows_the_header(profile: str | None, allowed: bool) -> None:
    settings_ = SimpleNamespace(data_dir=Path("unused-data-dir"), database_url="sqlite://", id_hash_secret="s",
                                profile=profile)
    assert CasesConfig.from_settings(settings_).allow_dev_header is allowed
    assert CasesConfig(database_url="sqlite://", data_dir=settings_.data_dir,
                       id_hash_secret=b"s").allow_dev_header is False


def test_hub_profiles() -> None:
    from hub.settings import Profile

    for profile, allowed in ((Profile.DEV, True), (Profile.PRODUCTION, False)):
        settings_ = SimpleNamespace(data_dir=Path("unused-data-dir"), database_url="sqlite://", id_hash_secret="s",
                                    profile=profile)
        assert CasesConfig.from_settings(settings_).allow_dev_header is allowed
