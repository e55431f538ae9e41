"""weekly check-ins each member answers: their answers, opt-out, away, the group's nudge day

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("week_of", sa.Date(), nullable=False),
        sa.Column("mood", sa.String(length=16), nullable=False),
        sa.Column("last_week", sa.Text(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("goal_shared", sa.Boolean(), nullable=False),
        sa.Column("goal_outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_checkins_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("member_id", "week_of", name=op.f("uq_checkins_member_id")),
    )
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("checkins_on", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("away_until", sa.DateTime(), nullable=True))
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("nudge_day", sa.String(3), nullable=False, server_default="thu"))
        batch.add_column(
            sa.Column("ask_goals", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("checkin_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reminders_checkin_id_checkins"),
            "checkins",
            ["checkin_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_constraint(op.f("fk_reminders_checkin_id_checkins"), type_="foreignkey")
        batch.drop_column("checkin_id")
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("ask_goals")
        batch.drop_column("nudge_day")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("away_until")
        batch.drop_column("checkins_on")
    op.drop_table("checkins")
