"""Differential tests: the hub gateway against the reference JavaScript federation implementations.

`fixtures/<name>/` hold supergraph fixtures (subgraph SDLs, datasets, optional resolvers, the composed
supergraph and the query cases); `subgraph_server.py` serves any of them over loopback HTTP;
`node/` pins the reference packages, which `reference.py` installs once into a cache outside the
tracked tree. After changing a fixture's subgraphs, recompose from the repository root with
`python -m tests.gateway.differential.recompose [fixture ...]`.
"""
