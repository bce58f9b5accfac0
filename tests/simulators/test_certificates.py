"""The provincial certificate system's file drop: GB18030 snapshots, markers, broken rows, faults, counting."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.base import SimConfig
from simulators.certificates.app import create_app
from simulators.datagen.calendar import REFERENCE_DATE
from tests.support.servers import serve

EXPECTED_HEADER = [
    "证件编号", "证件类型", "持证人编号", "姓名", "身份证号", "执法主体代码", "执法主体名称", "执法区域",
    "执法类别", "执法权来源", "发证机关", "发证日期", "有效期起", "有效期止", "证件状态", "考试通过日期",
    "状态变更日期",
]
STATUS_LABEL = {"ACTIVE": "有效", "SUSPENDED": "暂扣", "REVOKED": "吊销", "EXPIRED": "过期", "CANCELLED": "注销"}
BODY = "11445102MB2D1234X1"


def id_check(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def make_id(seq: int) -> str:
    body = f"44510219850101{seq:03d}"
    return body + id_check(body)


def test_id_helper_matches_the_published_examples() -> None:
    assert id_check("11010519491231002") == "X"
    assert id_check("44510219900307123") == "0"
    assert make_id(123)[:-1] + id_check(make_id(123)[:17]) == make_id(123)


OFFICERS: list[dict[str, object]] = [{"id": f"OFF-{i:03d}", "id_number": make_id(i), "name": name, "gender": "1", "body_uscc": BODY,
             "post": "科员", "staff_type": "在编在职", "has_legal_qualification": False,
             "legal_qualification_no": None, "is_legal_reviewer": False, "training_hours": {"2024": 60},
             "status": "ACTIVE"}
            for i, name in enumerate(["陈䶮", "林晓明", "黄丽", "蔡伟", "许杰", "郑芳"], start=1)]
STATUSES = ["ACTIVE", "ACTIVE", "SUSPENDED", "REVOKED", "EXPIRED", "CANCELLED", "ACTIVE", "ACTIVE", "ACTIVE"]
CERTS: list[dict[str, object]] = [{"cert_no": f"44510020{i:04d}", "cert_type": "GD_ADMIN", "officer_id": f"OFF-{i % 6 + 1:03d}",
          "body_uscc": BODY, "area": ["445102", "445103"] if i % 2 else ["445102"],
          "categories": ["市场监管", "食品安全"], "power_source": "STATUTORY", "issued_by": "潮州市司法局",
          "issue_date": "2022-05-10", "valid_from": "2022-05-10", "valid_to": "2027-05-09",
          "status": status, "exam_passed_at": "2022-04-01"}
         for i, status in enumerate(STATUSES)]
REF = "20250630"


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def seed(data: Path) -> None:
    write_jsonl(data / "officers.jsonl", OFFICERS)
    write_jsonl(data / "certificates.jsonl", CERTS)
    write_jsonl(data / "bodies.jsonl", [{"uscc": BODY, "name": "潮州市湘桥区市场监督管理局"}])
    (data / "manifest.json").write_text(json.dumps({"reference_date": "2025-06-30"}), encoding="utf-8")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("certificates")
    seed(data)
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
        c.post("/__admin/reset")
        yield c
        c.put("/__admin/knobs", json=calm)


def read_snapshot(path: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, data rows, trailer) read as a consumer would: GB18030 and the csv module."""
    text = path.read_bytes().decode("gb18030")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    return lines[0], lines[1:-1], lines[-1]


def snapshot(data_dir: Path, day: str) -> Path:
    return data_dir / "cert_drop" / f"ZFZ_SNAPSHOT_{day}.csv"


def is_valid_row(row: list[str]) -> bool:
    """Independent check a consumer applies: 16 columns, ID check character, real dates."""
    if len(row) != len(EXPECTED_HEADER):
        return False
    id_number = row[EXPECTED_HEADER.index("身份证号")]
    if len(id_number) != 18 or id_check(id_number[:17]) != id_number[17]:
        return False
    for column in ("发证日期", "有效期起", "有效期止", "考试通过日期"):
        value = row[EXPECTED_HEADER.index(column)]
        try:
            date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            return False
    return True


def drop(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post("/__admin/drop", json=body)


# --- the start-up snapshot

def test_startup_writes_the_reference_snapshot_in_gb18030_with_a_marker(client: httpx.Client, data_dir: Path) -> None:
    path = snapshot(data_dir, REF)
    header, rows, trailer = read_snapshot(path)
    assert header == EXPECTED_HEADER
    assert trailer == ["#TOTAL", str(len(CERTS))]
    assert len(rows) == len(CERTS)
    assert all(is_valid_row(r) for r in rows)
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    by_no = {r[0]: dict(zip(EXPECTED_HEADER, r, strict=True)) for r in rows}
    first = by_no["445100200000"]
    assert first["姓名"] == "陈䶮"  # outside GBK: GB18030 is needed
    assert first["身份证号"] == make_id(1)
    assert first["执法主体名称"] == "潮州市湘桥区市场监督管理局"
    assert first["执法区域"] == "445102"
    assert by_no["445100200001"]["执法区域"] == "445102;445103"
    assert first["执法类别"] == "市场监管;食品安全"
    assert (first["发证日期"], first["有效期止"], first["考试通过日期"]) == ("20220510", "20270509", "20220401")
    assert [by_no[str(c["cert_no"])]["证件状态"] for c in CERTS] == [STATUS_LABEL[s] for s in STATUSES]
    marker = dict(line.split("=", 1) for line in (path.with_suffix(".ok")).read_text("ascii").splitlines())
    assert marker["rows"] == str(len(CERTS))
    assert marker["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_a_restart_keeps_an_existing_snapshot(tmp_path: Path) -> None:
    seed(tmp_path)
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))):
        pass
    first = snapshot(tmp_path, REF).stat().st_mtime_ns
    time.sleep(0.02)
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))):
        pass
    assert snapshot(tmp_path, REF).stat().st_mtime_ns == first


def test_without_a_manifest_the_generator_reference_date_is_used(tmp_path: Path) -> None:
    seed(tmp_path)
    (tmp_path / "manifest.json").unlink()
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))):
        pass
    assert [p.name for p in (tmp_path / "cert_drop").iterdir() if p.suffix == ".csv"] == [
        f"ZFZ_SNAPSHOT_{REFERENCE_DATE:%Y%m%d}.csv"]


def test_drop_directory_can_be_chosen(tmp_path: Path) -> None:
    seed(tmp_path)
    elsewhere = tmp_path / "exchange" / "in"
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path), drop_dir=elsewhere)):
        pass
    assert (elsewhere / f"ZFZ_SNAPSHOT_{REF}.csv").is_file()
    assert (elsewhere / f"ZFZ_SNAPSHOT_{REF}.ok").is_file()


# --- drops

def test_broken_rows_are_at_the_reported_lines(client: httpx.Client, data_dir: Path) -> None:
    response = drop(client, date="20250701", broken_rows=3)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["file"] == "ZFZ_SNAPSHOT_20250701.csv"
    assert {b["kind"] for b in body["broken"]} == {"bad_id_check", "bad_date", "missing_column"}
    path = snapshot(data_dir, "20250701")
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    assert lines[-1] == ""
    bad = {n for n, line in enumerate(lines[1:-2], start=2) if not is_valid_row(next(csv.reader([line])))}
    assert bad == set(body["broken_lines"])
    assert lines[-2] == f"#TOTAL,{len(CERTS)}"
    for broken in body["broken"]:
        row = next(csv.reader([lines[broken["line"] - 1]]))
        assert row[0] == broken["cert_no"]
        if broken["kind"] == "missing_column":
            assert len(row) == len(EXPECTED_HEADER) - 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(min_value=0, max_value=len(CERTS)))
def test_any_number_of_broken_rows_is_reported_exactly(client: httpx.Client, data_dir: Path, count: int) -> None:
    body = drop(client, date="20250801", broken_rows=count, replace=True).json()
    _, rows, trailer = read_snapshot(snapshot(data_dir, "20250801"))
    assert trailer == ["#TOTAL", str(len(rows))]
    assert len(body["broken_lines"]) == count
    assert {n for n, row in enumerate(rows, start=2) if not is_valid_row(row)} == set(body["broken_lines"])


def test_more_broken_rows_than_rows_is_refused(client: httpx.Client) -> None:
    response = drop(client, date="20250702", broken_rows=len(CERTS) + 1)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_changes_and_dropped_officers_carry_over_to_later_snapshots(tmp_path: Path) -> None:
    seed(tmp_path)
    with serve(create_app(SimConfig(admin=True, data_dir=tmp_path))) as url, httpx.Client(base_url=url, timeout=10) as c:
        first = drop(c, date="20250701", drop_officers=["OFF-002"],
                     change={"445100200000": {"status": "SUSPENDED", "valid_to": "2025-12-31"}})
        assert first.status_code == 200, first.text
        assert drop(c, date="20250702").status_code == 200
        for day in ("20250701", "20250702"):
            _, rows, _ = read_snapshot(snapshot(tmp_path, day))
            by_no = {r[0]: dict(zip(EXPECTED_HEADER, r, strict=True)) for r in rows}
            assert "OFF-002" not in {r["持证人编号"] for r in by_no.values()}
            assert len(rows) == len(CERTS) - sum(1 for cert in CERTS if cert["officer_id"] == "OFF-002")
            assert by_no["445100200000"]["证件状态"] == "暂扣"
            assert by_no["445100200000"]["有效期止"] == "20251231"
        _, original, _ = read_snapshot(snapshot(tmp_path, REF))
        assert len(original) == len(CERTS)  # earlier files are never rewritten


@pytest.mark.parametrize("body", [
    {"date": "2025-07-01"},
    {"date": "20250231"},
    {"date": "20250703", "broken_rows": -1},
    {"date": "20250703", "drop_officers": ["NOBODY"]},
    {"date": "20250703", "change": {"NO-SUCH-CERT": {"status": "REVOKED"}}},
    {"date": "20250703", "change": {"445100200000": {"colour": "blue"}}},
])
def test_bad_drop_requests_are_refused_and_write_nothing(client: httpx.Client, data_dir: Path,
                                                         body: dict[str, object]) -> None:
    response = client.post("/__admin/drop", json=body)
    assert response.status_code == 400
    assert not snapshot(data_dir, "20250703").exists()


def test_a_delivered_date_is_not_overwritten_unless_asked(client: httpx.Client, data_dir: Path) -> None:
    assert drop(client, date=REF).status_code == 409
    assert drop(client, date=REF, replace=True).status_code == 200
    assert snapshot(data_dir, REF).with_suffix(".ok").is_file()


def test_files_lists_snapshots_with_their_markers(client: httpx.Client) -> None:
    assert drop(client, date="20250705").status_code == 200
    listing = client.get("/__admin/files").json()["files"]
    names = [f["name"] for f in listing]
    assert f"ZFZ_SNAPSHOT_{REF}.csv" in names
    assert "ZFZ_SNAPSHOT_20250705.csv" in names
    assert names == sorted(names)
    assert all(f["ok"] for f in listing)


# --- faults and counting

def set_knobs(client: httpx.Client, **knobs: object) -> None:
    assert client.put("/__admin/knobs", json=knobs).status_code == 200


def test_down_refuses_drops_with_503(client: httpx.Client, data_dir: Path) -> None:
    set_knobs(client, down=True)
    response = drop(client, date="20250710")
    assert response.status_code == 503
    assert response.json()["code"] == "SYSTEM_DOWN"
    assert not snapshot(data_dir, "20250710").exists()
    assert client.get("/__admin/files").status_code == 200  # dropped files stay readable


def test_error_rate_one_fails_drops(client: httpx.Client) -> None:
    set_knobs(client, error_rate=1.0)
    response = drop(client, date="20250711")
    assert response.status_code == 500
    assert response.json()["code"] == "SYSTEM_ERROR"


def test_hang_makes_a_short_timeout_client_time_out(client: httpx.Client) -> None:
    set_knobs(client, hang_rate=1.0)
    with pytest.raises(httpx.ReadTimeout):
        client.post("/__admin/drop", json={"date": "20250712"}, timeout=0.5)


def test_drops_are_counted_and_reset(client: httpx.Client) -> None:
    drop(client, date="20250720")
    drop(client, date="20250720")  # refused (409) but still a call
    client.get("/__admin/files")
    assert client.get("/__admin/calls").json() == {"total": 2, "by_operation": {"drop": 2}}
    client.post("/__admin/reset")
    assert client.get("/__admin/calls").json() == {"total": 0, "by_operation": {}}
