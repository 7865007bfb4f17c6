"""security (issue 16, 等保 basics): first-login password change, last sign-in, append-only audit log

Revision ID: 0007_security
Revises: 0006_privacy
Create Date: 2026-12-01 16:30:00

The audit log is append-only: on PostgreSQL a trigger refuses every UPDATE of `audit_event`, and every DELETE
(and TRUNCATE) unless the transaction set `dudao.audit_purge` to `on` (`SET LOCAL`, done only by
`backend.services.audit.purge_before` for events past their retention); on SQLite a trigger refuses UPDATE and
the application refuses deletes (the ORM guard of `backend/store/audit_guard.py`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.store.types

revision: str = "0007_security"
down_revision: str | None = "0006_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dudao_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('dudao.audit_purge', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'TRUNCATE' THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION dudao_audit_append_only()
"""
PG_TRUNCATE_TRIGGER = """
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
FOR EACH STATEMENT EXECUTE FUNCTION dudao_audit_append_only()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only (UPDATE refused)');
END
"""


def upgrade() -> None:
    with op.batch_alter_table("office_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("password_changed_at", backend.store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_login_at", backend.store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_login_ip", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("previous_login_at", backend.store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("previous_login_ip", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_actor_at", ["actor", "at"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
        op.execute(PG_TRUNCATE_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS dudao_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_actor_at")
    with op.batch_alter_table("office_user", schema=None) as batch_op:
        batch_op.drop_column("previous_login_ip")
        batch_op.drop_column("previous_login_at")
        batch_op.drop_column("last_login_ip")
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
