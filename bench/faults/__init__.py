"""Faults under load: a real stack on a PostgreSQL server of its own, mixed load, scheduled faults,
and the invariants checked in the store afterwards (`bench/bench_faults.py`, the `slow` test)."""
