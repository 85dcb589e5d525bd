"""Alembic environment for the register: always run on a connection the register hands over."""

from __future__ import annotations

from alembic import context

from woda_sharing.register._tables import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
