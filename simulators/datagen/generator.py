"""`generate(size, seed, out)`: write the synthetic data set and its manifest.

Files (JSON lines, one object per line, canonical encoding):
    persons.jsonl, entities.jsonl, licences.jsonl, bodies.jsonl, officers.jsonl, certificates.jsonl,
    items.jsonl, and manifest.json {generator_version, size, seed, reference_date, counts}.

Determinism: the same (size, seed) gives byte-identical files. Each file draws from its own stream
derived from the seed; persons and entities are pure functions of their index; every date is
relative to `REFERENCE_DATE`, never to today. Rows are streamed to disk, so memory stays flat.

Error tree::

    ValueError
     └── DatagenError        unknown size
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from simulators.datagen.bodies import build_bodies
from simulators.datagen.calendar import REFERENCE_DATE
from simulators.datagen.catalogue import items
from simulators.datagen.entities import Entities
from simulators.datagen.licences import PERSON_SHARE, LicenceIssuer
from simulators.datagen.people import People
from simulators.datagen.personnel import CertificateIssuer, officer_counts, officers
from simulators.datagen.rng import stream
from simulators.datagen.writer import JsonLinesWriter, write_json

GENERATOR_VERSION = "1.1.0"
SIZES = ("small", "medium", "large")
FILES = ("persons", "entities", "licences", "bodies", "officers", "certificates", "items")
_BATCH = 2_000


class DatagenError(ValueError):
    """Bad arguments to the generator."""


@dataclass(frozen=True)
class _Spec:
    persons: int
    entities: int


_SPECS: dict[str, _Spec] = {
    "small": _Spec(persons=1_000, entities=300),
    "medium": _Spec(persons=100_000, entities=20_000),
    "large": _Spec(persons=1_000_000, entities=200_000),
}


class _Tracker(Protocol):
    def add(self, name: str, total: int | None) -> None: ...
    def advance(self, name: str, rows: int) -> None: ...
    def finish(self, name: str, rows: int) -> None: ...


class _Silent:
    def add(self, name: str, total: int | None) -> None:
        pass

    def advance(self, name: str, rows: int) -> None:
        pass

    def finish(self, name: str, rows: int) -> None:
        pass


class _RichTracker:
    def __init__(self, progress: Any) -> None:
        self._progress = progress
        self._tasks: dict[str, Any] = {}

    def add(self, name: str, total: int | None) -> None:
        self._tasks[name] = self._progress.add_task(f"{name}.jsonl", total=total)

    def advance(self, name: str, rows: int) -> None:
        self._progress.advance(self._tasks[name], rows)

    def finish(self, name: str, rows: int) -> None:
        self._progress.update(self._tasks[name], total=rows, completed=rows)


@contextmanager
def _tracker(enabled: bool) -> Iterator[_Tracker]:
    if not enabled:
        yield _Silent()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as progress:
        yield _RichTracker(progress)


class _Counted:
    """A writer that reports progress every few thousand rows."""

    def __init__(self, writer: JsonLinesWriter, name: str, tracker: _Tracker) -> None:
        self._writer, self._name, self._tracker = writer, name, tracker
        self._pending = 0

    def write(self, row: dict[str, Any]) -> None:
        self._writer.write(row)
        self._pending += 1
        if self._pending >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._tracker.advance(self._name, self._pending)
            self._pending = 0

    def close(self) -> None:
        """Report the last rows and fix the total (unknown up front for licences and certificates)."""
        self.flush()
        self._tracker.finish(self._name, self._writer.count)


def generate(size: str, seed: int, out: Path, progress: bool = True) -> dict[str, Any]:
    """Write the data set for `size` and `seed` into `out` and return the manifest."""
    if size not in _SPECS:
        raise DatagenError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    spec = _SPECS[size]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    catalogue = items()
    bodies = build_bodies(catalogue)
    officer_rng = stream(seed, "officers")
    per_body = officer_counts(officer_rng, size, bodies)
    people = People(seed, spec.persons, sum(per_body))
    entities = Entities(seed, spec.entities, people, bodies)
    counts: dict[str, int] = {}

    with _tracker(progress) as tracker:
        tracker.add("items", len(catalogue))
        tracker.add("bodies", len(bodies))
        tracker.add("persons", spec.persons)
        tracker.add("entities", spec.entities)
        tracker.add("licences", None)
        tracker.add("officers", sum(per_body))
        tracker.add("certificates", None)

        with JsonLinesWriter(out / "items.jsonl") as raw:
            w = _Counted(raw, "items", tracker)
            for item in catalogue:
                w.write(item.row())
            w.close()
        counts["items"] = raw.count

        with JsonLinesWriter(out / "bodies.jsonl") as raw:
            w = _Counted(raw, "bodies", tracker)
            for body in bodies:
                w.write(body.row())
            w.close()
        counts["bodies"] = raw.count

        with JsonLinesWriter(out / "persons.jsonl") as raw:
            w = _Counted(raw, "persons", tracker)
            for index in range(spec.persons):
                w.write(people.person(index).row())
            w.close()
        counts["persons"] = raw.count

        issuer = LicenceIssuer(stream(seed, "licences"), bodies)
        with JsonLinesWriter(out / "entities.jsonl") as raw_e, JsonLinesWriter(out / "licences.jsonl") as raw_l:
            we = _Counted(raw_e, "entities", tracker)
            wl = _Counted(raw_l, "licences", tracker)
            for index in range(spec.entities):
                entity = entities.entity(index)
                we.write(entity.row(entities.legal_rep(index)))
                for licence in issuer.for_entity(entity):
                    wl.write(licence)
            holders = stream(seed, "licences", "holders")
            for _ in range(round(spec.persons * PERSON_SHARE)):
                wl.write(issuer.for_person(people.adult(holders, 18, 70, in_city=True)))
            we.close()
            wl.close()
        counts["entities"] = raw_e.count
        counts["licences"] = raw_l.count

        staff = officers(officer_rng, people, bodies, per_body)
        certificates = CertificateIssuer(stream(seed, "certificates"), stream(seed, "certificates", "status_changes"))
        with JsonLinesWriter(out / "officers.jsonl") as raw_o, \
                JsonLinesWriter(out / "certificates.jsonl") as raw_c:
            wo = _Counted(raw_o, "officers", tracker)
            wc = _Counted(raw_c, "certificates", tracker)
            for officer in staff:
                wo.write(officer.row())
                for cert in certificates.for_officer(officer):
                    wc.write(cert)
            wo.close()
            wc.close()
        counts["officers"] = raw_o.count
        counts["certificates"] = raw_c.count

    manifest: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "size": size,
        "seed": seed,
        "reference_date": REFERENCE_DATE.isoformat(),
        "counts": {name: counts[name] for name in FILES},
    }
    write_json(out / "manifest.json", manifest)
    return manifest
