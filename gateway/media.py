"""GraphQL-over-HTTP media types: the one a request accepts, the request body it may send, the status it gets.

Two response media types are served (the spec's "legacy watershed"):

``application/graphql-response+json``
    HTTP status tells the outcome. A request error (the document does not parse or validate, a
    variable does not coerce, an operation limit is broken; the response has no ``data``) is 400;
    a response with ``data`` (partial or not, field errors included) is 200.
``application/json``
    The legacy type: every well-formed request answers 200 whatever its GraphQL errors, so an old
    client reads them from the body.

Negotiation: ``Accept`` absent or empty, ``*/*`` or ``application/*`` means ``application/json``; the
highest ``q`` wins and, at the same ``q``, ``application/graphql-response+json`` (the newer type)
wins; an ``Accept`` that admits neither (or only with a charset other than UTF-8) is refused 406.
Either way the response's ``Content-Type`` names the negotiated type with ``charset=utf-8``.

Statuses that do not depend on the media type: a request that is not well formed (a body that is
not a JSON object, ``query`` missing or not a string, ``variables`` or ``extensions`` not an object)
400; a POST body that is not ``application/json`` in UTF-8 415; a mutation over GET 405 (with
``Allow: POST``); authentication 401, authorization 403, rate limits 429, outages 503.
"""

from __future__ import annotations

from typing import Final

from gateway.errors import NotAcceptable, UnsupportedMediaType

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "content_type", "ensure_json_body", "negotiate", "response_status"]

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
#: request bodies the endpoint reads (the second only because clients send it; it is JSON too)
_BODY_TYPES: Final = frozenset({JSON, GRAPHQL_RESPONSE_JSON})
#: what each Accept media range stands for, and its rank among ranges of the same q (higher wins)
_RANGES: Final = {GRAPHQL_RESPONSE_JSON: (GRAPHQL_RESPONSE_JSON, 3), JSON: (JSON, 2),
                  "application/*": (JSON, 1), "*/*": (JSON, 0)}
_MAX_RANGES: Final = 32  # an Accept header is short; a longer one is read up to here


def _parameters(parts: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in parts:
        name, _, value = part.partition("=")
        params[name.strip().lower()] = value.strip().strip('"').lower()
    return params


def _quality(raw: str | None) -> float:
    if raw is None:
        return 1.0
    try:
        q = float(raw)
    except ValueError:
        return 0.0
    return q if 0.0 <= q <= 1.0 else 0.0


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header value; raises `NotAcceptable` when none fits."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for item in accept.split(",")[:_MAX_RANGES]:
        kind, *rest = item.split(";")
        found = _RANGES.get(kind.strip().lower())
        if found is None:
            continue
        params = _parameters(rest)
        charset = params.get("charset")
        if charset is not None and charset not in ("utf-8", "utf8"):
            continue
        q = _quality(params.get("q"))
        if q <= 0.0:
            continue
        candidate = (q, found[1], found[0])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        raise NotAcceptable(f"The Accept header admits neither {GRAPHQL_RESPONSE_JSON} nor {JSON}.",
                            extensions={"accepted": [GRAPHQL_RESPONSE_JSON, JSON]})
    return best[2]


def content_type(media: str) -> str:
    """The ``Content-Type`` of a response in `media`."""
    return f"{media}; charset=utf-8"


def ensure_json_body(content_type_header: str | None) -> None:
    """Raise `UnsupportedMediaType` unless a POST body is declared JSON in UTF-8 (charset may be left out)."""
    kind, *rest = (content_type_header or "").split(";")
    media = kind.strip().lower()
    if not media:
        raise UnsupportedMediaType(f"A POST request needs Content-Type: {JSON}.")
    if media not in _BODY_TYPES:
        raise UnsupportedMediaType(f"Content-Type {media} is not served: send the request as {JSON}.")
    charset = _parameters(rest).get("charset")
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not served: send the request body in utf-8.")


def response_status(media: str, status: int, *, request_error: bool, has_data: bool) -> int:
    """The HTTP status of a GraphQL response under `media`.

    `status` is what the error (or 200) says, `request_error` whether the request was well formed
    and failed as GraphQL (parse, validation, coercion, limits), `has_data` whether the body has
    ``data``.
    """
    if media == JSON:
        return 200 if request_error else status
    if 200 <= status < 300 and not has_data:
        # FEDERATION_NOTE: a response without data must not be 2xx under graphql-response+json; the
        # only such case is a valid operation the supergraph cannot plan, a fault of the gateway.
        return 500
    return status
