"""the name a member signs their drafts with, once they correct it, for every later draft

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(
            sa.Column("signs_as", sa.String(length=80), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("signs_as")
