"""Wrappers of existing departmental systems (REST, SOAP, legacy SQL, file exchange).

Adapters return domain values (`domain.entities`); how legacy fields and code tables map onto them
is declared in data files (`schema/standards/mappings/`), not in code. Adapters never import subgraphs.
"""
