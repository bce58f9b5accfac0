"""Domain knowledge shared by every layer: identifier algorithms, region codes and other code tables.

Modules here are pure (no I/O, no framework imports), so simulators, adapters, subgraphs and the
gateway may all depend on them.
"""
