"""A control character in any string argument — a literal or a variable, at any depth — is refused
with BAD_USER_INPUT at the gateway; every other text, tabs and line breaks included, passes."""

from __future__ import annotations

import json

import pytest
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from gateway.security.strings import ControlCharacterRefused, ensure_printable_arguments

FORBIDDEN = [chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)] + ["\ufffe", "\uffff"]
PRINTABLE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(FORBIDDEN)), max_size=30)
QUERY = parse("query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }")


@given(PRINTABLE, st.sampled_from(FORBIDDEN), PRINTABLE)
def test_a_control_character_in_a_variable_is_refused_wherever_it_stands(head: str, bad: str, tail: str) -> None:
    with pytest.raises(ControlCharacterRefused) as refused:
        ensure_printable_arguments(QUERY, {"f": {"bodies": ["ok", head + bad + tail]}})
    assert refused.value.to_graphql()["extensions"] == {"code": "BAD_USER_INPUT", "argument": "f.bodies[1]"}


@given(PRINTABLE, st.sampled_from(FORBIDDEN))
def test_a_control_character_in_a_literal_is_refused(head: str, bad: str) -> None:
    literal = json.dumps(head + bad)  # a JSON string is a valid GraphQL string literal
    with pytest.raises(ControlCharacterRefused):
        ensure_printable_arguments(parse(f"{{ searchOfficers(filter: {{namePrefix: {literal}}}) {{ total }} }}"), None)


@given(PRINTABLE.map(lambda s: s + "\t\n\r"), st.sampled_from(FORBIDDEN))
def test_other_text_passes_and_the_same_text_with_a_control_character_does_not(text: str, bad: str) -> None:
    def refused(value: str) -> bool:
        query = parse(f"{{ searchOfficers(filter: {{namePrefix: {json.dumps(value)}}}) {{ total }} }}")
        try:
            ensure_printable_arguments(query, {"f": {"namePrefix": value}})
        except ControlCharacterRefused:
            return True
        return False

    assert refused(text) is False  # tabs and line breaks are text
    assert refused(text + bad) is True
