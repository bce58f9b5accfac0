"""`hub audit verify` walks the chains of coercive measures and inspections too, and names the record
an insider edited or whose event was deleted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.case_audit import verify_record_events
from subgraphs.cases.ground_truth import seed_with_violations
from subgraphs.common.migrate import upgrade
from tests.subgraphs.supervision.conftest import SECRET


async def test_edited_or_truncated_records_are_named(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    await seed_with_violations(url, small_seed, tmp_path, seed=6, count=40, secret=SECRET)
    intact = await verify_record_events(url)
    assert intact.ok, str(intact)
    db = sqlite3.connect(tmp_path / "hub.db")
    try:
        (measure,) = db.execute("SELECT id FROM coercive_measure ORDER BY id LIMIT 1").fetchone()
        db.execute("UPDATE coercive_measure SET snapshot = json_set(snapshot, '$.extension_days', 99) WHERE id = ?",
                   (measure,))
        (inspection,) = db.execute("SELECT id FROM inspection ORDER BY id LIMIT 1").fetchone()
        db.execute("DELETE FROM aggregate_event WHERE aggregate_id = ? AND seq = "
                   "(SELECT MAX(seq) FROM aggregate_event WHERE aggregate_id = ?)", (inspection, inspection))
        db.commit()
    finally:
        db.close()
    report = await verify_record_events(url)
    assert not report.ok
    named = {(label, fault.case_id, fault.fault) for label, fault in report.faults}
    assert named == {("coercive measure", measure, "EDITED"), ("inspection", inspection, "DELETED")}
    assert measure in str(report)
