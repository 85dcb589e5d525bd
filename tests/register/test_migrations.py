"""Schema migrations on both back ends: from empty, down and up again, and equal to the tables."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.register import _docs
from tests.register._docs import AT
from woda_sharing.register import _migrate, open_register
from woda_sharing.register._store import database_url
from woda_sharing.register._tables import METADATA, SCHEMA_REVISION


def test_from_empty_to_head_matches_the_tables(db: str) -> None:
    with open_register(db) as reg:
        assert reg.schema_revision() == SCHEMA_REVISION == _migrate.head_revision()
    engine = sa.create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), METADATA)
        assert diff == []
    finally:
        engine.dispose()


def test_down_to_base_and_up_again_keeps_working(db: str) -> None:
    with open_register(db) as reg:
        reg.import_documents([_docs.keyring(), _docs.charter()], at=AT)
        engine = reg._engine
        _migrate.downgrade(engine, "base")
        assert _migrate.current_revision(engine) is None
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    with open_register(db) as reg:
        assert reg.counts() == {"charter": 0, "agreement": 0, "keyring": 0}
        reg.import_documents([_docs.keyring(), _docs.charter()], at=AT)
        assert reg.counts()["charter"] == 1


def test_an_unknown_newer_revision_is_refused(db: str) -> None:
    open_register(db).close()
    engine = sa.create_engine(database_url(db))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'f00d'"))
    engine.dispose()
    import pytest

    from woda_sharing.exceptions import RegisterError

    with pytest.raises(RegisterError, match="does not know"):
        open_register(db)


def test_importing_the_core_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys, woda_sharing, woda_sharing.register, woda_sharing._diff, woda_sharing.cli;"
        "bad = [m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
