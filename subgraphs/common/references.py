"""Stub of the `Person` entity for subgraphs that only point at persons (by hash, never by number).

FEDERATION_NOTE: declared with `resolvable: false`: these subgraphs contribute no Person fields,
they hand out `{idType, idNumberHash}` references that the population subgraph resolves.
"""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from subgraphs.common.types import GraphIdType


@strawberry.federation.type(
    keys=[Key(fields=FieldSet("idType idNumberHash"), resolvable=False)], name="Person",
    description="自然人 (natural person), here only as a reference the population subgraph resolves; never the ID "
                "number itself.")
class PersonRef:
    id_type: GraphIdType = strawberry.field(description="证件类型 (ID document type)")
    id_number_hash: str = strawberry.field(
        description="证件号码摘要 (HMAC-SM3 hash of the ID type and number): the key of the person")
