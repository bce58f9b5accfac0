"""Stub of the `Person` entity for subgraphs that only point at persons (by hash, never by number).

FEDERATION_NOTE: declared with `resolvable: false`: these subgraphs contribute no Person fields,
they hand out `{idType, idNumberHash}` references that the population subgraph resolves.
"""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from subgraphs.common.types import GraphIdType


@strawberry.federation.type(keys=[Key(fields=FieldSet("idType idNumberHash"), resolvable=False)], name="Person")
class PersonRef:
    id_type: GraphIdType
    id_number_hash: str
