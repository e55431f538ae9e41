"""The `bounceback` command as a new user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.database import REVISIONS, make_engine, sqlite_url, upgrade
from tests.support.bounceback_run import free_port
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_slack import FakeSlack

REPO = Path(__file__).parents[2]
ENTRY_POINT = Path(sys.executable).parent / "bounceback"  # the installed console script
SLACK_HTTP = {
    "SLACK_BOT_TOKEN": "xoxb-" + "5" * 12 + "-fake",
    "SLACK_MODE": "http",
    "SLACK_SIGNING_SECRET": "signing-secret",
}


def bounceback(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    """Run the CLI in an empty folder with a bare environment: no developer `.env` is read."""
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **env}
    return subprocess.run(
        [str(ENTRY_POINT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )


def test_run_without_tokens_opens_the_console_on_a_sqlite_file(tmp_path: Path) -> None:
    result = bounceback(tmp_path, "run", stdin="/rejected Acme\n1\n")
    assert result.returncode == 0, result.stderr
    assert "news from Acme" in result.stdout
    assert (tmp_path / "data" / "bounceback.db").exists()


def test_a_restart_continues_the_conversation(tmp_path: Path) -> None:
    bounceback(tmp_path, "console", "--user", "sam", stdin="/rejected Acme\n2\n")
    result = bounceback(tmp_path, "console", "--user", "sam", stdin="3\n")
    assert "Let's note down the facts" in result.stdout


def test_console_takes_its_own_database_file(tmp_path: Path) -> None:
    result = bounceback(tmp_path, "console", "--db", str(tmp_path / "mine.db"), stdin="/stats\n")
    assert result.returncode == 0 and "Nothing logged yet" in result.stdout
    assert (tmp_path / "mine.db").exists()


def test_db_upgrade_says_how_many_migrations_it_applied(tmp_path: Path) -> None:
    first = bounceback(tmp_path, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        f"bounceback: {len(REVISIONS)} migrations applied; the database is up to date.\n"
    )
    again = bounceback(tmp_path, "db", "upgrade")
    assert again.stdout == "bounceback: the database was already up to date.\n"


def test_db_upgrade_from_an_older_revision_counts_only_the_new_ones(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    upgrade(make_engine(sqlite_url(tmp_path / "data" / "bounceback.db")), REVISIONS[0])
    result = bounceback(tmp_path, "db", "upgrade")
    newer = len(REVISIONS) - 1
    assert result.stdout.startswith(f"bounceback: {newer} migration{'s' if newer != 1 else ''} ")


def test_a_dotenv_in_the_working_folder_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BOUNCEBACK_DATA_DIR=from-dotenv\nBOUNCEBACK_TIMEZONE=Mars/Base\n"
    )
    result = bounceback(tmp_path, "db", "upgrade", BOUNCEBACK_TIMEZONE="Europe/Berlin")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv" / "bounceback.db").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BOUNCEBACK_TIMEZONE": "Mars/Base"},
            "BOUNCEBACK_TIMEZONE='Mars/Base' is not an IANA zone",
        ),
        ({"BOUNCEBACK_PLAYBOOK_DIR": "."}, None),
    ],
)
def test_bad_configuration_stops_with_a_clear_message(tmp_path: Path, env, message) -> None:
    if message is None:  # a group playbook folder with a broken file
        (tmp_path / "moods.toml").write_text("[moods.low]\nlabel = 'Low'\n")
        message = "moods.toml: 'moods.disappointed' is missing"
    result = bounceback(tmp_path, "console", stdin="", **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


PASSWORD = "pw-" + "7" * 10
# Each mistake and what its one line says, naming the setting (or file) at fault.
MISTAKES: dict[str, tuple[dict[str, str], str]] = {
    "a DATABASE_URL that is no URL": (
        {"DATABASE_URL": "my database"},
        "DATABASE_URL is not a database URL",
    ),
    "an unknown database": (
        {"DATABASE_URL": f"postgres://u:{PASSWORD}@h/db"},
        "knows no database 'postgres'",
    ),
    "a driver not installed": (
        {"DATABASE_URL": f"postgresql+psycopg2://u:{PASSWORD}@127.0.0.1:9/db"},
        "DATABASE_URL: 'postgresql+psycopg2' needs the psycopg2 driver",
    ),
    "a port that is no number": (
        {"DATABASE_URL": f"postgresql+psycopg://u:{PASSWORD}@h:five/db"},
        "DATABASE_URL is not a database URL",
    ),
    "an option the driver refuses": (
        {"DATABASE_URL": f"postgresql+psycopg://u:{PASSWORD}@127.0.0.1:9/db?colour=blue"},
        'DATABASE_URL: the database driver refused it (invalid connection option "colour")',
    ),
    "a LOG_LEVEL logging does not know": ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be DEBUG, INFO"),
    "a data folder that is a file": (
        {"BOUNCEBACK_DATA_DIR": "a-file"},
        "BOUNCEBACK_DATA_DIR: a-file is a file",
    ),
    "a data folder under a file": (
        {"BOUNCEBACK_DATA_DIR": "a-file/data"},
        "BOUNCEBACK_DATA_DIR: cannot make the folder a-file/data",
    ),
    "a playbook folder that does not exist": (
        {"BOUNCEBACK_PLAYBOOK_DIR": "no-such-folder"},
        "BOUNCEBACK_PLAYBOOK_DIR: no-such-folder is not a folder",
    ),
    "a playbook file that is not UTF-8": (
        {"BOUNCEBACK_PLAYBOOK_DIR": "latin1"},
        "moods.toml: not UTF-8 text",
    ),
    "a playbook file that is a folder": (
        {"BOUNCEBACK_PLAYBOOK_DIR": "folders"},
        "moods.toml: cannot be read",
    ),
    "a .env that is not UTF-8": ({"BOUNCEBACK_TEST_DOTENV": "latin1"}, ".env: not UTF-8 text"),
}


def _lay_out_mistakes(folder: Path, env: dict[str, str]) -> dict[str, str]:
    """The files the mistakes point at; the environment without the test's own marker."""
    (folder / "a-file").write_text("not a folder\n")
    (folder / "latin1").mkdir()
    (folder / "latin1" / "moods.toml").write_bytes(
        "[moods.low]\nlabel = 'Tr\xe8s bas'\n".encode("latin-1")
    )
    (folder / "folders" / "moods.toml").mkdir(parents=True)
    if env.pop("BOUNCEBACK_TEST_DOTENV", None):
        (folder / ".env").write_bytes("BOUNCEBACK_CRISIS_CONTACT=Sam M\xfcller\n".encode("latin-1"))
    return env


@pytest.mark.parametrize(("env", "said"), MISTAKES.values(), ids=MISTAKES.keys())
def test_each_configuration_mistake_is_one_line_naming_the_setting_and_exits_2(
    tmp_path: Path, env: dict[str, str], said: str
) -> None:
    result = bounceback(tmp_path, "run", **_lay_out_mistakes(tmp_path, dict(env)))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bounceback: "), (
        result.stderr
    )
    assert said in result.stderr
    assert PASSWORD not in result.stderr


def test_tokens_are_never_echoed(tmp_path: Path) -> None:
    secret = "xoxb-" + "1" * 12 + "-fake"
    result = bounceback(tmp_path, "run", stdin="/help\n", SLACK_BOT_TOKEN=secret, LOG_LEVEL="DEBUG")
    assert secret not in result.stdout + result.stderr


def test_failed_reminders_are_listed_with_their_error_and_can_be_queued_again(
    tmp_path: Path,
) -> None:
    bounceback(tmp_path, "db", "upgrade")
    database = tmp_path / "data" / "bounceback.db"
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO reminders (platform, workspace, kind, due_at, local_due, zone, status, "
            "idempotency_key, attempts, last_error, late, created_at) VALUES ('slack', 'T1', "
            "'reconnect', '2026-11-20 09:00:00', '2026-11-20 09:00:00', 'UTC', 'failed', 'k1', "
            "8, 'HTTP 500: upstream unavailable', 0, '2026-11-01 00:00:00')"
        )
    listed = bounceback(tmp_path, "reminders", "--failed")
    assert "reconnect" in listed.stdout and "HTTP 500: upstream unavailable" in listed.stdout
    assert "1 failed reminder." in listed.stdout
    assert "queued again" in bounceback(tmp_path, "reminders", "--retry").stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT status, attempts FROM reminders").fetchall() == [("pending", 0)]
    assert "0 failed reminders." in bounceback(tmp_path, "reminders").stdout


def add_reminder(database: Path, key: str, status: str, due: str) -> None:
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO reminders (platform, workspace, kind, due_at, local_due, zone, status, "
            "idempotency_key, attempts, last_error, late, created_at) VALUES ('slack', 'T1', "
            "'reconnect', ?, ?, 'UTC', ?, ?, 0, '', 0, '2026-11-01 00:00:00')",
            (due, due, status, key),
        )


def test_status_counts_pending_late_and_failed_reminders_and_names_the_adapters(
    tmp_path: Path,
) -> None:
    bounceback(tmp_path, "db", "upgrade")
    database = tmp_path / "data" / "bounceback.db"
    add_reminder(database, "late", "pending", "2020-01-01 09:00:00")
    add_reminder(database, "later", "pending", "2999-01-01 09:00:00")
    add_reminder(database, "broken", "failed", "2020-01-01 09:00:00")
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO scheduler_heartbeats VALUES ('host:1:abc', '2020-01-01 09:00:00')")
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-" + "2" * 12 + "-fake",
        "SLACK_SIGNING_SECRET": "signing-" + "3" * 12,
        "DISCORD_TOKEN": "discord-" + "4" * 20,
    }
    result = bounceback(tmp_path, "status", SLACK_MODE="http", **secrets)
    assert result.returncode == 0, result.stderr
    assert "2 pending, 1 of them late (due over 2 h ago), 0 being sent, 1 failed" in result.stdout
    assert "scheduler: host:1:abc last ticked " in result.stdout
    assert "(2020-01-01 09:00:00 UTC)" in result.stdout
    assert "adapter: slack (HTTP on port 3000, /healthz beside /slack/events" in result.stdout
    assert "adapter: discord (every shard (as many as Discord recommends))" in result.stdout
    assert not any(secret in result.stdout + result.stderr for secret in secrets.values())


def test_status_before_any_tick_and_without_platforms(tmp_path: Path) -> None:
    result = bounceback(tmp_path, "status")
    assert result.returncode == 0, result.stderr
    assert "0 pending" in result.stdout and "no tick recorded yet" in result.stdout
    assert "adapter: none configured (`bounceback run` opens the console)" in result.stdout


# ---- what stops `bounceback run` from starting: one line saying why, no traceback


def test_a_database_out_of_reach_is_said_in_one_line_and_exits_1(tmp_path: Path) -> None:
    nowhere = "postgresql+psycopg://bounceback@127.0.0.1:9/bounceback"  # nothing listens on 9
    result = bounceback(tmp_path, "run", DATABASE_URL=nowhere)
    assert result.returncode == 1
    assert result.stderr.startswith("bounceback: cannot reach the database (")
    assert "Traceback" not in result.stderr


def test_a_slack_token_slack_refuses_is_said_in_one_line_and_exits_2(tmp_path: Path) -> None:
    async def run() -> subprocess.CompletedProcess:
        async with FakeSlack() as slack:
            slack.fail_next("auth.test", status=200, error="invalid_auth")
            env = {**SLACK_HTTP, "SLACK_API_URL": slack.api_url, "PORT": str(free_port())}
            return await asyncio.to_thread(bounceback, tmp_path, "run", **env)

    result = asyncio.run(run())
    assert result.returncode == 2
    assert result.stderr == "bounceback: Slack refused SLACK_BOT_TOKEN (invalid_auth)\n"


def test_slack_out_of_reach_is_said_in_one_line_and_exits_1_for_a_restart(tmp_path: Path) -> None:
    nowhere = {"SLACK_API_URL": "http://127.0.0.1:9/api/", "PORT": str(free_port())}
    result = bounceback(tmp_path, "run", **SLACK_HTTP, **nowhere)
    assert result.returncode == 1
    assert result.stderr.startswith("bounceback: Slack did not start (ClientConnectorError")
    assert "Traceback" not in result.stderr and SLACK_HTTP["SLACK_BOT_TOKEN"] not in result.stderr


def test_a_discord_token_discord_refuses_is_said_in_one_line_and_exits_2(tmp_path: Path) -> None:
    async def run() -> subprocess.CompletedProcess:
        async with FakeDiscord(token="the-real-token") as discord:
            env = {"DISCORD_TOKEN": "a-stale-token", "DISCORD_API_URL": discord.api_base}
            return await asyncio.to_thread(bounceback, tmp_path, "run", **env)

    result = asyncio.run(run())
    assert result.returncode == 2
    assert result.stderr == "bounceback: Discord refused DISCORD_TOKEN (401 Unauthorized)\n"


def test_discord_sync_with_a_token_discord_refuses_is_one_line_and_exits_2(
    tmp_path: Path,
) -> None:
    async def run() -> tuple[subprocess.CompletedProcess, dict]:
        async with FakeDiscord(token="the-real-token") as discord:
            env = {"DISCORD_TOKEN": "a-stale-token", "DISCORD_API_URL": discord.api_base}
            result = await asyncio.to_thread(bounceback, tmp_path, "discord", "sync", **env)
            return result, discord.commands

    result, published = asyncio.run(run())
    assert result.returncode == 2
    assert result.stderr == "bounceback: Discord refused DISCORD_TOKEN (401 Unauthorized)\n"
    assert not published
