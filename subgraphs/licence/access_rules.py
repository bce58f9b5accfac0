"""Who may read licences (行政许可, DOMAIN.md §4.3, §11.2): the access rules of this subgraph.

A licence decision is published under 双公示, so its number, name, content, validity, issuing
authority and an organisation holder's name are public. The holder as a natural person (name, ID
number, the `Person` link) needs ``licence:read``, as does searching licences in bulk (`searchLicences`),
like searching the legal-person registry. A page is a wrapper whose items and field carry the rules.
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, public, scopes

_HOLDER = scopes("licence:read")

RULES: AccessRules = {
    "Licence": public(),
    "Licence.holderName": _HOLDER,
    "Licence.holderIdType": _HOLDER,
    "Licence.holderIdNumber": _HOLDER,
    "Licence.holderPerson": _HOLDER,
    "LegalEntity.licences": public(),
    "Person.licences": _HOLDER,
    "Query.licence": public(),
    "Query.licences": public(),
    "Query.searchLicences": _HOLDER,
    "LicencePage": public(),
}
