"""The receivers' shared parts without HTTP: the privacy tripwire, the envelope, the ledger's transactions."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.base import SimulatorRuntime
from simulators.receiving.auth import Authenticator
from simulators.receiving.envelope import Delivery, content_hash, parse_batch
from simulators.receiving.errors import BadRequest, RecordRejected
from simulators.receiving.ledger import Ledger, ledger_path
from simulators.receiving.privacy import contains_resident_id, redact, text_has_resident_id
from simulators.receiving.receiver import Receiver

GB_EXAMPLE_ID = "11010519491231002X"  # GB 11643 worked example
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(address: str, born: date, sequence: int) -> str:
    """A GB 11643 number, computed here independently of the code under test."""
    body = f"{address}{born:%Y%m%d}{sequence:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def test_local_id_builder_reproduces_the_standard_example() -> None:
    assert resident_id("110105", date(1949, 12, 31), 2) == GB_EXAMPLE_ID


ids = st.builds(
    resident_id,
    st.sampled_from(["110105", "445102", "445121", "440524", "350102"]),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2015, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
# text around the number that cannot extend it into a longer digit run
surroundings = st.text(alphabet=st.characters(exclude_categories=["Nd"], exclude_characters="xX"), max_size=12)


@given(id_number=ids, before=surroundings, after=surroundings)
def test_a_valid_id_anywhere_in_text_trips_the_wire(id_number: str, before: str, after: str) -> None:
    assert text_has_resident_id(before + id_number + after)
    assert text_has_resident_id(before + id_number.lower() + after)


@given(id_number=ids, lead=st.text(alphabet="0123456789", min_size=1, max_size=5))
def test_a_longer_digit_run_is_another_identifier_not_an_id_number(id_number: str, lead: str) -> None:
    # a 21-digit case number can hold an 18-digit window that passes the check by chance
    assert not text_has_resident_id(lead + id_number)
    assert not text_has_resident_id(id_number + lead)
    assert text_has_resident_id(lead + "-" + id_number)


@given(id_number=ids, before=surroundings, after=surroundings)
def test_masked_and_redacted_ids_pass(id_number: str, before: str, after: str) -> None:
    masked = id_number[:4] + "*" * 10 + id_number[-4:]
    assert not text_has_resident_id(before + masked + after)
    redacted = redact(before + id_number + after)
    assert id_number not in redacted
    assert redacted == before + masked + after
    assert not text_has_resident_id(redacted)


@given(id_number=ids)
def test_a_wrong_check_character_does_not_trip_the_wire(id_number: str) -> None:
    wrong = id_number[:17] + ("1" if id_number[17] != "1" else "2")
    assert not text_has_resident_id(wrong)
    assert redact(wrong) == wrong


@given(
    id_number=ids,
    path=st.lists(st.sampled_from(["dict", "list", "key"]), min_size=1, max_size=6),
)
def test_a_valid_id_at_any_depth_of_a_record_trips_the_wire(id_number: str, path: list[str]) -> None:
    value: Any = f"备注：{id_number}"
    for step in path:
        if step == "dict":
            value = {"field": value, "other": "x"}
        elif step == "list":
            value = ["a", value, 3]
        else:
            value = {f"k{id_number}": 1} if isinstance(value, str) else {"wrap": value}
    assert contains_resident_id({"recordId": "r-1", "data": value})


def test_an_id_written_as_a_json_integer_trips_the_wire() -> None:
    number = resident_id("445102", date(1990, 3, 7), 123)
    assert contains_resident_id({"data": {"n": int(number)}})
    assert not contains_resident_id({"data": {"n": 7, "flag": True, "none": None, "amount": 0.2}})


# -- envelope ------------------------------------------------------------------------------------------


def test_content_hash_ignores_sent_at_only() -> None:
    record = {"recordId": "r-1", "sentAt": "2024-05-06T08:00:00Z", "data": {"a": 1, "b": [1, 2]}}
    assert content_hash(record) == content_hash({**record, "sentAt": "2030-01-01T00:00:00Z"})
    assert content_hash(record) == content_hash({"data": {"b": [1, 2], "a": 1}, "recordId": "r-1"})
    assert content_hash(record) != content_hash({**record, "data": {"a": 1, "b": [2, 1]}})
    assert content_hash(record) != content_hash({**record, "data": {"a": 1, "b": [1, 2], "sentAt": "x"}})


def test_parse_batch_keeps_order_and_refuses_repeats() -> None:
    batch = parse_batch(b'{"batchNo": "B", "records": [{"recordId": "2"}, {"recordId": "1"}]}')
    assert batch.batch_no == "B"
    assert [d.record_id for d in batch.deliveries] == ["2", "1"]
    with pytest.raises(BadRequest, match="twice"):
        parse_batch(b'{"batchNo": "B", "records": [{"recordId": "1"}, {"recordId": "1"}]}')


def test_repeated_id_message_masks_a_resident_id() -> None:
    raw = f'{{"batchNo": "B", "records": [{{"recordId": "{GB_EXAMPLE_ID}"}}, {{"recordId": "{GB_EXAMPLE_ID}"}}]}}'
    with pytest.raises(BadRequest) as caught:
        parse_batch(raw.encode())
    assert GB_EXAMPLE_ID not in caught.value.message


# -- the pipeline's transaction ------------------------------------------------------------------------

SCHEMA = "CREATE TABLE IF NOT EXISTS items (record_id TEXT PRIMARY KEY, value TEXT NOT NULL);"


class Items:
    """A handler that writes first and checks afterwards, to prove the savepoint undoes its write."""

    def accept(self, conn: sqlite3.Connection, delivery: Delivery, *, received_at: str) -> None:
        value = str(delivery.fields.get("value"))
        conn.execute("INSERT INTO items (record_id, value) VALUES (?, ?)", (delivery.record_id, value))
        if value == "bad":
            raise RecordRejected("value: bad")
        if value == "crash":
            raise RuntimeError("handler failure")


def receiver(tmp_path: Path) -> Receiver:
    ledger = Ledger(ledger_path(tmp_path, "items"), SCHEMA)
    return Receiver(runtime=SimulatorRuntime("items"), auth=Authenticator(app_key="k", app_secret="s"),
                    ledger=ledger, handler=Items(), clock=lambda: "2024-05-06T00:00:00.000+00:00")


def stored(tmp_path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(ledger_path(tmp_path, "items")) as conn:
        items = conn.execute("SELECT record_id, value FROM items ORDER BY record_id").fetchall()
        seen = conn.execute("SELECT record_id FROM deliveries ORDER BY record_id").fetchall()
    return [*items, *seen]


def test_a_rejected_record_leaves_no_write_behind_and_the_rest_stays(tmp_path: Path) -> None:
    batch = parse_batch(b'{"batchNo": "B", "records": [{"recordId": "1", "value": "ok"},'
                        b' {"recordId": "2", "value": "bad"}, {"recordId": "3", "value": "ok"}]}')
    target = receiver(tmp_path)
    outcome = target.process(batch)
    target.ledger.close()
    assert outcome.accepted == ["1", "3"]
    assert outcome.rejected == [{"recordId": "2", "reason": "value: bad"}]
    assert stored(tmp_path) == [("1", "ok"), ("3", "ok"), ("1",), ("3",)]


def test_a_failure_mid_batch_stores_nothing_of_the_batch(tmp_path: Path) -> None:
    target = receiver(tmp_path)
    target.process(parse_batch(b'{"batchNo": "A", "records": [{"recordId": "0", "value": "ok"}]}'))
    batch = parse_batch(b'{"batchNo": "B", "records": [{"recordId": "1", "value": "ok"},'
                        b' {"recordId": "2", "value": "crash"}]}')
    with pytest.raises(RuntimeError):
        target.process(batch)
    assert stored(tmp_path) == [("0", "ok"), ("0",)]
    # the ledger is still usable after the failed batch
    assert target.process(parse_batch(b'{"batchNo": "C", "records": [{"recordId": "1", "value": "ok"}]}')).accepted == ["1"]
    target.ledger.close()
