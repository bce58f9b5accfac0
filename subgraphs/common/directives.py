"""The hub's own schema directives `@sensitive(level:, mask:)` and `@maxLength(max:)`, carried into the supergraph.

Subgraphs mark personal-data fields (DOMAIN.md §10.2) with it; `@composeDirective` keeps it in the
supergraph so the gateway can mask the value (§10.3) unless role and purpose allow. Arguments are
strings so that departments' subgraphs in any language can declare the directive without sharing
enum types: `level` is S0–S3, `mask` one of the `domain.masking` kinds (ID18, NAME, MOBILE, ...).

`@maxLength(max:)` on an argument or input field raises the gateway's bound on its string values
(1,000 characters by default) for the few that carry a payload (a base64 file, an item's JSON); the
gateway refuses a longer value with BAD_USER_INPUT before any subgraph or department sees it.
"""

from __future__ import annotations

import strawberry
from strawberry.federation.schema_directive import Location

SENSITIVE_SPEC_URL = "https://enforcement-hub.example/sensitive/v1.0"
MAX_LENGTH_SPEC_URL = "https://enforcement-hub.example/length/v1.0"
LEVELS = ("S0", "S1", "S2", "S3")


@strawberry.federation.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="sensitive",
    compose=True,
    import_url=SENSITIVE_SPEC_URL,
    description="Personal data: masked by the gateway unless role and purpose allow (DOMAIN.md §10).",
)
class Sensitive:
    level: str
    mask: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"@sensitive level must be one of {', '.join(LEVELS)}, not {self.level!r}")


@strawberry.federation.schema_directive(
    locations=[Location.ARGUMENT_DEFINITION, Location.INPUT_FIELD_DEFINITION],
    name="maxLength",
    compose=True,
    import_url=MAX_LENGTH_SPEC_URL,
    description="The longest string the gateway lets through here, in characters (default 1,000).",
)
class MaxLength:
    max: int

    def __post_init__(self) -> None:
        if self.max < 1:
            raise ValueError(f"@maxLength max must be positive, not {self.max}")
