"""Where a sweep gets the facts of other subgraphs: the `FactsSource` protocol and an in-memory one.

`GatewayFacts` (`gateway_client.py`) is the production source. `SeedFacts` reads the data
generator's files (bodies, officers, certificates, persons) for tests, demos and benchmarks; it
never exposes a raw ID number: persons are keyed by the HMAC of their number, as in the graph.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from subgraphs.cases.domain.facts import CertificateStatus
from subgraphs.supervision.view import BodyView, CertView, OfficerView

PersonKey = tuple[str, str]  # (idType, idNumberHash)


class FactsSource(Protocol):
    async def bodies(self, usccs: Collection[str]) -> dict[str, BodyView]: ...

    async def officers(self, officer_ids: Collection[str], *, body_hints: Collection[str] = ()
                       ) -> dict[str, OfficerView]: ...

    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]: ...


def cert_status(raw: str) -> CertificateStatus:
    try:
        return CertificateStatus(raw)
    except ValueError:
        return CertificateStatus.CANCELLED  # an unknown status never qualifies an officer


def body_from_json(row: Mapping[str, Any]) -> BodyView:
    return BodyView(str(row["uscc"]), str(row.get("body_type") or row.get("bodyType") or ""),
                    frozenset(row.get("item_codes") or row.get("itemCodes") or ()),
                    str(row.get("level") or ""), str(row.get("region_code") or row.get("regionCode") or ""),
                    row.get("entrusted_by") or row.get("entrustedBy"))


def cert_from_json(row: Mapping[str, Any]) -> CertView:
    return CertView(str(row.get("cert_no") or row.get("certNo")), cert_status(str(row["status"])),
                    date.fromisoformat(str(row.get("valid_from") or row.get("validFrom"))),
                    date.fromisoformat(str(row.get("valid_to") or row.get("validTo"))),
                    frozenset(row.get("area") or ()), frozenset(row.get("categories") or ()))


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


@dataclass
class SeedFacts:
    """Facts read from a generated data directory; counts the calls it answers."""

    bodies_by_id: dict[str, BodyView] = field(default_factory=dict)
    officers_by_id: dict[str, OfficerView] = field(default_factory=dict)
    births: dict[PersonKey, date] = field(default_factory=dict)
    calls: int = 0

    @classmethod
    def from_dir(cls, seed_dir: Path, *, hash_id: Any) -> SeedFacts:
        """`hash_id(id_type, id_number) -> str` is the HMAC the population subgraph uses."""
        bodies = {b.body_id: b for b in (body_from_json(r) for r in _lines(seed_dir / "bodies.jsonl"))}
        certs: dict[str, list[CertView]] = {}
        for row in _lines(seed_dir / "certificates.jsonl"):
            certs.setdefault(str(row["officer_id"]), []).append(cert_from_json(row))
        officers = {
            str(r["id"]): OfficerView(str(r["id"]), str(r["body_uscc"]), bool(r.get("has_legal_qualification")),
                                      bool(r.get("is_legal_reviewer")), False, tuple(certs.get(str(r["id"]), ())))
            for r in _lines(seed_dir / "officers.jsonl")
        }
        births = {(str(r["id_type"]), hash_id(str(r["id_type"]), str(r["id_number"]))):
                  date.fromisoformat(str(r["birth_date"])) for r in _lines(seed_dir / "persons.jsonl")}
        return cls(bodies, officers, births)

    async def bodies(self, usccs: Collection[str]) -> dict[str, BodyView]:
        self.calls += 1
        return {u: self.bodies_by_id[u] for u in usccs if u in self.bodies_by_id}

    async def officers(self, officer_ids: Collection[str], *, body_hints: Collection[str] = ()
                       ) -> dict[str, OfficerView]:
        self.calls += 1
        return {o: self.officers_by_id[o] for o in officer_ids if o in self.officers_by_id}

    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]:
        self.calls += 1
        return {k: self.births[k] for k in keys if k in self.births}
