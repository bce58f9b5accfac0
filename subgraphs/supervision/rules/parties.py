"""The key that identifies a party across cases (hash of the ID number, or the USCC)."""

from __future__ import annotations

from subgraphs.cases.domain.snapshot import CaseSnapshot


def party_keys(snapshot: CaseSnapshot) -> set[str]:
    keys: set[str] = set()
    for party in snapshot.parties:
        if party.uscc:
            keys.add(f"uscc:{party.uscc}")
        elif party.id_hash:
            keys.add(f"id:{party.id_type or ''}:{party.id_hash}")
    return keys
