"""Seeded cases served over HTTP, audited, and exported as verifiable electronic case files."""

from __future__ import annotations

from pathlib import Path

import httpx

from hub.archive import export_case, verify_archive
from hub.case_audit import verify_case_events
from subgraphs.cases.app import create_app
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.seal import load_or_create
from subgraphs.cases.seed import seed_cases
from tests.support.servers import serve


async def test_seeded_cases_are_served_audited_and_archived(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    report = await seed_cases(url, small_seed, seed=3, count=30)
    assert report.created == 30
    config = CasesConfig(database_url=url, data_dir=tmp_path / "data", id_hash_secret=b"integration-secret",
                         allow_dev_header=True)
    with serve(create_app(config=config)) as base:
        async with httpx.AsyncClient(timeout=30) as http:
            answer = (await http.post(f"{base}/graphql", json={"query": """{
                archived: penaltyCases(status: ARCHIVED) { items { id caseNo events { transition } } }
                enforcing: penaltyCases(status: ENFORCING) { items { id deadlines { kind due } } } }"""})).json()
            health = await http.get(f"{base}/health")
    assert health.status_code == 200
    assert "errors" not in answer, answer
    archived = answer["data"]["archived"]["items"]
    assert archived
    assert archived[0]["events"][-1]["transition"] == "T31"
    assert any(d["kind"] == "COURT_APPLICATION" for d in answer["data"]["enforcing"]["items"][0]["deadlines"])

    audit = await verify_case_events(url)
    assert audit.ok, str(audit)
    assert audit.cases == 30

    key = load_or_create(config.seal_key_file)
    out = await export_case(url, archived[0]["id"], tmp_path / "file.zip", blob_dir=config.blob_dir, signing_key=key)
    assert verify_archive(out, trusted_public_keys=[key.public_key]).ok
