"""The decision log: hash-linked records, the head row, signed checkpoints.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HASH = sa.String(length=71)
_GENESIS = "sha256:" + "0" * 64


def upgrade() -> None:
    """Create the log's tables and its head row (a new log id, size 0)."""
    op.create_table(
        "decision_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("time", sa.String(length=32), nullable=False),
        sa.Column("asked_by", sa.String(length=200), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=200), nullable=False),
        sa.Column("permitted", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("record_digest", _HASH, nullable=False),
        sa.Column("prev_hash", _HASH, nullable=False),
        sa.Column("entry_hash", _HASH, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_decision_log")),
        sa.UniqueConstraint("record_id", name=op.f("uq_decision_log_record_id")),
    )
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.create_index("ix_decision_log_time", ["time"], unique=False)
    head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("log_id", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("head", _HASH, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.bulk_insert(head, [{"id": 1, "log_id": str(uuid.uuid4()), "size": 0, "head": _GENESIS}])
    op.create_table(
        "log_checkpoints",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("head", _HASH, nullable=False),
        sa.Column("time", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("protected", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_log_checkpoints")),
    )
    with op.batch_alter_table("log_checkpoints", schema=None) as batch_op:
        batch_op.create_index("ix_log_checkpoints_size", ["size"], unique=False)


def downgrade() -> None:
    """Drop the log's tables (and every record in them)."""
    op.drop_table("log_checkpoints")
    op.drop_table("log_head")
    with op.batch_alter_table("decision_log", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_log_time")
    op.drop_table("decision_log")
