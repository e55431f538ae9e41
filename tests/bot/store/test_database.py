"""Migrations: applied at start-up, idempotent, and in step with the models."""

from __future__ import annotations

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.store.database import MIGRATIONS, Checkpointer, make_engine, sqlite_url, upgrade
from bot.store.models import Base


def test_the_migrations_build_exactly_the_models(engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(engine) -> None:
    upgrade(engine)
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head


def test_a_database_from_the_first_release_upgrades_with_its_rows(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "old.db"))
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO members (platform, workspace, user_id, display_name, timezone, "
                "created_at) VALUES ('slack', 'T1', 'U1', 'Sam', 'Europe/Berlin', :now)"
            ),
            {"now": datetime(2026, 11, 1)},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT display_name, timezone, timezone_chosen, unanswered FROM members")
        ).one()
    assert tuple(row) == ("Sam", "Europe/Berlin", 0, 0)


def test_a_new_sqlite_file_is_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "fresh.db"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    assert {"members", "conversations", "rejections", "wins", "reminders"} <= set(
        inspect(engine).get_table_names()
    )


def test_the_checkpointer_moves_the_whole_log_into_the_file(tmp_path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "busy.db"))
    upgrade(engine)
    with engine.begin() as connection:
        for number in range(200):
            connection.execute(
                text(
                    "INSERT INTO members (platform, workspace, user_id, display_name, timezone, "
                    "created_at) VALUES ('slack', 'T1', :user, 'Sam', 'UTC', '2026-11-23')"
                ),
                {"user": f"U{number}"},
            )
    busy, logged, copied = Checkpointer(engine).run_once()
    assert busy == 0 and logged > 0 and copied == logged


def test_the_checkpointer_thread_starts_and_stops_only_for_sqlite(engine) -> None:
    checkpointer = Checkpointer(engine, every=0.01).start()
    assert checkpointer.running == (engine.dialect.name == "sqlite")
    checkpointer.stop()
    assert not checkpointer.running
