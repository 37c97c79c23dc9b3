"""Alembic environment: runs the migrations on the connection the store hands over.

The store calls :func:`alembic.command.upgrade` with ``config.attributes
["connection"]`` set to an open connection inside a transaction (holding a
lock, so that two processes opening a new store migrate it once).
"""

from __future__ import annotations

from alembic import context

from emsplan.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
