"""Licence subgraph (行政许可): `Licence`, keyed by `id`, plus `Person.licences` and `LegalEntity.licences`."""
