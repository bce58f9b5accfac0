"""Simulated national enterprise registry: signed camelCase REST for entities registered elsewhere."""
