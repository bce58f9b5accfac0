"""Adapters over departmental file exchanges (the provincial certificate snapshot drop)."""
