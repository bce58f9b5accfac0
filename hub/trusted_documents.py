"""`hub trusted-documents`: write (or check) `schema/trusted-documents.json`, the operations production runs.

In production the gateway runs only registered documents (trusted documents, mode ``enforce``). The
manifest is built from two sources, both in the repository:

* the front-end teams' operations: one ``.graphql`` file per operation under `schema/operations/`
  (a team adds its file, runs ``hub trusted-documents``, and commits the two together), and the
  supervision console's own, under `web/operations/`;
* the service clients' fixed documents, registered at deploy: the supervision engine's
  (`subgraphs.supervision.gateway_client.SERVICE_DOCUMENTS`).

A client sends either the document's full text (it must hash to a registered id) or only its id
(``documentId``, or ``extensions.persistedQuery.sha256Hash``). The id is the SHA-256 of the text as
registered; the manifest maps id to text, sorted by id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from graphql import GraphQLError, parse

from gateway.security.trusted import document_id

__all__ = ["MANIFEST", "OPERATIONS", "collect", "render"]

_ROOT: Final = Path(__file__).resolve().parent.parent
OPERATIONS: Final = _ROOT / "schema" / "operations"
MANIFEST: Final = _ROOT / "schema" / "trusted-documents.json"
#: the supervision console's operations (`web.graph` sends them by name)
CONSOLE_OPERATIONS: Final = _ROOT / "web" / "operations"


def collect(operations: Path = OPERATIONS, console: Path | None = CONSOLE_OPERATIONS) -> dict[str, str]:
    """id -> document text of every registered operation; raises ValueError for a file that does not parse."""
    from subgraphs.supervision.gateway_client import SERVICE_DOCUMENTS

    texts: list[str] = list(SERVICE_DOCUMENTS)
    folders = [operations] if console is None or operations != OPERATIONS else [operations, console]
    for folder in folders:
        for path in sorted(folder.glob("**/*.graphql")):
            text = path.read_text(encoding="utf-8").strip()
            try:
                parse(text)
            except GraphQLError as exc:
                raise ValueError(f"{path.relative_to(folder)}: {exc.message}") from exc
            texts.append(text)
    return {document_id(text): text for text in sorted(texts, key=document_id)}


def render(operations: Path = OPERATIONS) -> str:
    return json.dumps(collect(operations), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
