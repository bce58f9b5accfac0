"""Read an incremental-delivery response (multipart/mixed) part by part, as a client does."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx

ACCEPT = "multipart/mixed; deferSpec=20220824, application/json"


def boundary_of(content_type: str) -> str:
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    assert m is not None, f"no boundary in {content_type!r}"
    return m.group(1)


def split_parts(body: bytes, boundary: str) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a complete multipart body (RFC 2046: delimiter CRLF--boundary)."""
    delimiter = b"--" + boundary.encode()
    text = b"\r\n" + body
    chunks = text.split(b"\r\n" + delimiter)
    assert len(chunks) >= 2, f"no delimiter in {body[:200]!r}"
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        head, sep, payload = chunk.partition(b"\r\n\r\n")
        assert sep, f"part without headers: {chunk[:200]!r}"
        assert b"application/json" in head.lower(), head
        yield json.loads(payload)
    assert closed, "the multipart body has no closing delimiter"


def stream_payloads(client: httpx.Client, url: str, body: dict[str, Any], *, accept: str = ACCEPT,
                    timeout_s: float = 20.0) -> tuple[httpx.Response, list[tuple[float, dict[str, Any]]]]:
    """POST `body` and read the multipart answer as it arrives: (response, [(arrival s, payload)])."""
    started = time.monotonic()
    out: list[tuple[float, dict[str, Any]]] = []
    with client.stream("POST", url, json=body, headers={"accept": accept}, timeout=timeout_s) as response:
        kind = response.headers.get("content-type", "")
        if not kind.startswith("multipart/mixed"):
            response.read()
            return response, [(time.monotonic() - started, response.json())]
        delimiter = b"\r\n--" + boundary_of(kind).encode()
        buffer = b"\r\n"
        for chunk in response.iter_bytes():
            buffer += chunk
            while True:
                first = buffer.find(delimiter)
                if first < 0:
                    break
                nxt = buffer.find(delimiter, first + len(delimiter))
                if nxt < 0:
                    break
                part = buffer[first + len(delimiter):nxt]
                buffer = buffer[nxt:]
                _head, _, payload = part.partition(b"\r\n\r\n")
                if payload.strip():
                    out.append((time.monotonic() - started, json.loads(payload)))
            if time.monotonic() - started > timeout_s:
                raise AssertionError("the multipart response did not end in time")
        assert buffer.rstrip().endswith(delimiter + b"--"), f"no closing delimiter: {buffer[-100:]!r}"
    return response, out


def merged(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """The final result a client builds: the first data with every incremental entry merged at its path."""
    first = payloads[0]
    data = json.loads(json.dumps(first.get("data")))
    errors = list(first.get("errors") or [])
    for p in payloads[1:]:
        for entry in p.get("incremental") or []:
            errors.extend(entry.get("errors") or [])
            path = entry["path"]
            if "items" in entry:
                target = _at(data, path[:-1])
                target.extend(entry["items"])
                continue
            if entry.get("data") is None:
                continue
            target = _at(data, path)
            if isinstance(target, dict):
                _deep(target, entry["data"])
    out: dict[str, Any] = {"data": data}
    if errors:
        out["errors"] = errors
    return out


def entries(payloads: list[dict[str, Any]]) -> set[str]:
    """The incremental entries as comparable items: (path, label, data or items)."""
    out = set()
    for p in payloads[1:]:
        for e in p.get("incremental") or []:
            out.add(json.dumps([e["path"], e.get("label"), e.get("data", e.get("items"))], sort_keys=True))
    return out


def misplaced_errors(payloads: list[dict[str, Any]]) -> list[Any]:
    """Errors of incremental entries whose path does not lie under the entry's path."""
    bad = []
    for p in payloads[1:]:
        for e in p.get("incremental") or []:
            at = e["path"]
            for err in e.get("errors") or []:
                path = err.get("path")
                if not isinstance(path, list) or path[:len(at)] != at or len(path) <= len(at):
                    bad.append((at, path))
    return bad


def _at(data: Any, path: list[Any]) -> Any:
    for step in path:
        data = data[step]
    return data


def _deep(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        if isinstance(into.get(k), dict) and isinstance(v, dict):
            _deep(into[k], v)
        elif isinstance(into.get(k), list) and isinstance(v, list) and len(into[k]) == len(v):
            for a, b in zip(into[k], v, strict=True):
                if isinstance(a, dict) and isinstance(b, dict):
                    _deep(a, b)
        else:
            into[k] = v
