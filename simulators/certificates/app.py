"""Starlette app of the provincial certificate system: it drops daily full snapshots into a directory.

On start it writes the snapshot for the seed's reference date (`manifest.json` key `reference_date`,
ISO date; the generator's fixed `REFERENCE_DATE` if the manifest has none) unless that snapshot and its marker
already exist. Admin routes that drive tests:

    POST /__admin/drop    {"date": "YYYYMMDD", "broken_rows": N, "drop_officers": [officer ids],
                           "change": {cert_no: {seed field: value}}, "replace": false}
                          -> 200 {"file", "marker", "rows", "broken_lines": [...], "broken": [...]}
                          400 bad request, 409 snapshot for that date exists (unless "replace": true)
    GET  /__admin/files   the snapshots in the drop directory, with whether each has its marker

Only drops are counted (operation "drop"). Faults apply to drops: `down` refuses them with 503
{"code": "SYSTEM_DOWN"}; `error_rate` fails them with 500 {"code": "SYSTEM_ERROR"}; `hang_rate` stalls
them; `latency_ms` delays them. Files already in the directory stay readable whatever the knobs say.
Drops are cumulative: changes and dropped officers carry over to later snapshots.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.certificates.broken import BrokenRow, break_rows
from simulators.certificates.roster import Roster, RosterError
from simulators.certificates.snapshot import Delivered, csv_name, deliver, is_delivered, snapshot_date
from simulators.datagen.calendar import REFERENCE_DATE

SYSTEM = "certificates"
DROP_DIR = "cert_drop"
MANIFEST_FILE = "manifest.json"
log = logging.getLogger("simulators.certificates")


class DropRequestError(ValueError):
    """A drop request the admin API cannot carry out (HTTP 400)."""


@dataclass(frozen=True)
class DropRequest:
    day: date
    broken_rows: int
    drop_officers: list[str]
    change: dict[str, dict[str, object]]
    replace: bool

    @classmethod
    def from_json(cls, body: object) -> DropRequest:
        if not isinstance(body, dict):
            raise DropRequestError("body must be a JSON object")
        day = parse_day(body.get("date"))
        broken = body.get("broken_rows", 0)
        if not isinstance(broken, int) or isinstance(broken, bool) or broken < 0:
            raise DropRequestError("broken_rows must be a non-negative integer")
        officers = body.get("drop_officers", [])
        if not isinstance(officers, list) or not all(isinstance(o, str) for o in officers):
            raise DropRequestError("drop_officers must be a list of officer ids")
        change = body.get("change", {})
        if not isinstance(change, dict) or not all(isinstance(v, dict) for v in change.values()):
            raise DropRequestError("change must map certificate numbers to objects of fields")
        return cls(day=day, broken_rows=broken, drop_officers=list(officers), change=dict(change),
                   replace=bool(body.get("replace", False)))


def parse_day(value: object) -> date:
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        raise DropRequestError("date must be YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise DropRequestError(f"date {value} does not exist") from exc


def reference_date(data_dir: Path) -> date:
    """The seed's reference date from its manifest; the generator's fixed date when there is none."""
    manifest = data_dir / MANIFEST_FILE
    if manifest.is_file():
        try:
            value = json.loads(manifest.read_text(encoding="utf-8")).get("reference_date")
            if isinstance(value, str):
                return date.fromisoformat(value[:10])
        except (ValueError, AttributeError) as exc:
            raise RosterError(f"{MANIFEST_FILE}: unreadable reference_date ({exc})") from exc
    return REFERENCE_DATE


@dataclass(frozen=True)
class DropResult:
    delivered: Delivered
    broken: list[BrokenRow]


def _write(roster: Roster, drop_dir: Path, day: date, broken_rows: int) -> DropResult:
    rows = [row for _, row in roster.rows()]
    try:
        broken = break_rows(rows, broken_rows)
    except ValueError as exc:
        raise DropRequestError(str(exc)) from exc
    return DropResult(delivered=deliver(drop_dir, day, rows), broken=broken)


def _legacy_error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def create_app(config: SimConfig, *, drop_dir: Path | None = None) -> Starlette:
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    target = drop_dir if drop_dir is not None else config.data_dir / DROP_DIR
    holder: dict[str, Roster] = {}
    lock = asyncio.Lock()

    def start() -> Roster:
        roster = Roster.load(config.data_dir)
        day = reference_date(config.data_dir)
        if not is_delivered(target, day):
            result = _write(roster, target, day, 0)
            log.info("certificates: wrote %s (%d rows)", result.delivered.csv_path.name, result.delivered.rows)
        return roster

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        holder["roster"] = await asyncio.to_thread(start)
        yield

    async def drop(request: Request) -> Response:
        runtime.count("drop")
        try:
            await runtime.apply_faults()
        except Fault as injected:
            if runtime.knobs.down:
                return _legacy_error(503, "SYSTEM_DOWN", str(injected))
            return _legacy_error(500, "SYSTEM_ERROR", str(injected))
        try:
            spec = DropRequest.from_json(await request.json())
        except json.JSONDecodeError:
            return _legacy_error(400, "BAD_REQUEST", "body is not JSON")
        except DropRequestError as exc:
            return _legacy_error(400, "BAD_REQUEST", str(exc))
        async with lock:
            if not spec.replace and is_delivered(target, spec.day):
                return _legacy_error(409, "EXISTS", f"{csv_name(spec.day)} already delivered")
            try:
                roster = holder["roster"].evolved(drop_officers=spec.drop_officers, change=spec.change,
                                                  day=spec.day)
                result = await asyncio.to_thread(_write, roster, target, spec.day, spec.broken_rows)
            except (RosterError, DropRequestError) as exc:
                return _legacy_error(400, "BAD_REQUEST", str(exc))
            holder["roster"] = roster
        return JSONResponse(_drop_body(spec.day, result))

    async def files(_: Request) -> Response:
        listing = []
        if target.is_dir():
            for path in sorted(target.iterdir()):
                day = snapshot_date(path.name)
                if day is None:
                    continue
                listing.append({"name": path.name, "date": f"{day:%Y%m%d}", "size": path.stat().st_size,
                                "ok": (target / path.name.replace(".csv", ".ok")).is_file()})
        return JSONResponse({"directory": str(target), "files": listing})

    routes = [
        Route("/__admin/drop", drop, methods=["POST"]),
        Route("/__admin/files", files, methods=["GET"]),
        *runtime.admin_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.runtime = runtime
    return gate_admin(app, config)


def _drop_body(day: date, result: DropResult) -> Mapping[str, object]:
    return {
        "date": f"{day:%Y%m%d}",
        "file": result.delivered.csv_path.name,
        "marker": result.delivered.marker_path.name,
        "rows": result.delivered.rows,
        "broken_lines": [b.line for b in result.broken],
        "broken": [{"line": b.line, "kind": b.kind, "cert_no": b.cert_no} for b in result.broken],
    }
