"""The register's tables (SQLAlchemy Core): one row per stored version, and index rows for queries.

The JSON body of each version is stored exactly as imported (as JSON text,
which escapes every control character, so PostgreSQL's refusal of NUL in text
never bites). Index columns hold identifiers, enums and dates only: values the
schema already restricts. Free text (titles) is stored JSON-encoded for the
same reason. See ``docs/reference/register-schema.md``.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

__all__ = ["LOG_TABLES", "METADATA", "SCHEMA_REVISION"]

#: The Alembic revision these tables correspond to (the newest migration).
SCHEMA_REVISION: Final = "0002"

METADATA: Final = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)


def _doc() -> Column[int]:
    return Column("doc", Integer, ForeignKey("documents.pk", ondelete="CASCADE"), nullable=False)


documents = Table(
    "documents",
    METADATA,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("doc_id", ID, nullable=False),
    Column("version", Integer, nullable=False),
    Column("digest", String(80), nullable=False),
    Column("is_head", Boolean, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("supersedes_digest", String(80)),
    Column("charter_id", ID),
    Column("charter_version", Integer),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("review_date", Date),
    Column("notice_days", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("imported_at", String(32), nullable=False),
    Column("verified_at", String(32)),
    UniqueConstraint("kind", "doc_id", "version"),
    Index(
        "ix_documents_head",
        "kind",
        "doc_id",
        unique=True,
        sqlite_where=text("is_head"),
        postgresql_where=text("is_head"),
    ),
    Index("ix_documents_is_head_kind", "is_head", "kind"),
    Index("ix_documents_review_date", "review_date"),
    Index("ix_documents_end_date", "end_date"),
    Index("ix_documents_charter", "charter_id", "charter_version"),
)

endorsers = Table(
    "endorsers",
    METADATA,
    _doc(),
    Column("organisation", ID, nullable=False),
    Column("state", String(16), nullable=False),
    Column("role", ID),
    Column("signed_at", String(32)),
    Index("ix_endorsers_doc", "doc"),
    Index("ix_endorsers_organisation", "organisation", "state"),
)

members = Table(
    "members",
    METADATA,
    _doc(),
    Column("member_id", ID, nullable=False),
    Column("sector", String(32), nullable=False),
    Index("ix_members_doc", "doc"),
)

parties = Table(
    "parties",
    METADATA,
    _doc(),
    Column("party_id", ID, nullable=False),
    Column("organisation", ID, nullable=False),
    Column("capacity", ID),
    Column("role", String(32), nullable=False),
    Column("sector", String(32)),
    Index("ix_parties_doc", "doc"),
    Index("ix_parties_organisation", "organisation"),
    Index("ix_parties_sector", "sector"),
)

items = Table(
    "items",
    METADATA,
    _doc(),
    Column("item_id", ID, nullable=False),
    Column("category", String(32), nullable=False),
    Column("special_category", ID),
    Index("ix_items_doc", "doc"),
    Index("ix_items_item_id", "item_id"),
    Index("ix_items_category", "category"),
)

flows = Table(
    "flows",
    METADATA,
    _doc(),
    Column("flow_id", ID, nullable=False),
    Column("source", ID, nullable=False),
    Column("source_capacity", ID),
    Column("source_sector", String(32)),
    Column("recipient", ID, nullable=False),
    Column("recipient_capacity", ID),
    Column("recipient_sector", String(32)),
    Index("ix_flows_doc", "doc", "flow_id"),
    Index("ix_flows_source", "source", "recipient"),
    Index("ix_flows_recipient", "recipient"),
    Index("ix_flows_source_sector", "source_sector"),
    Index("ix_flows_recipient_sector", "recipient_sector"),
)

#: One row per (flow, item, purpose, basis) would multiply; three narrow tables keep it linear.
flow_items = Table(
    "flow_items",
    METADATA,
    _doc(),
    Column("flow_id", ID, nullable=False),
    Column("item_id", ID, nullable=False),
    Index("ix_flow_items_item", "item_id", "doc", "flow_id"),
    Index("ix_flow_items_doc", "doc", "flow_id"),
)

flow_purposes = Table(
    "flow_purposes",
    METADATA,
    _doc(),
    Column("flow_id", ID, nullable=False),
    Column("purpose_id", ID, nullable=False),
    Index("ix_flow_purposes_purpose", "purpose_id", "doc", "flow_id"),
    Index("ix_flow_purposes_doc", "doc", "flow_id"),
)

flow_bases = Table(
    "flow_bases",
    METADATA,
    _doc(),
    Column("flow_id", ID, nullable=False),
    Column("basis_id", ID, nullable=False),
    Index("ix_flow_bases_basis", "basis_id", "doc", "flow_id"),
    Index("ix_flow_bases_doc", "doc", "flow_id"),
)

TABLES: Final = (
    documents,
    endorsers,
    members,
    parties,
    items,
    flows,
    flow_items,
    flow_purposes,
    flow_bases,
)

# --- the decision log (migration 0002): see docs/reference/log-format.md ------------------

HASH = String(71)  # "sha256:" and 64 hex digits

#: One row per decision record, hash-linked to the row before it by ``seq``.
decision_log = Table(
    "decision_log",
    METADATA,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", String(200), nullable=False),
    Column("time", String(32), nullable=False),
    Column("asked_by", String(200), nullable=False),
    Column("on_behalf_of", String(200), nullable=False),
    Column("permitted", Boolean, nullable=False),
    Column("body", Text, nullable=False),
    Column("record_digest", HASH, nullable=False),
    Column("prev_hash", HASH, nullable=False),
    Column("entry_hash", HASH, nullable=False),
    UniqueConstraint("record_id"),
    Index("ix_decision_log_time", "time"),
)

#: The one row naming the log and its head: locked (FOR UPDATE) by every append.
log_head = Table(
    "log_head",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("log_id", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("head", HASH, nullable=False),
)

#: Signed checkpoints (tree heads) of the log.
log_checkpoints = Table(
    "log_checkpoints",
    METADATA,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("head", HASH, nullable=False),
    Column("time", String(32), nullable=False),
    Column("organisation", String(64), nullable=False),
    Column("protected", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Index("ix_log_checkpoints_size", "size"),
)

LOG_TABLES: Final = (decision_log, log_head, log_checkpoints)
