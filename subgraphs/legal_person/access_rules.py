"""Who may read the legal-person registry (法人库, DOMAIN.md §4.2, §10.2): the access rules of this subgraph.

An organisation's name, USCC, category, status and registration authority are public (S0: the
national enterprise credit publicity shows them), so any signed-in caller reads them and looks an
entity up by USCC. Its legal representative (a natural person: name, ID, the `Person`) and its
addresses (a 个体工商户's address is the operator's) need ``legal_person:read``, as does searching
the registry in bulk (by name or by filter). The registration status with its date is public like the
status itself; a page of entities is a wrapper whose items and field carry the rules.
"""

from __future__ import annotations

from subgraphs.common.access import AccessRules, public, scopes

_REGISTRY = scopes("legal_person:read")

RULES: AccessRules = {
    "LegalEntity": public(),
    "LegalEntity.legalRepName": _REGISTRY,
    "LegalEntity.legalRepIdType": _REGISTRY,
    "LegalEntity.legalRepIdNumber": _REGISTRY,
    "LegalEntity.legalRepresentative": _REGISTRY,
    "LegalEntity.registeredAddress": _REGISTRY,
    "LegalEntity.operatingAddress": _REGISTRY,
    "RegistrationStatus": public(),
    "LegalEntityPage": public(),
    "Query.legalEntity": public(),
    "Query.searchLegalEntities": _REGISTRY,
    "Query.legalEntities": _REGISTRY,
}
