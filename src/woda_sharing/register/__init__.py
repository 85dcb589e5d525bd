"""The register: every charter, agreement and keyring of a partnership, with every version, in one store.

``import woda_sharing.register`` needs nothing beyond the core library; opening
a database needs the ``register`` extra (``pip install 'woda-sharing[register]'``:
SQLAlchemy, Alembic and psycopg). See ``docs/how-to/shared-register.md``.

::

    from woda_sharing.register import Query, open_register

    with open_register("partnership.sqlite") as register:
        register.import_paths(["charter.json", "keyring.json", "early-help.json"])
        police = register.query(Query(source="county-council", recipient_sector="police"))
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from woda_sharing.exceptions import RegisterError
from woda_sharing.register._core import (
    KINDS,
    PUBLISHED_FIELDS,
    Due,
    Entry,
    Imported,
    Outcome,
    Query,
    Refusal,
    State,
)
from woda_sharing.register._export import export_csv, export_json, published

if TYPE_CHECKING:
    from woda_sharing.register._log import DecisionLog
    from woda_sharing.register._logcore import (
        GENESIS,
        Appended,
        Checkpoint,
        ConsistencyProof,
        InclusionProof,
        LogEntry,
        LogVerification,
        ProofResult,
        entry_hash,
        verify_checkpoint,
        verify_consistency,
        verify_inclusion,
    )
    from woda_sharing.register._store import Register
    from woda_sharing.register._whatif import proposed_policy

__all__ = [
    "GENESIS",
    "KINDS",
    "PUBLISHED_FIELDS",
    "Appended",
    "Checkpoint",
    "ConsistencyProof",
    "DecisionLog",
    "Due",
    "Entry",
    "Imported",
    "InclusionProof",
    "LogEntry",
    "LogVerification",
    "Outcome",
    "ProofResult",
    "Query",
    "Refusal",
    "Register",
    "State",
    "entry_hash",
    "export_csv",
    "export_json",
    "open_log",
    "open_register",
    "proposed_policy",
    "published",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]


def _adapter() -> Any:
    try:
        from woda_sharing.register import _store  # noqa: PLC0415 - the extra is optional
    except ImportError as e:
        raise RegisterError(
            "the register needs the 'register' extra: pip install 'woda-sharing[register]'"
            f" ({e.name or e} is missing)"
        ) from e
    return _store


def open_register(db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Register:
    """Open the register at *db*: a SQLite file path, or a ``postgresql://`` URL.

    ``None`` opens ``$WODA_REGISTER``, else ``woda-register.sqlite`` in the
    current folder. The tables are created or upgraded unless
    ``migrate=False``. Raises `RegisterError` when the database cannot be
    opened or the extra is not installed.
    """
    store = _adapter()
    register: Register = store.Register.open(db, migrate=migrate)
    return register


def open_log(db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> DecisionLog:
    """Open the decision log of the register at *db* (see `open_register`).

    The log shares the register's database and its connections are released
    by `DecisionLog.close`. Raises `RegisterError` as `open_register` does.
    """
    return open_register(db, migrate=migrate).log


#: The decision log's typed core: loaded on first use (it needs cryptography, not the extra).
_LOG_CORE: Final = frozenset(
    {
        "GENESIS",
        "Appended",
        "Checkpoint",
        "ConsistencyProof",
        "InclusionProof",
        "LogEntry",
        "LogVerification",
        "ProofResult",
        "entry_hash",
        "verify_checkpoint",
        "verify_consistency",
        "verify_inclusion",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LOG_CORE:
        from woda_sharing.register import _logcore  # noqa: PLC0415 - loaded on first use

        return getattr(_logcore, name)
    if name == "Register":
        return _adapter().Register
    if name == "proposed_policy":
        _adapter()
        from woda_sharing.register._whatif import proposed_policy  # noqa: PLC0415 - needs the extra

        return proposed_policy
    if name == "DecisionLog":
        _adapter()
        from woda_sharing.register._log import DecisionLog  # noqa: PLC0415 - needs the extra

        return DecisionLog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
