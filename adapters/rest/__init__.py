"""Adapters over departmental REST/JSON systems (population, national enterprise registry)."""
