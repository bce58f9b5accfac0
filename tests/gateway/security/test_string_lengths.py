"""An oversized string in any argument — a literal or a variable, at any depth — is refused with BAD_USER_INPUT
naming where it stands; the bound is 1,000 characters unless the schema's ``@maxLength(max:)`` raises it there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from gateway.security.strings import (
    DEFAULT_MAX_LENGTH,
    StringLimits,
    StringTooLong,
    ensure_printable_arguments,
)
from gateway.supergraph.loader import load_supergraph
from subgraphs.cases.config import MAX_INLINE_BYTES

SUPERGRAPH_SDL = (Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql").read_text(encoding="utf-8")
SCHEMA = load_supergraph(SUPERGRAPH_SDL).api_schema
UPLOAD = "Mutation.uploadFile(contentBase64:)"
#: small bounds so the property can cross them quickly; the mechanism is the same for the real ones
SMALL = StringLimits(default=20, by_coordinate={UPLOAD: 60})
LENGTHS = st.integers(min_value=0, max_value=100)
BY_FILTER = parse("query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }")
BY_FILE = parse("mutation($c: String!) { uploadFile(contentBase64: $c) { sm3 } }")


def _refused(document_text: str, variables: dict[str, object] | None = None,
             limits: StringLimits = SMALL) -> StringTooLong | None:
    try:
        ensure_printable_arguments(parse(document_text), variables, schema=SCHEMA, limits=limits)
    except StringTooLong as exc:
        return exc
    return None


def test_the_supergraph_raises_the_bound_only_where_it_says_so() -> None:
    limits = StringLimits.from_supergraph_sdl(SUPERGRAPH_SDL)
    assert limits.default == DEFAULT_MAX_LENGTH == 1_000
    # the largest file the cases subgraph takes inline fits as base64
    assert limits.at(UPLOAD) >= 4 * -(-MAX_INLINE_BYTES // 3)
    assert limits.at("Mutation.draftEnforcementItem(content:)") > DEFAULT_MAX_LENGTH
    assert limits.at("OfficerFilter.namePrefix") == DEFAULT_MAX_LENGTH
    assert set(limits.by_coordinate) == {UPLOAD, "Mutation.uploadPart(contentBase64:)",
                                         "Mutation.draftEnforcementItem(content:)"}


def test_the_directive_is_found_under_its_imported_local_name() -> None:
    sdl = SUPERGRAPH_SDL.replace('import: ["@maxLength"]', 'import: [{name: "@maxLength", as: "@longest"}]')
    sdl = sdl.replace("@maxLength(", "@longest(")
    assert StringLimits.from_supergraph_sdl(sdl).at(UPLOAD) == StringLimits.from_supergraph_sdl(SUPERGRAPH_SDL).at(UPLOAD)
    assert StringLimits.from_supergraph_sdl(SUPERGRAPH_SDL.replace("@maxLength(max: ", "@other(max: ")).by_coordinate == {}


@given(LENGTHS)
def test_a_literal_over_the_default_is_refused_naming_its_input_field(n: int) -> None:
    refused = _refused(f"{{ searchOfficers(filter: {{namePrefix: {json.dumps('名' * n)}}}) {{ total }} }}")
    assert (refused is not None) == (n > 20)
    if refused is not None:
        assert refused.to_graphql()["extensions"] == {"code": "BAD_USER_INPUT", "maxLength": 20,
                                                      "argument": "OfficerFilter.namePrefix (line 1)"}


@given(LENGTHS, st.integers(min_value=0, max_value=3))
def test_a_variable_over_the_default_is_refused_wherever_it_stands(n: int, index: int) -> None:
    bodies = ["ok"] * index + ["x" * n]
    refused = _refused("query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }", {"f": {"bodies": bodies}})
    assert (refused is not None) == (n > 20)
    if refused is not None:
        assert refused.to_graphql()["extensions"]["argument"] == f"f.bodies[{index}]"


@given(LENGTHS, st.booleans())
def test_a_field_with_max_length_takes_up_to_its_own_bound(n: int, as_variable: bool) -> None:
    content = "A" * n
    if as_variable:
        refused = _refused("mutation($c: String!) { uploadFile(contentBase64: $c) { sm3 } }", {"c": content})
    else:
        refused = _refused(f'mutation {{ uploadFile(contentBase64: "{content}") {{ sm3 }} }}')
    assert (refused is not None) == (n > 60)
    # the same value in an ordinary argument of the same request keeps the default bound
    other = _refused(f'mutation {{ uploadFile(contentBase64: "", sm3: "{content}") {{ sm3 }} }}')
    assert (other is not None) == (n > 20)


@given(LENGTHS)
def test_a_variable_used_where_bounds_differ_gets_the_smaller(n: int) -> None:
    text = "mutation($c: String!) { a: uploadFile(contentBase64: $c) { sm3 } b: uploadFile(contentBase64: \"\", sm3: $c) { sm3 } }"
    assert (_refused(text, {"c": "z" * n}) is not None) == (n > 20)


@given(LENGTHS)
def test_an_undeclared_variable_keeps_the_default_bound(n: int) -> None:
    assert (_refused("{ __typename }", {"stray": "y" * n}) is not None) == (n > 20)


def test_the_real_bounds() -> None:
    limits = StringLimits.from_supergraph_sdl(SUPERGRAPH_SDL)
    near = DEFAULT_MAX_LENGTH
    assert _refused("query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }",
                    {"f": {"namePrefix": "名" * near}}, limits) is None
    refused = _refused("query($f: OfficerFilter) { searchOfficers(filter: $f) { total } }",
                       {"f": {"namePrefix": "名" * (near + 1)}}, limits)
    assert refused is not None
    assert refused.http_status == 400
    assert "1001 characters" in refused.message
    base64_file = "QUJD" * 100_000  # 400,000 characters: a 300 kB file
    assert _refused("mutation($c: String!) { uploadFile(contentBase64: $c) { sm3 } }", {"c": base64_file},
                    limits) is None


def test_without_a_schema_every_string_keeps_the_default_bound() -> None:
    with pytest.raises(StringTooLong):
        ensure_printable_arguments(BY_FILE, {"c": "a" * 1_001})
    ensure_printable_arguments(BY_FILTER, {"f": {"namePrefix": "a" * 1_000}})
