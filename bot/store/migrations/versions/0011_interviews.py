"""interviews a member tells us are coming, each with its prepare and how-did-it-go rows;
the outbox's lanes, so members' weekly check-ins are claimed after follow-ups

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=120), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_interviews_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interviews")),
    )
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("interview_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reminders_interview_id_interviews"),
            "interviews",
            ["interview_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.add_column(sa.Column("lane", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_reminders_status_lane_due_at", ["status", "lane", "due_at"])


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_index("ix_reminders_status_lane_due_at")
        batch.drop_column("lane")
        batch.drop_constraint(op.f("fk_reminders_interview_id_interviews"), type_="foreignkey")
        batch.drop_column("interview_id")
    op.drop_table("interviews")
