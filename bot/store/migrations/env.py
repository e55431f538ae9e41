"""Alembic's entry point; the connection comes from bot.store.database.upgrade."""

from alembic import context

from bot.store.models import Base

# Made by migration 0004 but read and written by slack-sdk's own code, not the models:
# autogenerate must neither drop them nor mistake them for ours.
LIBRARY_TABLES = frozenset({"slack_installations", "slack_bots", "slack_oauth_states"})


def _ours(name: str | None, type_: str, _parents: object) -> bool:
    return type_ != "table" or name not in LIBRARY_TABLES


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=_ours,
)
with context.begin_transaction():
    context.run_migrations()
