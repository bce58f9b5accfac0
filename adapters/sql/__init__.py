"""Adapters over departmental legacy databases, read-only (the licensing system)."""
