"""the data a county really has: document prefixes, principals, superiors' copies, appointments, training records

Revision ID: 0002_countydata
Revises: 0001
Create Date: 2026-12-01 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.store.types

revision: str = "0002_countydata"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_prefixes", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("principal_name", sa.String(length=50), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("principal_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("principal_term_ends_on", sa.Date(), nullable=True))
    with op.batch_alter_table("inspector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("term_ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_kind", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_reason", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("created_at", backend.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
            name=op.f("fk_training_record_inspector_id_inspector"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_record")),
        sa.UniqueConstraint("inspector_id", "course", "held_on", name=op.f("uq_training_record_inspector_id")),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_record_inspector_id"), ["inspector_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_record_inspector_id"))
    op.drop_table("training_record")
    with op.batch_alter_table("inspector", schema=None) as batch_op:
        for name in ("ended_reason", "ended_on", "ended_kind", "term_ends_on", "appointed_on"):
            batch_op.drop_column(name)
    with op.batch_alter_table("unit", schema=None) as batch_op:
        for name in ("principal_term_ends_on", "principal_since", "principal_name"):
            batch_op.drop_column(name)
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("document_prefixes")
