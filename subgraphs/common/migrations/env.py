"""Alembic environment: migrations run on a connection handed in by `subgraphs.common.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `hub db upgrade` (subgraphs.common.migrate), not the alembic CLI")

context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
