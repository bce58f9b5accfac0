"""The readable fields of an event withhold every value that may identify a person, at any depth."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from subgraphs.cases.event_fields import PERSONAL_KEYS, event_fields

SECRET = "张三丰-1970-01-01"
keys = st.one_of(st.sampled_from(sorted(PERSONAL_KEYS)), st.sampled_from(["at", "actor_id", "proposal", "fine_fen",
                                                                          "doc_no", "kinds"]))
values: Any = st.recursive(st.one_of(st.integers(), st.booleans(), st.text(max_size=5), st.none()),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


def _plant(value: Any) -> Any:
    """Put the secret under every personal key, wherever it stands."""
    if isinstance(value, dict):
        return {k: SECRET if k in PERSONAL_KEYS else _plant(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plant(v) for v in value]
    return value


@given(st.dictionaries(keys, values, max_size=6))
def test_no_personal_value_survives_at_any_depth(fields: dict[str, Any]) -> None:
    payload = {"kind": "SomeCommand", "fields": _plant(fields)}
    out = event_fields(payload)
    assert SECRET not in json.dumps([(f.name, f.value) for f in out], ensure_ascii=False)
    assert [f.name for f in out] == sorted(fields)
    assert all(f.withheld == (f.name in PERSONAL_KEYS) for f in out)


def test_the_rest_of_a_command_reads_as_recorded() -> None:
    out = {f.name: f for f in event_fields({"kind": "Decide", "fields": {
        "at": "2026-01-05T10:00:00+08:00", "proposal": {"fine_fen": 50000, "kinds": ["FINE"]},
        "parties": [{"name": "李四", "birth_date": "1980-02-03"}]}})}
    assert out["at"].value == '"2026-01-05T10:00:00+08:00"'
    assert json.loads(out["proposal"].value or "null") == {"fine_fen": 50000, "kinds": ["FINE"]}
    assert out["parties"].withheld
    assert out["parties"].value is None
