"""Legal-person subgraph (法人库): `LegalEntity`, keyed by `uscc`, over the city and national registries."""
