"""The console's operation files: one named operation each, sent under that name, registered for production.

`web.graph` sends a file's text with its operation name (read from the text); a wrong name makes
the gateway refuse the call ("Unknown operation named …"), and an unregistered text is refused by a
production gateway (trusted documents). Checked here for every file under web/operations/, with the
name taken from graphql-core's parse, not from the console's own reading.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from gateway.security.trusted import document_id
from web.graph import OPERATIONS, _operation_name, operation

MANIFEST = Path(__file__).resolve().parents[2] / "schema" / "trusted-documents.json"
FILES = sorted(OPERATIONS.glob("*.graphql"))


def test_the_case_pages_operations_are_there() -> None:
    assert {"cases-list", "cases-detail", "cases-people", "cases-alerts", "cases-archive"} <= {p.stem for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_one_named_operation_sent_under_its_name_and_registered(path: Path) -> None:
    document = parse(path.read_text(encoding="utf-8"))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1
    assert operations[0].name is not None
    assert _operation_name(path.stem) == operations[0].name.value
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert document_id(operation(path.stem)) in manifest, "run `hub trusted-documents` and commit the manifest"


@pytest.mark.parametrize(("text", "name"), [
    ("query CasesList($filter: CaseFilter) { a }", "CasesList"),
    ("# a comment\nquery  Named_2 { a }", "Named_2"),
    ("mutation Ack($id: ID!) { a }", "Ack"),
    ("query($id: ID!) { a }", None),
])
def test_the_name_ends_where_the_name_ends(tmp_path: Path, text: str, name: str | None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.graph.OPERATIONS", tmp_path)
    operation.cache_clear()
    (tmp_path / "probe.graphql").write_text(text, encoding="utf-8")
    try:
        assert _operation_name("probe") == name
    finally:
        operation.cache_clear()
