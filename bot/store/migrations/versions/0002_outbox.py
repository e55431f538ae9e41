"""the outbox's leases and attempts, member delivery settings, groups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("timezone_chosen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("quiet_from", sa.Time(), nullable=True))
        batch.add_column(sa.Column("quiet_until", sa.Time(), nullable=True))
        batch.add_column(sa.Column("paused_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("unanswered", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("reminders") as batch:
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch.create_index(
            "ix_reminders_status_lease_expires_at", ["status", "lease_expires_at"], unique=False
        )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("checkin_day", sa.String(length=3), nullable=False),
        sa.Column("checkin_at", sa.Time(), nullable=False),
        sa.Column("digest_day", sa.String(length=3), nullable=False),
        sa.Column("digest_at", sa.Time(), nullable=False),
        sa.Column("rhythm_on", sa.Boolean(), nullable=False),
        sa.Column("facilitators", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("platform", "workspace", name=op.f("uq_groups_platform")),
    )


def downgrade() -> None:
    op.drop_table("groups")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_index("ix_reminders_status_lease_expires_at")
        for column in ("sent_at", "late", "last_error", "lease_expires_at", "lease_owner"):
            batch.drop_column(column)
        batch.drop_column("attempts")
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("members") as batch:
        for column in ("unanswered", "paused_until", "quiet_until", "quiet_from"):
            batch.drop_column(column)
        batch.drop_column("timezone_chosen")
