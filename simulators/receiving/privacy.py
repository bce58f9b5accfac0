"""The privacy tripwire: no record carrying a real 18-character resident ID number gets past a receiver.

Every run of exactly 18 characters `[0-9]{17}[0-9Xx]` not joined to further digits is tested with the
GB 11643 validator; one valid number anywhere in a record (a string value or key at any depth, or an
integer written without quotes) trips the wire. A longer run of digits is a different identifier (a
21-digit case number holds 18-digit windows that pass the check by chance about one time in ten) and is
not an ID number. Masked numbers such as `4451**********1230` never match. `redact` is for log lines
that must quote caller-supplied text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from domain.identifiers import is_valid_resident_id
from domain.masking import mask_id18

#: Reason given in the `rejected` list; fixed by the wire contract.
PERSONAL_ID_REASON = "personal ID number in record"

_WINDOW = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9])")


def _candidates(text: str) -> Iterator[tuple[int, str]]:
    for match in _WINDOW.finditer(text):
        yield match.start(), match.group(1)


def text_has_resident_id(text: str) -> bool:
    """Whether any standalone 18-character run of `text` is a valid resident ID number."""
    return any(is_valid_resident_id(candidate) for _, candidate in _candidates(text))


def _texts(value: object) -> Iterator[str]:
    """Every string (and unquoted integer) inside a JSON value, walked without recursion."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            yield str(item)
        elif isinstance(item, dict):
            for key, nested in item.items():
                stack.append(key)
                stack.append(nested)
        elif isinstance(item, list):
            stack.extend(item)


def contains_resident_id(value: object) -> bool:
    """Whether a JSON value holds a valid resident ID number anywhere."""
    return any(text_has_resident_id(text) for text in _texts(value))


def redact(text: str) -> str:
    """`text` with every valid resident ID number in it masked (first 4 + last 4 kept)."""
    if not _WINDOW.search(text):
        return text
    spans: list[tuple[int, int]] = []
    for start, candidate in _candidates(text):
        if is_valid_resident_id(candidate):
            spans.append((start, start + 18))
    if not spans:
        return text
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        if start < cursor:  # overlaps a number already masked
            start = cursor
            if start >= end:
                continue
            out.append("*" * (end - start))
        else:
            out.append(text[cursor:start])
            out.append(mask_id18(text[start:end]))
        cursor = end
    out.append(text[cursor:])
    return "".join(out)
