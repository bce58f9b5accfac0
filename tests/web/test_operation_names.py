"""The console names each operation it sends as its file declares it (the gateway runs it by that name)."""

from __future__ import annotations

import re

import pytest

from web.graph import OPERATIONS, _operation_name

FILES = sorted(p.stem for p in OPERATIONS.glob("*.graphql"))


@pytest.mark.parametrize("name", FILES)
def test_the_operation_name_is_the_declared_identifier(name: str) -> None:
    text = (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")
    declared = re.search(r"\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)", text)
    assert declared is not None, f"{name}.graphql declares no named operation"
    assert _operation_name(name) == declared.group(1)
