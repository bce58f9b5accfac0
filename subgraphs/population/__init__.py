"""Population subgraph (人口库): `Person`, keyed by `idType idNumberHash`, over the population system."""
