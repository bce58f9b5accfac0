"""Who may read the population register (公安 人口库, DOMAIN.md §4.1, §10): the access rules of this subgraph.

Every field of `Person` needs the ``population:read`` scope (enforcement roles; never PUBLIC). The
two ways into the register from a known identity -- by ID number and by name prefix -- also need a
purpose the gateway has verified against a case, inspection or review assignment
(``purpose:bound``), so nobody can confirm a guessed number or name without a case to justify it.
The ID number and the parts that rebuild it (birth date, age, gender, region, ethnicity) are masked
together by the gateway (`@sensitive` in `types.py`).
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, policy, scopes

RULES: AccessRules = {
    "Person": scopes("population:read"),
    "Query.personByIdNumber": [*scopes("population:read"), *policy("purpose:bound")],
    "Query.searchPersons": [*scopes("population:read"), *policy("purpose:bound")],
}
