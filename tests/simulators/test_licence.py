"""The licensing system's legacy database: built from the seed, read over SQL, faults applied to the file."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.base import SimConfig
from simulators.licence.app import create_app
from simulators.licence.build import BuildError, build
from simulators.licence.dsn import read_only_dsn
from tests.support.servers import serve

PERSON_ID = "445102199003071230"
OTHER_PERSON = "440524188001010014"
ENTITY = "91350100M000100Y43"
OTHER_ENTITY = "91512081MA62K0260E"


def licence(n: int, **extra: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": f"LIC-{n:05d}", "holder_kind": "ENTITY", "holder_id_type": None, "holder_id_number": None,
        "holder_uscc": ENTITY, "holder_name": "潮州市韩江陶瓷有限公司", "licence_category": "普通",
        "certificate_name": "食品经营许可证", "certificate_no": f"JY1445102{n:07d}", "content": "预包装食品销售",
        "decision_doc_no": f"潮湘市监许〔2023〕{n}号", "decision_date": "2023-03-15", "valid_from": "2023-03-15",
        "valid_to": "2028-03-14", "issuing_authority": "潮州市湘桥区市场监督管理局",
        "issuing_authority_uscc": "11445102MB2D1234X1", "status": "VALID",
    }
    record.update(extra)
    return record


LICENCES = [
    licence(1),
    licence(2, status="REVOKED", licence_category="特许", valid_to="2099-12-31"),
    licence(3, status="EXPIRED", decision_date="2015-01-05", valid_from="2015-01-05", valid_to="2020-01-04"),
    licence(4, holder_kind="PERSON", holder_id_type="RESIDENT_ID", holder_id_number=PERSON_ID,
            holder_uscc=None, holder_name="陈大文", certificate_name="导游证", licence_category="认可"),
    licence(5, holder_kind="PERSON", holder_id_type="RESIDENT_ID", holder_id_number=OTHER_PERSON,
            holder_uscc=None, holder_name="林小红", licence_category="地方特色类"),
    licence(6, holder_uscc=OTHER_ENTITY, holder_name="四川某某有限公司", licence_category="地方特色类"),
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def wait_for(client: httpx.Client, predicate: Any, *, timeout: float = 10.0) -> dict[str, Any]:
    """Poll /health until `predicate(body)` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get("/health").json()
        if predicate(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"health never reached the expected state; last: {body}")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("licence")
    write_jsonl(data / "licences.jsonl", LICENCES)
    return data


@pytest.fixture(scope="module")
def base_url(data_dir: Path) -> Iterator[str]:
    with serve(create_app(SimConfig(admin=True, data_dir=data_dir))) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    calm = {"latency_ms": 0, "error_rate": 0, "hang_rate": 0, "down": False}
    with httpx.Client(base_url=base_url, timeout=10) as c:
        c.put("/__admin/knobs", json=calm)
        wait_for(c, lambda b: b.get("status") == "ok" and not b["locked"])
        c.post("/__admin/reset")
        yield c
        c.put("/__admin/knobs", json=calm)
        wait_for(c, lambda b: b.get("status") == "ok" and not b["locked"])


@pytest.fixture
def dsn(client: httpx.Client) -> dict[str, str]:
    body: dict[str, str] = client.get("/__admin/dsn").json()
    return body


def rows_by_id(uri: str, *, timeout: float = 1.0) -> dict[str, sqlite3.Row]:
    conn = sqlite3.connect(uri, uri=True, timeout=timeout)
    conn.row_factory = sqlite3.Row
    try:
        return {r["ZZ_ID"]: r for r in conn.execute("SELECT * FROM T_XK_ZZXX")}
    finally:
        conn.close()


# --- the built database

def test_health_reports_the_database_and_its_row_count(client: httpx.Client, data_dir: Path) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert Path(body["database"]) == data_dir / "licence_legacy.db"
    assert body["rows"] == len(LICENCES)
    assert not list(data_dir.glob("*.tmp"))  # the temporary build file is gone


def test_legacy_rows_have_legacy_codes_and_dates(dsn: dict[str, str]) -> None:
    rows = rows_by_id(dsn["sqlite_uri"])
    assert set(rows) == {f"LIC-{n:05d}" for n in range(1, 7)}
    valid, revoked, expired, person = rows["LIC-00001"], rows["LIC-00002"], rows["LIC-00003"], rows["LIC-00004"]
    assert (valid["HOLDER_TYPE"], valid["HOLDER_CODE"], valid["HOLDER_CERT_TYPE"]) == ("2", ENTITY, None)
    assert (person["HOLDER_TYPE"], person["HOLDER_CODE"], person["HOLDER_CERT_TYPE"]) == ("1", PERSON_ID, "111")
    assert person["LIC_NAME"] == "导游证"
    assert valid["LIC_NO"] == "JY14451020000001"
    assert (valid["DECIDE_DATE"], valid["VALID_FROM"], valid["VALID_TO"]) == ("20230315", "20230315", "20280314")
    assert revoked["VALID_TO"] == "20991231"
    assert (valid["STATUS"], valid["REVOKE_FLAG"]) == ("1", "0")
    assert (revoked["STATUS"], revoked["REVOKE_FLAG"]) == ("2", "1")
    assert (expired["STATUS"], expired["REVOKE_FLAG"]) == ("2", "0")
    assert valid["DOC_NO"] == "潮湘市监许〔2023〕1号"
    assert valid["ISSUE_ORG_CODE"] == "11445102MB2D1234X1"
    assert valid["UPD_TIME"].startswith("2023-03-15")


def test_categories_are_codes_resolved_by_the_code_table(dsn: dict[str, str]) -> None:
    conn = sqlite3.connect(dsn["sqlite_uri"], uri=True)
    try:
        names = dict(conn.execute(
            "SELECT z.ZZ_ID, d.MC FROM T_XK_ZZXX z JOIN T_DM_XKLB d ON d.DM = z.LIC_CATEGORY").fetchall())
        codes = dict(conn.execute("SELECT ZZ_ID, LIC_CATEGORY FROM T_XK_ZZXX").fetchall())
    finally:
        conn.close()
    assert names == {"LIC-00001": "普通", "LIC-00002": "特许", "LIC-00003": "普通", "LIC-00004": "认可",
                     "LIC-00005": "地方特色类", "LIC-00006": "地方特色类"}
    assert codes["LIC-00001"] == "1"
    assert codes["LIC-00005"] == codes["LIC-00006"] == "91"  # an unknown category gets a local code


def test_sqlalchemy_reads_through_the_published_url_and_cannot_write(dsn: dict[str, str]) -> None:
    engine = sa.create_engine(dsn["url"])
    try:
        with engine.connect() as conn:
            holders = conn.execute(sa.text(
                "SELECT LIC_NO FROM T_XK_ZZXX WHERE HOLDER_CODE = :code ORDER BY LIC_NO"), {"code": ENTITY}).all()
            assert [h[0] for h in holders] == ["JY14451020000001", "JY14451020000002", "JY14451020000003"]
            with pytest.raises(sa.exc.OperationalError, match="readonly"):
                conn.execute(sa.text("DELETE FROM T_XK_ZZXX"))
    finally:
        engine.dispose()
    assert dsn["async_url"].startswith("sqlite+aiosqlite:///file:")


def test_holder_code_and_licence_number_lookups_use_an_index(dsn: dict[str, str]) -> None:
    conn = sqlite3.connect(dsn["sqlite_uri"], uri=True)
    try:
        for column in ("HOLDER_CODE", "LIC_NO"):
            plan = " ".join(str(r[-1]) for r in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM T_XK_ZZXX WHERE {column} = ?", ("x",)))
            assert "USING INDEX" in plan, plan
    finally:
        conn.close()


# --- rebuilding

def test_build_is_skipped_when_current_and_redone_when_the_seed_is_newer(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "licences.jsonl", LICENCES[:2])
    first = build(tmp_path)
    assert (first.rebuilt, first.rows) == (True, 2)
    assert build(tmp_path).rebuilt is False
    write_jsonl(tmp_path / "licences.jsonl", LICENCES)
    later = time.time() + 5
    os.utime(tmp_path / "licences.jsonl", (later, later))
    again = build(tmp_path)
    assert (again.rebuilt, again.rows) == (True, len(LICENCES))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["licence_legacy.db", "licences.jsonl"]


def test_a_broken_seed_line_is_reported_and_leaves_no_database(tmp_path: Path) -> None:
    (tmp_path / "licences.jsonl").write_text(json.dumps(licence(1)) + "\n[1, 2\n", encoding="utf-8")
    with pytest.raises(BuildError, match="line 2"):
        build(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["licences.jsonl"]


def test_duplicate_licence_ids_are_a_build_error(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "licences.jsonl", [licence(1), licence(1)])
    with pytest.raises(BuildError):
        build(tmp_path)


def test_dsn_survives_awkward_directory_names(tmp_path: Path) -> None:
    odd = tmp_path / "数据 #1 %20?"
    odd.mkdir()
    write_jsonl(odd / "licences.jsonl", LICENCES)
    db = build(odd)
    urls = read_only_dsn(db.path)
    assert len(rows_by_id(urls.sqlite_uri)) == len(LICENCES)
    engine = sa.create_engine(urls.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM T_XK_ZZXX")).scalar_one() == len(LICENCES)
    finally:
        engine.dispose()


@settings(max_examples=20, deadline=None)
@given(holders=st.lists(st.sampled_from([PERSON_ID, OTHER_PERSON, ENTITY, OTHER_ENTITY]), min_size=1, max_size=30))
def test_each_holder_finds_exactly_its_own_licences(holders: list[str]) -> None:
    records = [
        licence(i, holder_kind="ENTITY", holder_uscc=h) if h.startswith("9")
        else licence(i, holder_kind="PERSON", holder_id_type="RESIDENT_ID", holder_id_number=h, holder_uscc=None)
        for i, h in enumerate(holders)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        write_jsonl(Path(tmp) / "licences.jsonl", records)
        db = build(Path(tmp))
        conn = sqlite3.connect(read_only_dsn(db.path).sqlite_uri, uri=True)
        try:
            for holder in set(holders):
                got = {r[0] for r in conn.execute("SELECT ZZ_ID FROM T_XK_ZZXX WHERE HOLDER_CODE = ?", (holder,))}
                assert got == {f"LIC-{i:05d}" for i, h in enumerate(holders) if h == holder}
        finally:
            conn.close()


# --- faults on the file

def set_knobs(client: httpx.Client, **knobs: object) -> None:
    assert client.put("/__admin/knobs", json=knobs).status_code == 200


def test_down_makes_new_and_pooled_connections_fail_until_cleared(client: httpx.Client, dsn: dict[str, str]) -> None:
    pooled = sqlite3.connect(dsn["sqlite_uri"], uri=True, timeout=0.2)
    try:
        assert pooled.execute("SELECT COUNT(*) FROM T_XK_ZZXX").fetchone()[0] == len(LICENCES)
        set_knobs(client, down=True)
        body = wait_for(client, lambda b: b.get("status") == "down")
        assert client.get("/health").status_code == 503
        assert body["down"] is True
        with pytest.raises(sqlite3.OperationalError, match="unable to open"):
            rows_by_id(dsn["sqlite_uri"])
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            pooled.execute("SELECT COUNT(*) FROM T_XK_ZZXX").fetchone()
        set_knobs(client, down=False)
        wait_for(client, lambda b: b.get("status") == "ok" and not b["locked"])
        assert len(rows_by_id(dsn["sqlite_uri"])) == len(LICENCES)
        assert pooled.execute("SELECT COUNT(*) FROM T_XK_ZZXX").fetchone()[0] == len(LICENCES)
    finally:
        pooled.close()


def test_hang_holds_a_lock_so_reads_fail_after_their_busy_timeout(client: httpx.Client, dsn: dict[str, str]) -> None:
    set_knobs(client, hang_rate=0.5)
    wait_for(client, lambda b: b.get("locked") is True)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        rows_by_id(dsn["sqlite_uri"], timeout=0.3)
    assert 0.25 <= time.monotonic() - started < 3.0
    set_knobs(client, hang_rate=0)
    wait_for(client, lambda b: b.get("locked") is False)
    assert len(rows_by_id(dsn["sqlite_uri"], timeout=0.3)) == len(LICENCES)


# --- call counting

def test_calls_count_only_the_admin_calls_served(client: httpx.Client, dsn: dict[str, str]) -> None:
    client.post("/__admin/reset")
    rows_by_id(dsn["sqlite_uri"])  # SQL reads are invisible to the simulator
    client.get("/__admin/dsn")
    client.get("/__admin/dsn")
    client.get("/health")
    assert client.get("/__admin/calls").json() == {"total": 3, "by_operation": {"dsn": 2, "health": 1}}
    client.post("/__admin/reset")
    assert client.get("/__admin/calls").json() == {"total": 0, "by_operation": {}}


def test_a_missing_seed_is_reported_by_health(tmp_path: Path) -> None:
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))) as url, httpx.Client(base_url=url, timeout=5) as c:
        body = wait_for(c, lambda b: b.get("status") != "building")
        assert body["status"] == "failed"
        assert "licences.jsonl" in body["error"]
        assert c.get("/health").status_code == 500
