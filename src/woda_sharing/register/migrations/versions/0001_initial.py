"""The first register schema: documents, endorsers, members, parties, items and flows.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table and index of the first schema."""
    op.create_table(
        "documents",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("doc_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=80), nullable=False),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("supersedes_digest", sa.String(length=80), nullable=True),
        sa.Column("charter_id", sa.String(length=64), nullable=True),
        sa.Column("charter_version", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("verified_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_documents")),
        sa.UniqueConstraint(
            "kind", "doc_id", "version", name=op.f("uq_documents_kind_doc_id_version")
        ),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_documents_charter", ["charter_id", "charter_version"], unique=False
        )
        batch_op.create_index("ix_documents_end_date", ["end_date"], unique=False)
        batch_op.create_index(
            "ix_documents_head",
            ["kind", "doc_id"],
            unique=True,
            sqlite_where=sa.text("is_head"),
            postgresql_where=sa.text("is_head"),
        )
        batch_op.create_index("ix_documents_is_head_kind", ["is_head", "kind"], unique=False)
        batch_op.create_index("ix_documents_review_date", ["review_date"], unique=False)

    op.create_table(
        "endorsers",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_endorsers_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("endorsers", schema=None) as batch_op:
        batch_op.create_index("ix_endorsers_doc", ["doc"], unique=False)
        batch_op.create_index("ix_endorsers_organisation", ["organisation", "state"], unique=False)

    op.create_table(
        "flow_bases",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("basis_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_flow_bases_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("flow_bases", schema=None) as batch_op:
        batch_op.create_index("ix_flow_bases_basis", ["basis_id", "doc", "flow_id"], unique=False)
        batch_op.create_index("ix_flow_bases_doc", ["doc", "flow_id"], unique=False)

    op.create_table(
        "flow_items",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_flow_items_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("flow_items", schema=None) as batch_op:
        batch_op.create_index("ix_flow_items_doc", ["doc", "flow_id"], unique=False)
        batch_op.create_index("ix_flow_items_item", ["item_id", "doc", "flow_id"], unique=False)

    op.create_table(
        "flow_purposes",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("purpose_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_flow_purposes_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("flow_purposes", schema=None) as batch_op:
        batch_op.create_index("ix_flow_purposes_doc", ["doc", "flow_id"], unique=False)
        batch_op.create_index(
            "ix_flow_purposes_purpose", ["purpose_id", "doc", "flow_id"], unique=False
        )

    op.create_table(
        "flows",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_capacity", sa.String(length=64), nullable=True),
        sa.Column("source_sector", sa.String(length=32), nullable=True),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("recipient_capacity", sa.String(length=64), nullable=True),
        sa.Column("recipient_sector", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_flows_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.create_index("ix_flows_doc", ["doc", "flow_id"], unique=False)
        batch_op.create_index("ix_flows_recipient", ["recipient"], unique=False)
        batch_op.create_index("ix_flows_recipient_sector", ["recipient_sector"], unique=False)
        batch_op.create_index("ix_flows_source", ["source", "recipient"], unique=False)
        batch_op.create_index("ix_flows_source_sector", ["source_sector"], unique=False)

    op.create_table(
        "items",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("special_category", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_items_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index("ix_items_category", ["category"], unique=False)
        batch_op.create_index("ix_items_doc", ["doc"], unique=False)
        batch_op.create_index("ix_items_item_id", ["item_id"], unique=False)

    op.create_table(
        "members",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_members_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index("ix_members_doc", ["doc"], unique=False)

    op.create_table(
        "parties",
        sa.Column("doc", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("capacity", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["doc"], ["documents.pk"], name=op.f("fk_parties_doc"), ondelete="CASCADE"
        ),
    )
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.create_index("ix_parties_doc", ["doc"], unique=False)
        batch_op.create_index("ix_parties_organisation", ["organisation"], unique=False)
        batch_op.create_index("ix_parties_sector", ["sector"], unique=False)


def downgrade() -> None:
    """Drop every table of the first schema."""
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index("ix_parties_sector")
        batch_op.drop_index("ix_parties_organisation")
        batch_op.drop_index("ix_parties_doc")

    op.drop_table("parties")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_doc")

    op.drop_table("members")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_item_id")
        batch_op.drop_index("ix_items_doc")
        batch_op.drop_index("ix_items_category")

    op.drop_table("items")
    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.drop_index("ix_flows_source_sector")
        batch_op.drop_index("ix_flows_source")
        batch_op.drop_index("ix_flows_recipient_sector")
        batch_op.drop_index("ix_flows_recipient")
        batch_op.drop_index("ix_flows_doc")

    op.drop_table("flows")
    with op.batch_alter_table("flow_purposes", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_purposes_purpose")
        batch_op.drop_index("ix_flow_purposes_doc")

    op.drop_table("flow_purposes")
    with op.batch_alter_table("flow_items", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_items_item")
        batch_op.drop_index("ix_flow_items_doc")

    op.drop_table("flow_items")
    with op.batch_alter_table("flow_bases", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_bases_doc")
        batch_op.drop_index("ix_flow_bases_basis")

    op.drop_table("flow_bases")
    with op.batch_alter_table("endorsers", schema=None) as batch_op:
        batch_op.drop_index("ix_endorsers_organisation")
        batch_op.drop_index("ix_endorsers_doc")

    op.drop_table("endorsers")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_review_date")
        batch_op.drop_index("ix_documents_is_head_kind")
        batch_op.drop_index(
            "ix_documents_head",
            sqlite_where=sa.text("is_head"),
            postgresql_where=sa.text("is_head"),
        )
        batch_op.drop_index("ix_documents_end_date")
        batch_op.drop_index("ix_documents_charter")

    op.drop_table("documents")
