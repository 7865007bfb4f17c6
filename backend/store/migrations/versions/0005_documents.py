"""documents: the register of numbered formal documents (发文登记) and their counters

Revision ID: 0005_documents
Revises: 0003_outbox
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.store.types

revision: str = "0005_documents"
down_revision: str | None = "0003_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_counter",
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authority.id"], name=op.f("fk_document_counter_authority_id_authority")
        ),
        sa.PrimaryKeyConstraint("authority_id", "kind", "year", name=op.f("pk_document_counter")),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("rectification_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", backend.store.types.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["authority_id"], ["authority.id"], name=op.f("fk_document_authority_id_authority")),
        sa.ForeignKeyConstraint(
            ["rectification_id"], ["rectification.id"], name=op.f("fk_document_rectification_id_rectification")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_document_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("authority_id", "kind", "year", "seq", name=op.f("uq_document_authority_id")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index("ix_document_register", ["authority_id", "year", "kind"], unique=False)
        batch_op.create_index("ix_document_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_rectification_id"), ["rectification_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_unit_id"))
        batch_op.drop_index(batch_op.f("ix_document_rectification_id"))
        batch_op.drop_index("ix_document_subject")
        batch_op.drop_index("ix_document_register")
    op.drop_table("document")
    op.drop_table("document_counter")
