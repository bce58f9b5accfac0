"""Adapters over departmental SOAP 1.1 services (the city market-regulation registry)."""
