"""The simulated provincial data centre exchange: signed batches of versioned records, kept per key.

    POST /api/exchange/v1/records   {"batchNo", "records": [...]}  -> per-record outcome (receiving/)
    GET  /api/exchange/v1/records?type=PENALTY_CASE|INSPECTION|COERCIVE_MEASURE[&key=..][&limit=..][&offset=..]
         -> {"code": 0, "total": n, "data": [{"type", "key", "version", "op", "data", "recordId",
                                               "receivedAt"}, ...]}   current record per key, by key

A record is `{"recordId", "type", "op": "i"|"u"|"d", "key", "version" >= 1, "sentAt", "data": {...}}`.
Per (type, key) the highest version is current; a lower version arriving later is accepted (a valid
delivery) but changes nothing, and `op: "d"` makes the key's current record a deletion mark (listed
with op "d"). The same version of a key delivered again under another record id is accepted when its
content is the same and rejected when it differs. `data` of a deletion is kept but not validated.
Signature, faults, envelope, deduplication and the privacy tripwire: see `simulators.receiving`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.datastructures import QueryParams

from simulators.base import SimConfig
from simulators.receiving import fields
from simulators.receiving.application import ReceiverSpec, build_app
from simulators.receiving.envelope import Delivery
from simulators.receiving.errors import BadRequest, RecordRejected
from simulators.receiving.receiver import listing_page

SYSTEM = "data_centre"
PATH = "/api/exchange/v1/records"
DEFAULT_APP_KEY = "dc-dev-app"
DEFAULT_APP_SECRET = "dc-dev-secret"
OPS = ("i", "u", "d")
DELETE = "d"

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    type         TEXT NOT NULL,
    key          TEXT NOT NULL,
    version      INTEGER NOT NULL,
    payload_hash TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    PRIMARY KEY (type, key, version)
);
CREATE TABLE IF NOT EXISTS current_records (
    type        TEXT NOT NULL,
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    op          TEXT NOT NULL,
    data        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (type, key)
);
"""


def validate_penalty_case(data: Mapping[str, Any]) -> None:
    """A PENALTY_CASE payload: case number, state, the enforcing body, region and item."""
    fields.text(data, "caseNo", label="data.caseNo")
    fields.text(data, "state", label="data.state")
    fields.uscc(data, "bodyUscc", label="data.bodyUscc")
    region = data.get("regionCode")
    if not isinstance(region, str) or len(region) != 6 or not region.isascii() or not region.isdigit():
        raise RecordRejected("data.regionCode: required, six digits")
    fields.text(data, "itemCode", label="data.itemCode")
    if fields.present(data, "partyUscc"):
        fields.uscc(data, "partyUscc", label="data.partyUscc")


def _region(data: Mapping[str, Any]) -> None:
    region = data.get("regionCode")
    if not isinstance(region, str) or len(region) != 6 or not region.isascii() or not region.isdigit():
        raise RecordRejected("data.regionCode: required, six digits")


def validate_inspection(data: Mapping[str, Any]) -> None:
    """An INSPECTION payload (the "互联网+监管" 行政检查行为 record): the check, its object and result."""
    fields.text(data, "checkActionCode", label="data.checkActionCode")
    fields.text(data, "checkActionName", label="data.checkActionName")
    fields.text(data, "superviseItemCode", label="data.superviseItemCode")
    fields.uscc(data, "implementingBodyCode", label="data.implementingBodyCode")
    fields.text(data, "objectName", label="data.objectName")
    fields.text(data, "checkResult", label="data.checkResult")
    checked = _instant(data, "checkDate")
    _region(data)
    if fields.present(data, "counterpartCode"):
        fields.uscc(data, "counterpartCode", label="data.counterpartCode")
    if fields.present(data, "submittedAt") and _instant(data, "submittedAt") < checked:
        raise RecordRejected("data.submittedAt: before data.checkDate (a result is reported after the check)")


def _instant(data: Mapping[str, Any], name: str) -> datetime:
    value = fields.timestamp(data, name, label=f"data.{name}")
    if value.tzinfo is None:
        raise RecordRejected(f"data.{name}: needs a UTC offset")
    return value


def validate_coercive_measure(data: Mapping[str, Any]) -> None:
    """A COERCIVE_MEASURE payload (行政强制措施): its case, kind, state, body and region."""
    fields.text(data, "caseId", label="data.caseId")
    fields.text(data, "kind", label="data.kind")
    fields.text(data, "state", label="data.state")
    fields.uscc(data, "bodyUscc", label="data.bodyUscc")
    _region(data)


#: record type -> validation of its `data` (inserts and updates)
VALIDATORS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "PENALTY_CASE": validate_penalty_case, "INSPECTION": validate_inspection,
    "COERCIVE_MEASURE": validate_coercive_measure,
}


def _payload_hash(record_type: str, key: str, version: int, op: str, data: Mapping[str, Any]) -> str:
    payload = {"type": record_type, "key": key, "version": version, "op": op, "data": data}
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


class ExchangeRecords:
    """Validates a record and keeps the highest version per (type, key)."""

    def accept(self, conn: sqlite3.Connection, delivery: Delivery, *, received_at: str) -> None:
        record = delivery.fields
        record_type = record.get("type")
        if not isinstance(record_type, str) or record_type not in VALIDATORS:
            raise RecordRejected(f"type: unknown record type; known: {', '.join(sorted(VALIDATORS))}")
        op = fields.choice(record, "op", OPS)
        key = fields.text(record, "key")
        version = fields.positive_int(record, "version")
        fields.timestamp(record, "sentAt")
        data = fields.obj(record, "data")
        if op != DELETE:
            VALIDATORS[record_type](data)

        payload_hash = _payload_hash(record_type, key, version, op, data)
        row = conn.execute(
            "SELECT payload_hash FROM versions WHERE type = ? AND key = ? AND version = ?",
            (record_type, key, version),
        ).fetchone()
        if row is not None:
            if row[0] != payload_hash:
                raise RecordRejected(f"version: version {version} of this key was already delivered "
                                     "with other content")
            return  # the same version again under another record id: a valid delivery, nothing new
        conn.execute(
            "INSERT INTO versions (type, key, version, payload_hash, record_id) VALUES (?, ?, ?, ?, ?)",
            (record_type, key, version, payload_hash, delivery.record_id),
        )
        conn.execute(
            """INSERT INTO current_records (type, key, version, op, data, record_id, received_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (type, key) DO UPDATE SET
                   version = excluded.version, op = excluded.op, data = excluded.data,
                   record_id = excluded.record_id, received_at = excluded.received_at
               WHERE excluded.version > current_records.version""",
            (record_type, key, version, op, orjson.dumps(data).decode(), delivery.record_id, received_at),
        )


def list_current(conn: sqlite3.Connection, params: QueryParams) -> dict[str, Any]:
    """The current record of each key of one type, ordered by key."""
    record_type = params.get("type")
    if not record_type:
        raise BadRequest("type is required")
    if record_type not in VALIDATORS:
        raise BadRequest(f"unknown type; known: {', '.join(sorted(VALIDATORS))}")
    where = ["type = ?"]
    args: list[Any] = [record_type]
    key = params.get("key")
    if key is not None:
        where.append("key = ?")
        args.append(key)
    return listing_page(
        conn, params, table="current_records", where=where, args=args, order_by="key",
        columns=("type", "key", "version", "op", "data", "record_id", "received_at"),
        item=lambda row: {"type": row[0], "key": row[1], "version": row[2], "op": row[3],
                          "data": orjson.loads(row[4]), "recordId": row[5], "receivedAt": row[6]})


def create_app(config: SimConfig) -> Starlette:
    """The data centre exchange, storing what it receives in `config.data_dir/outbound/data_centre.db`."""
    return build_app(
        config,
        ReceiverSpec(
            system=SYSTEM,
            path=PATH,
            default_app_key=DEFAULT_APP_KEY,
            default_app_secret=DEFAULT_APP_SECRET,
            schema=SCHEMA,
            handler=ExchangeRecords(),
            lister=list_current,
        ),
    )
