"""The gateway client names each operation it sends as its file declares it (the gateway runs the
named operation of the document; a wrong name is an unknown operation)."""

from __future__ import annotations

import re

import pytest

from web.graph import OPERATIONS, _operation_name

DECLARED = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
FILES = sorted(p.stem for p in OPERATIONS.glob("*.graphql"))


@pytest.mark.parametrize("name", FILES)
def test_each_operation_is_sent_under_its_declared_name(name: str) -> None:
    text = (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")
    declared = DECLARED.findall(text)
    assert len(declared) == 1, "one named operation per file"
    assert _operation_name(name) == declared[0]


def test_there_are_operation_files() -> None:
    assert FILES
