"""Media-type negotiation and the status rules of GraphQL over HTTP (`gateway.media`), as functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.errors import NotAcceptable, UnsupportedMediaType
from gateway.media import GRAPHQL_RESPONSE_JSON, JSON, ensure_json_body, negotiate, response_status

APOLLO_CLIENT_4 = "application/graphql-response+json,application/json;q=0.9"


@pytest.mark.parametrize(("accept", "expected"), [
    (None, JSON),
    ("", JSON),
    ("   ", JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    ("application/json", JSON),
    ("Application/JSON; charset=UTF-8", JSON),
    ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
    (APOLLO_CLIENT_4, GRAPHQL_RESPONSE_JSON),
    ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),  # same q: the newer type
    ("application/graphql-response+json;q=0.5, application/json", JSON),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),  # a browser
    ("application/graphql-response+json;q=0, */*", JSON),
    ("application/graphql-response+json; charset=latin1, application/json;q=0.1", JSON),
])
def test_negotiated_media_type(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize("accept", [
    "text/html", "application/xml", "image/png, text/*", "application/json;q=0",
    "application/json; charset=iso-8859-1", "*/*;q=0", "application/json;q=abc",
])
def test_an_accept_admitting_neither_type_is_not_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept)
    assert caught.value.http_status == 406
    assert caught.value.code == "NOT_ACCEPTABLE"


_QS = st.integers(min_value=1, max_value=1000).map(lambda n: n / 1000)


@given(q_new=_QS, q_old=_QS, new_first=st.booleans())
def test_the_higher_q_wins_and_a_tie_goes_to_the_newer_type(q_new: float, q_old: float, new_first: bool) -> None:
    items = [f"{GRAPHQL_RESPONSE_JSON};q={q_new}", f"{JSON};q={q_old}"]
    accept = ",".join(items if new_first else items[::-1])
    assert negotiate(accept) == (GRAPHQL_RESPONSE_JSON if q_new >= q_old else JSON)


@given(st.lists(st.sampled_from(["text/html", "image/*", "application/xml;q=0.9", "text/plain;q=0.2"]),
                max_size=5), st.sampled_from([JSON, GRAPHQL_RESPONSE_JSON, "*/*"]))
def test_other_types_never_change_the_choice(others: list[str], served: str) -> None:
    expected = GRAPHQL_RESPONSE_JSON if served == GRAPHQL_RESPONSE_JSON else JSON
    assert negotiate(", ".join([*others, served])) == expected


def test_post_bodies_must_be_json_in_utf8() -> None:
    for ok in ("application/json", "application/json; charset=utf-8", "APPLICATION/JSON;charset=\"UTF-8\"",
               "application/graphql-response+json"):
        ensure_json_body(ok)
    for refused in (None, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                    "application/json; charset=utf-16"):
        with pytest.raises(UnsupportedMediaType):
            ensure_json_body(refused)


@given(status=st.sampled_from([200, 400, 401, 403, 405, 413, 429, 503]), request_error=st.booleans(),
       has_data=st.booleans())
def test_status_rules(status: int, request_error: bool, has_data: bool) -> None:
    legacy = response_status(JSON, status, request_error=request_error, has_data=has_data)
    modern = response_status(GRAPHQL_RESPONSE_JSON, status, request_error=request_error, has_data=has_data)
    # application/json: a well-formed request failing as GraphQL still answers 200
    assert legacy == (200 if request_error else status)
    # graphql-response+json: the error's own status, and never a 2xx without data
    assert modern == (500 if status == 200 and not has_data else status)
