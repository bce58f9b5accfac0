"""Shared test helpers: serving ASGI apps on loopback ports, free ports, PostgreSQL access."""
