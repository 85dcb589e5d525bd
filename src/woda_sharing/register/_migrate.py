"""Schema migrations: Alembic, run in code on a connection the register holds.

Every open checks the database's revision and upgrades it to the newest
migration in ``woda_sharing/register/migrations/versions`` inside one
transaction, under a lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
PostgreSQL), so two processes opening a new database at once cannot both
create it. A database at a revision this library does not know (made by a
newer version) is refused rather than touched.
"""

from __future__ import annotations

import functools
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from woda_sharing.exceptions import RegisterError

__all__ = ["current_revision", "head_revision", "require_current", "upgrade"]

#: An arbitrary constant key for PostgreSQL's advisory lock around migrations.
_LOCK_KEY: Final = 0x574F4441  # "WODA"


@functools.cache
def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "woda_sharing.register:migrations")
    return config


def head_revision() -> str:
    """The newest migration this library ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None  # noqa: S101 - the package ships at least one migration
    return head


def _known() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return _revision(conn)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to *revision* (default: the newest), under a lock, in one transaction."""
    writer = engine.execution_options(woda_write=True)
    with writer.begin() as conn:
        if engine.url.get_backend_name() == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        current = _revision(conn)
        if current is not None and current not in _known():
            raise RegisterError(
                f"the register's schema is at revision {current}, which this version of"
                " woda_sharing does not know: upgrade woda_sharing"
            )
        target = head_revision() if revision == "head" else revision
        if current == target:
            return
        config = _config()
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        finally:
            config.attributes.pop("connection", None)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to *revision* (``"base"`` empties it); for tests and recovery."""
    writer = engine.execution_options(woda_write=True)
    with writer.begin() as conn:
        config = _config()
        config.attributes["connection"] = conn
        try:
            command.downgrade(config, revision)
        finally:
            config.attributes.pop("connection", None)


def require_current(engine: Engine) -> None:
    """Raise `RegisterError` unless the database is at the newest revision."""
    current = current_revision(engine)
    if current != head_revision():
        raise RegisterError(
            f"the register's schema is at revision {current or 'none (empty)'}, not {head_revision()}:"
            " open it with migration allowed to upgrade it"
        )
