"""Initial load of enforcement bodies and officers from the seed files (bodies.jsonl, officers.jsonl).

Upserts by key, parents before children (the body tree has a foreign key to itself). Officers' ID
numbers are never stored: the pseudonymous hash and a masked form are, and the number goes into
the pseudonym vault so the population subgraph can resolve `Officer.person`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.masking import mask_id_number
from domain.sm import normalise_id_number
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.store import BodyRow, OfficerRow

BODIES_FILE = "bodies.jsonl"
OFFICERS_FILE = "officers.jsonl"
_LEVEL_ORDER = {"PROVINCE": 0, "CITY": 1, "COUNTY": 2, "TOWN": 3}


class SeedFileError(ValueError):
    """A seed line is not a usable JSON object; names the file and line."""


@dataclass(frozen=True)
class LoadReport:
    bodies: int
    officers: int


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise SeedFileError(f"{path.name} line {number}: not JSON") from exc
            if not isinstance(obj, dict):
                raise SeedFileError(f"{path.name} line {number}: not an object")
            yield obj


def _ordered_bodies(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_uscc = {str(b["uscc"]): b for b in bodies}
    done: set[str] = set()
    out: list[dict[str, Any]] = []

    def visit(body: dict[str, Any], depth: int) -> None:
        uscc = str(body["uscc"])
        if uscc in done or depth > len(by_uscc):
            return
        parent = body.get("parent_uscc")
        if isinstance(parent, str) and parent in by_uscc:
            visit(by_uscc[parent], depth + 1)
        done.add(uscc)
        out.append(body)

    for body in sorted(bodies, key=lambda b: _LEVEL_ORDER.get(str(b.get("level")), 9)):
        visit(body, 0)
    return out


async def load_seed(engine: AsyncEngine, vault: PseudonymVault, seed_dir: Path) -> LoadReport:
    """Upsert bodies and officers from `seed_dir`; missing files load nothing."""
    now = datetime.now(UTC)
    bodies = list(_lines(seed_dir / BODIES_FILE)) if (seed_dir / BODIES_FILE).is_file() else []
    officers = list(_lines(seed_dir / OFFICERS_FILE)) if (seed_dir / OFFICERS_FILE).is_file() else []
    hashes = await vault.remember(
        ((str(o.get("id_type") or "RESIDENT_ID"), str(o["id_number"])) for o in officers if o.get("id_number")),
        source="personnel")
    async with AsyncSession(engine) as session:
        for body in _ordered_bodies(bodies):
            await session.merge(BodyRow(
                uscc=str(body["uscc"]), name=str(body["name"]), short_name=body.get("short_name"),
                level=str(body["level"]), region_code=str(body["region_code"]), parent_uscc=body.get("parent_uscc"),
                body_type=str(body.get("body_type") or "ADMIN_ORGAN"), entrusted_by=body.get("entrusted_by"),
                is_comprehensive=bool(body.get("is_comprehensive")), domains=list(body.get("domains") or []),
                power_source=body.get("power_source"), item_codes=list(body.get("item_codes") or []),
                status=str(body.get("status") or "ACTIVE"), updated_at=now))
            await session.flush()
        for officer in officers:
            number = str(officer.get("id_number") or "")
            await session.merge(OfficerRow(
                id=str(officer["id"]), name=str(officer["name"]),
                id_type=str(officer.get("id_type") or "RESIDENT_ID"),
                id_number_hash=hashes.get(normalise_id_number(number), ""),
                id_number_masked=mask_id_number(number), body_uscc=str(officer["body_uscc"]),
                post=officer.get("post"), staff_type=officer.get("staff_type"),
                has_legal_qualification=bool(officer.get("has_legal_qualification")),
                legal_qualification_no=officer.get("legal_qualification_no"),
                is_legal_reviewer=bool(officer.get("is_legal_reviewer")),
                training_hours=dict(officer.get("training_hours") or {}),
                status=str(officer.get("status") or "ACTIVE"), vanished_at=None, updated_at=now))
        await session.commit()
    return LoadReport(bodies=len(bodies), officers=len(officers))
