"""The personnel subgraph: enforcement bodies, officers and their enforcement certificates."""
