"""Strawberry Federation v2 subgraphs, one folder each, the same modules in each."""
