"""The batch envelope both receivers accept: `{"batchNo": str, "records": [{"recordId": str, ...}, ...]}`.

`parse_batch` refuses (BadRequest, nothing stored) a body that is not a JSON object, a batch number
outside 1..64 characters, a records list that is missing, empty or longer than 100, a record that is not
an object or has no string `recordId` of 1..128 characters, and a record id repeated inside the batch.

A record's content hash is SHA-256 over its canonical JSON (keys sorted, no whitespace) without the
top-level `sentAt`: a resend after a relay crash stamps a new `sentAt` but is the same delivery.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from simulators.receiving.errors import BadRequest
from simulators.receiving.privacy import redact

MAX_RECORDS = 100
MAX_BATCH_NO_LENGTH = 64
MAX_RECORD_ID_LENGTH = 128

#: Top-level fields left out of the content hash (they change on every send).
VOLATILE_FIELDS = frozenset({"sentAt"})


@dataclass(frozen=True)
class Delivery:
    """One record of a batch as received; `fields` is the raw JSON object (the wire boundary)."""

    record_id: str
    fields: Mapping[str, Any]
    content_hash: str


@dataclass(frozen=True)
class Batch:
    batch_no: str
    deliveries: tuple[Delivery, ...]


def content_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the record's canonical JSON, volatile fields left out."""
    stable = {key: value for key, value in record.items() if key not in VOLATILE_FIELDS}
    return hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def parse_batch(raw: bytes) -> Batch:
    """The batch in `raw`, or BadRequest saying what is wrong with the envelope."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    batch_no = body.get("batchNo")
    if not isinstance(batch_no, str) or not 1 <= len(batch_no) <= MAX_BATCH_NO_LENGTH:
        raise BadRequest(f"batchNo must be a string of 1 to {MAX_BATCH_NO_LENGTH} characters")
    records = body.get("records")
    if not isinstance(records, list) or not records:
        raise BadRequest("records must be a non-empty list")
    if len(records) > MAX_RECORDS:
        raise BadRequest(f"too many records: at most {MAX_RECORDS} per batch, got {len(records)}")
    deliveries: list[Delivery] = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadRequest(f"records[{index}] must be a JSON object")
        record_id = record.get("recordId")
        if not isinstance(record_id, str) or not 1 <= len(record_id) <= MAX_RECORD_ID_LENGTH:
            raise BadRequest(f"records[{index}].recordId must be a string of 1 to {MAX_RECORD_ID_LENGTH} characters")
        if record_id in seen:
            raise BadRequest(f"records[{index}].recordId {redact(record_id)!r} appears twice in the batch")
        seen.add(record_id)
        deliveries.append(Delivery(record_id=record_id, fields=record, content_hash=content_hash(record)))
    return Batch(batch_no=batch_no, deliveries=tuple(deliveries))
