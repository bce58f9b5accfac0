"""The simulated 双公示 credit publicity platform: signed batches of penalty records, by 文书号 and party.

    POST /api/credit/v1/penalties   {"batchNo", "records": [...]}  -> per-record outcome (receiving/)
    GET  /api/credit/v1/penalties[?wsh=..][&status=PUBLISHED|WITHDRAWN][&limit=..][&offset=..]
         -> {"code": 0, "total": n, "data": [{"CF_WSH", "party", "status", "record", "recordId",
                                               "publishedAt", "withdrawnAt"}, ...]}   the public listing

A record is `{"recordId", "op": "i"|"d", "sentAt", "record": {CF_* columns}}` (DOMAIN.md §11.1).
`i` publishes the record of one 行政相对人 under its CF_WSH — a decision with several parties has one
record each, told apart by `party` (CF_XDR_SHXYM, else the masked CF_XDR_MC) — replacing what was
published for that party before (a corrected or changed decision, including one that had been
withdrawn). `d` withdraws the decision (《行政处罚法》第四十八条): only CF_WSH is needed and every party's
record under it is withdrawn; withdrawing a number never published is rejected, withdrawing one already
withdrawn is accepted and keeps the first withdrawal time. Columns the checks do not know are kept.
Signature, faults, envelope, deduplication and the privacy tripwire: see `simulators.receiving`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
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

SYSTEM = "credit_publicity"
PATH = "/api/credit/v1/penalties"
DEFAULT_APP_KEY = "credit-pub-dev-app"
DEFAULT_APP_SECRET = "credit-pub-dev-secret"

PUBLISH = "i"
WITHDRAW = "d"
PUBLISHED = "PUBLISHED"
WITHDRAWN = "WITHDRAWN"

NATURAL_PERSON = "自然人"
PARTY_KINDS = ("法人及非法人组织", "个体工商户", NATURAL_PERSON)
#: 万元 with exactly six decimals (2 000 元 -> "0.200000")
_WAN_YUAN = re.compile(r"^[0-9]+\.[0-9]{6}$")
MASK_CHAR = "*"

SCHEMA = """
CREATE TABLE IF NOT EXISTS party_publications (
    wsh                  TEXT NOT NULL,
    party                TEXT NOT NULL,
    status               TEXT NOT NULL,
    record               TEXT NOT NULL,
    record_id            TEXT NOT NULL,
    published_at         TEXT NOT NULL,
    withdrawn_at         TEXT,
    withdrawal_record_id TEXT,
    PRIMARY KEY (wsh, party)
);
"""


def validate_penalty(record: Mapping[str, Any]) -> None:
    """The national 双公示 penalty columns a publication cannot do without."""
    fields.text(record, "CF_XDR_MC")
    party_kind = fields.choice(record, "CF_XDR_LB", PARTY_KINDS)
    for column in ("CF_WSH", "CF_CFLB", "CF_NR"):
        fields.text(record, column)
    decided = fields.calendar_date(record, "CF_JDRQ")
    fields.text(record, "CF_CFJG")
    fields.uscc(record, "CF_CFJGDM")
    until = fields.calendar_date(record, "CF_GSJZQ")
    if until < decided:
        raise RecordRejected("CF_GSJZQ: the end of publicity is before the decision date CF_JDRQ")
    for column in ("CF_NR_FK", "CF_NR_WFFF"):
        if fields.present(record, column):
            amount = record[column]
            if not isinstance(amount, str) or not _WAN_YUAN.fullmatch(amount):
                raise RecordRejected(f"{column}: an amount in 万元 written with six decimals (e.g. 0.200000)")
    if party_kind == NATURAL_PERSON:
        if MASK_CHAR not in record["CF_XDR_MC"]:
            raise RecordRejected("CF_XDR_MC: a natural person's name must be masked")
        if fields.present(record, "CF_XDR_ZJHM"):
            id_number = record["CF_XDR_ZJHM"]
            if not isinstance(id_number, str) or MASK_CHAR not in id_number:
                raise RecordRejected("CF_XDR_ZJHM: a natural person's ID number must be masked or left out")
    else:
        fields.uscc(record, "CF_XDR_SHXYM")


class Publications:
    """Publishes, republishes and withdraws penalty records by CF_WSH."""

    def accept(self, conn: sqlite3.Connection, delivery: Delivery, *, received_at: str) -> None:
        envelope = delivery.fields
        op = fields.choice(envelope, "op", (PUBLISH, WITHDRAW))
        fields.timestamp(envelope, "sentAt")
        record = fields.obj(envelope, "record")
        if op == WITHDRAW:
            self._withdraw(conn, record, delivery, received_at)
        else:
            validate_penalty(record)
            self._publish(conn, record, delivery, received_at)

    @staticmethod
    def _publish(conn: sqlite3.Connection, record: Mapping[str, Any], delivery: Delivery, now: str) -> None:
        party = record.get("CF_XDR_SHXYM") or record["CF_XDR_MC"]
        conn.execute(
            """INSERT INTO party_publications (wsh, party, status, record, record_id, published_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (wsh, party) DO UPDATE SET
                   status = excluded.status, record = excluded.record, record_id = excluded.record_id,
                   published_at = excluded.published_at, withdrawn_at = NULL, withdrawal_record_id = NULL""",
            (record["CF_WSH"], party, PUBLISHED, orjson.dumps(record).decode(), delivery.record_id, now),
        )

    @staticmethod
    def _withdraw(conn: sqlite3.Connection, record: Mapping[str, Any], delivery: Delivery, now: str) -> None:
        wsh = fields.text(record, "CF_WSH")
        row = conn.execute("SELECT COUNT(*) FROM party_publications WHERE wsh = ?", (wsh,)).fetchone()
        if not row[0]:
            raise RecordRejected(f"CF_WSH: nothing published under CF_WSH {wsh}")
        conn.execute(  # records withdrawn already keep their first withdrawal
            """UPDATE party_publications SET status = ?, withdrawn_at = ?, withdrawal_record_id = ?
               WHERE wsh = ? AND status = ?""",
            (WITHDRAWN, now, delivery.record_id, wsh, PUBLISHED),
        )


def list_publications(conn: sqlite3.Connection, params: QueryParams) -> dict[str, Any]:
    """The public listing, ordered by CF_WSH and party."""
    clauses: list[str] = []
    args: list[Any] = []
    wsh = params.get("wsh")
    if wsh is not None:
        clauses.append("wsh = ?")
        args.append(wsh)
    status = params.get("status")
    if status is not None:
        if status not in (PUBLISHED, WITHDRAWN):
            raise BadRequest(f"status must be {PUBLISHED} or {WITHDRAWN}")
        clauses.append("status = ?")
        args.append(status)
    return listing_page(
        conn, params, table="party_publications", where=clauses, args=args, order_by="wsh, party",
        columns=("wsh", "status", "record", "record_id", "published_at", "withdrawn_at", "party"),
        item=lambda row: {"CF_WSH": row[0], "party": row[6], "status": row[1], "record": orjson.loads(row[2]),
                          "recordId": row[3], "publishedAt": row[4], "withdrawnAt": row[5]})


def create_app(config: SimConfig) -> Starlette:
    """The credit publicity platform, storing what it receives in `config.data_dir/outbound/credit_publicity.db`."""
    return build_app(
        config,
        ReceiverSpec(
            system=SYSTEM,
            path=PATH,
            default_app_key=DEFAULT_APP_KEY,
            default_app_secret=DEFAULT_APP_SECRET,
            schema=SCHEMA,
            handler=Publications(),
            lister=list_publications,
        ),
    )
