"""Execution stage: run a query plan against the subgraphs and shape the client's response."""
