"""Departments' historical cases from a JSON-lines file (`hub db import FILE.jsonl`).

One case a line, as a JSON object:

    {"source": "<the department's system>", "sourceCaseNo": "<its case number there>",
     "importedAt": "<ISO 8601 instant with offset>", "snapshot": <the case codec's JSON of CaseSnapshot>}

Each line becomes an `ImportedCase`: the snapshot as it stands, and a chain of one `CaseImported`
event recording where it came from and the snapshot's SM3 (`subgraphs.cases.new_cases`). The
cases are written by `subgraphs.cases.bulk` in batches of one transaction each, so an import that
stopped (a crash, a kill, the store going away) is run again with the same file: the cases already
stored are skipped by id and the rest written, none twice, no case number given twice.

A line that is not JSON, misses a key, or whose snapshot does not decode is refused with its line
number and the reason (ID-number-shaped text scrubbed), and the other lines are imported. Blank
lines are ignored. A line is read once: its case id first (so a case already stored is skipped
without decoding its snapshot, as a restarted import's first part is), then, when it is to be
written, the whole line in one msgspec pass; only a line that does not read so is read again, step
by step, to say what is wrong with it. `line_of` writes a line in this format (for tests, and for exports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import orjson

from subgraphs.cases.bulk import DEFAULT_BATCH, ENTRY_ERRORS, BulkResult, BulkWriter, Refusal
from subgraphs.cases.codec import decode, decode_json, encode
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.service import ImportedCase
from subgraphs.common.logsafe import scrub

KEYS = ("source", "sourceCaseNo", "importedAt", "snapshot")


class ImportLineError(ValueError):
    """A line that is not an imported case; the message says why (never the line's content)."""


class _Line(msgspec.Struct):
    """A well-formed line, its snapshot left as its JSON text (decoded by the codec in the same pass)."""

    source: str
    sourceCaseNo: str
    importedAt: str
    snapshot: msgspec.Raw


class _CaseId(msgspec.Struct):
    case_id: str


class _LineHead(msgspec.Struct):
    snapshot: _CaseId


_LINE = msgspec.json.Decoder(_Line)
_HEAD = msgspec.json.Decoder(_LineHead)


def parse_line(text: str | bytes) -> ImportedCase:
    """The `ImportedCase` of one line, or `ImportLineError`. The line is read once (msgspec, the
    snapshot by `codec.decode_json`); a line that does not read so is read again by `checked_line`,
    which says what is wrong with it."""
    try:
        line = _LINE.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return checked_line(text)
    if not (line.source.strip() and line.sourceCaseNo.strip() and line.importedAt.strip()):
        return checked_line(text)
    try:
        imported_at = datetime.fromisoformat(line.importedAt)
    except ValueError:
        return checked_line(text)
    if imported_at.tzinfo is None:
        return checked_line(text)
    try:
        snapshot = decode_json(CaseSnapshot, bytes(line.snapshot))
    except ENTRY_ERRORS as exc:
        raise ImportLineError(f"snapshot: {exc}") from exc
    return ImportedCase(snapshot, line.source, line.sourceCaseNo, imported_at)


@dataclass(frozen=True, slots=True)
class DeferredLine:
    """A line whose case id is read (without decoding the snapshot): the bulk writer decodes it only
    when the case is not stored yet (`new_cases.DeferredEntry`)."""

    case_id: str
    text: bytes

    def entry(self) -> ImportedCase:
        return parse_line(self.text)


def read_line(text: bytes) -> ImportedCase | DeferredLine:
    """A line as the writer takes it: deferred when its case id can be read on its own, else parsed now
    (a line that is wrong raises `ImportLineError` here)."""
    try:
        return DeferredLine(_HEAD.decode(text).snapshot.case_id, text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return parse_line(text)


def checked_line(text: str | bytes) -> ImportedCase:
    """`parse_line` step by step (orjson, then the codec's decoder): the reason a line is refused."""
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ImportLineError(f"not JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise ImportLineError(f"expected a JSON object with {', '.join(KEYS)}, got {type(raw).__name__}")
    missing = [k for k in KEYS if k not in raw]
    if missing:
        raise ImportLineError(f"missing {', '.join(missing)}")
    for key in ("source", "sourceCaseNo", "importedAt"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ImportLineError(f"{key} must be a non-empty string")
    try:
        imported_at = datetime.fromisoformat(raw["importedAt"])
    except ValueError as exc:
        raise ImportLineError("importedAt is not an ISO 8601 instant") from exc
    if imported_at.tzinfo is None:
        raise ImportLineError("importedAt needs an offset (e.g. +08:00)")
    try:
        snapshot = decode(CaseSnapshot, raw["snapshot"])
    except ENTRY_ERRORS as exc:
        raise ImportLineError(f"snapshot: {exc}") from exc
    return ImportedCase(snapshot, raw["source"], raw["sourceCaseNo"], imported_at)


def line_of(case: ImportedCase) -> str:
    """`case` as one line of an import file (without the newline)."""
    return orjson.dumps({"source": case.source, "sourceCaseNo": case.source_case_no,
                         "importedAt": case.imported_at.isoformat(), "snapshot": encode(case.snapshot)}).decode()


@dataclass
class ImportSummary:
    lines: int = 0
    imported: int = 0
    present: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.lines:,} lines: {self.imported:,} cases imported, {self.present:,} already present, "
                f"{len(self.refused):,} refused")


def _line_no(refusal: Refusal) -> int:
    return int(refusal.label.removeprefix("line "))


async def import_file(writer: BulkWriter, path: Path, *, batch: int = DEFAULT_BATCH,
                      progress: Callable[[ImportSummary], None] | None = None) -> ImportSummary:
    """Import every line of `path` with `writer`; `progress` gets the running summary after every batch."""
    summary = ImportSummary()
    refused: list[Refusal] = []

    def entries(fh: Any) -> Iterator[tuple[str, ImportedCase | DeferredLine]]:
        for n, text in enumerate(fh, start=1):
            summary.lines = n
            if not text.strip():
                continue
            try:
                yield f"line {n}", read_line(text)
            except ImportLineError as exc:
                refused.append(Refusal(f"line {n}", None, scrub(str(exc))))

    def combine(result: BulkResult) -> None:
        summary.imported, summary.present = result.written, result.present
        written = (Refusal(r.label, r.case_id, scrub(r.reason)) for r in result.refused)
        summary.refused = sorted([*refused, *written], key=_line_no)

    def report(result: BulkResult) -> None:
        combine(result)
        if progress is not None:
            progress(summary)

    with path.open("rb") as fh:
        combine(await writer.write_labelled(entries(fh), batch=batch, progress=report))
    return summary
