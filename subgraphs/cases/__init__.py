"""Enforcement case subgraph: penalty cases, coercive measures and inspections."""
