"""The Enforcement Hub federation gateway: supergraph model -> planning -> plan (plain data) -> execution."""
