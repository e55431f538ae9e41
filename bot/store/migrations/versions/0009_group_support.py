"""a group names who its members can reach in a hard moment (`/group support`)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("support", sa.String(300), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("support")
