"""a place's engine state in its own columns, out of the dialogue's data

The engine kept a paused flag (a dialogue held for care) and a form's progress
under `_paused`, `_field` and `_values` in the dialogue's data; places saved that
way move over.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

places = sa.table(
    "conversations",
    sa.column("member_id", sa.Integer()),
    sa.column("data", sa.JSON()),
    sa.column("held", sa.Integer()),
    sa.column("filling", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("held", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("filling", sa.JSON(), nullable=True))
    db = op.get_bind()
    for member_id, data in db.execute(sa.select(places.c.member_id, places.c.data)).all():
        if not {"_paused", "_field", "_values"} & set(data):
            continue
        held = 1 if data.pop("_paused", False) else 0
        position, values = data.pop("_field", None), data.pop("_values", None)
        filling = None if position is None else {"position": position, "values": values or {}}
        db.execute(
            places.update()
            .where(places.c.member_id == member_id)
            .values(data=data, held=held, filling=filling)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("filling")
        batch.drop_column("held")
