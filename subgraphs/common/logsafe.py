"""Log hygiene: no raw ID number in any log line a subgraph writes (PIPL; DOMAIN.md §10.3).

Subgraph code logs masked values to begin with; `scrub` is the safety net for text that did not come
from our own code (GraphQL error messages that echo a query, a department's fault string). Any run
that looks like a 15- or 18-character resident ID number is replaced by its masked form.
"""

from __future__ import annotations

import re
from typing import Final

from domain.masking import mask_id_number

_ID_LIKE: Final = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")


def scrub(text: str) -> str:
    """`text` with every ID-number-like token masked (``4451**********1230``)."""
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(1)), text)
