"""Alembic environment: always given a live connection by `quantflow_server.db.migrate`."""

from __future__ import annotations

from alembic import context

from quantflow_server.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through quantflow_server.db.migrate.upgrade()")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
