"""`bounceback`: the composition root, the one module that wires config, store and adapters."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import socket
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError

from adapters.console import ConsoleChat, ConsoleClock, console_member
from adapters.discord.service import sync_commands
from adapters.runner import Runner, StartFailed, adapters
from adapters.slack.manifest import as_text as manifest_text
from bot.config import ConfigError, Settings, load_settings, log_level
from bot.conversation.core import Bounceback, utc_now
from bot.playbook import PlaybookError, load_playbook
from bot.reminders.arrival import LATE_AFTER
from bot.reminders.delivery import Delivery
from bot.store.database import Checkpointer, make_engine, sqlite_url, upgrade
from bot.store.reminders import failed_reminders, retry_failed_reminders
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from scheduler.status import outbox_status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _read_dotenv(Path.cwd() / ".env")
        logging.basicConfig(
            level=log_level(os.environ), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        settings = load_settings(os.environ)
        return args.action(args, settings)
    except (ConfigError, PlaybookError) as problem:
        print(f"bounceback: {problem}", file=sys.stderr)
        return 2
    except StartFailed as problem:  # worth trying again: a supervisor restarts on 1
        print(f"bounceback: {problem}", file=sys.stderr)
        return 1


def _read_dotenv(path: Path) -> None:
    """The environment wins over `.env`; a `.env` that cannot be read is a ConfigError."""
    try:
        load_dotenv(path, interpolate=False, override=False)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounceback", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")
    run = commands.add_parser("run", help="start every configured adapter (the console if none)")
    run.set_defaults(action=_run)
    console = commands.add_parser("console", help="chat with Bounceback in this terminal")
    console.add_argument("--db", type=Path, help="SQLite file to use (default: the data folder's)")
    console.add_argument("--user", default=getpass.getuser(), help="who you are in the chat")
    console.set_defaults(action=_console)
    status = commands.add_parser("status", help="reminders waiting, late or failed; the scheduler")
    status.set_defaults(action=_status)
    reminders = commands.add_parser("reminders", help="reminders that could not be delivered")
    reminders.add_argument("--failed", action="store_true", help="list them (the default)")
    reminders.add_argument("--retry", action="store_true", help="queue them to be sent again")
    reminders.set_defaults(action=_reminders)
    slack = commands.add_parser("slack-manifest", help="print the Slack app manifest to paste")
    slack.add_argument("--url", help="HTTP mode: the public base URL (default: Socket Mode)")
    slack.set_defaults(action=_slack_manifest)
    discord_ = commands.add_parser("discord", help="Discord maintenance")
    discord_commands = discord_.add_subparsers(required=True, metavar="action")
    sync = discord_commands.add_parser("sync", help="publish the slash commands to Discord")
    sync.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="one server, at once (default: DISCORD_DEV_GUILD; without it, every server)",
    )
    sync.set_defaults(action=_discord_sync)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(required=True, metavar="action")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(action=_db_upgrade)
    return parser


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if adapters(settings):
        return asyncio.run(_serve(settings))
    args.db, args.user = None, getpass.getuser()
    return _console(args, settings)


async def _serve(settings: Settings) -> int:
    """The platforms' clients are made inside the loop they will run on."""
    return await Runner(_core(settings), settings, worker_name()).serve()


def _discord_sync(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.discord_token:
        raise ConfigError("bounceback discord sync needs DISCORD_TOKEN, the bot's token")
    guild = args.guild or settings.discord_dev_guild
    count = asyncio.run(sync_commands(_core(settings), settings, guild))
    where = f"server {guild}, usable at once" if guild else "every server, within the hour"
    print(f"bounceback: {count} commands published to {where}.")
    return 0


def _core(settings: Settings) -> Bounceback:
    engine = _database(settings)
    return Bounceback(engine, load_playbook(settings.playbook_dir), settings)


def _console(args: argparse.Namespace, settings: Settings) -> int:
    playbook = load_playbook(settings.playbook_dir)
    engine = _database(settings, args.db)
    clock = ConsoleClock()
    chat = ConsoleChat(
        Bounceback(engine, playbook, settings, clock),
        console_member(args.user),
        sys.stdout,
        settings.data_dir / "exports",
        prompt=sys.stdin.isatty(),
        clock=clock,
    )
    chat.dispatcher = Dispatcher(
        Outbox(engine, worker_name()),
        Delivery(engine, playbook),
        {chat.platform: chat},
        RateLimits.unlimited(),
        clock,
    )
    checkpointer = Checkpointer(engine).start()
    try:
        return chat.run(sys.stdin)
    finally:
        checkpointer.stop()


def _status(_args: argparse.Namespace, settings: Settings) -> int:
    """The outbox and the scheduler at a glance, for an operator (no member data)."""
    engine = _database(settings)
    now = utc_now()
    status = outbox_status(engine, now)
    print(
        f"reminders: {status.pending} pending, {status.late} of them late "
        f"(due over {LATE_AFTER.total_seconds() / 3600:g} h ago), {status.sending} being sent, "
        f"{status.failed} failed" + (" (bounceback reminders --failed)" if status.failed else "")
    )
    if not status.ticks:
        print("scheduler: no tick recorded yet (is `bounceback run` running?)")
    for worker, ticked in status.ticks:
        print(
            f"scheduler: {worker} last ticked {_ago(now - ticked)} ({ticked:%Y-%m-%d %H:%M:%S} UTC)"
        )
    configured = adapters(settings)
    for platform, how in configured.items():
        print(f"adapter: {platform} ({how})")
    if not configured:
        print("adapter: none configured (`bounceback run` opens the console)")
    return 0


def _ago(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _reminders(args: argparse.Namespace, settings: Settings) -> int:
    """Failed reminders with their last error; --retry queues them again, attempts reset."""
    engine = _database(settings)
    with engine.begin() as db:
        rows = failed_reminders(db)
        for row in rows:
            print(
                f"{row.id}\t{row.platform}:{row.workspace}\t{row.kind}"
                f"\tdue {row.due_at:%Y-%m-%d %H:%M}\t{row.attempts} attempts\t{row.last_error}"
            )
        if args.retry and rows:
            retry_failed_reminders(db)
    summary = f"{len(rows)} failed reminder{'s' if len(rows) != 1 else ''}"
    print(f"bounceback: {summary}" + (", queued again." if args.retry and rows else "."))
    return 0


def _slack_manifest(args: argparse.Namespace, _settings: Settings) -> int:
    print(manifest_text(args.url), end="")
    return 0


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    count = _migrated(_opened(settings))
    if count:
        plural = "s" if count != 1 else ""
        print(f"bounceback: {count} migration{plural} applied; the database is up to date.")
    else:
        print("bounceback: the database was already up to date.")
    return 0


def worker_name() -> str:
    """Unique per process, so leases never mix up two workers on one host."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _database(settings: Settings, db: Path | None = None) -> Engine:
    """The engine (the SQLite file `db` if given), its migrations applied."""
    engine = _opened(settings, db)
    _migrated(engine)
    return engine


def _opened(settings: Settings, db: Path | None = None) -> Engine:
    """The engine, connected to once: a database out of reach said in one line (a
    StartFailed), one that cannot be opened a ConfigError naming the setting."""
    url = sqlite_url(db) if db else settings.database
    setting = "--db" if db else settings.database_setting
    if url.startswith("sqlite:///"):
        _folder_for(Path(url.removeprefix("sqlite:///")).parent, setting)
    engine = make_engine(url)
    _connect_once(engine, setting)
    return engine


def _migrated(engine: Engine) -> int:
    """How many migrations were applied; none if the database was up to date."""
    try:
        return upgrade(engine)
    except OperationalError as error:
        raise _out_of_reach(error) from error


def _connect_once(engine: Engine, setting: str) -> None:
    """Before the migrations: a URL the driver refuses (an unknown option) is a mistake in
    the setting, not a database out of reach or a migration's error."""
    try:
        engine.connect().close()
    except OperationalError as error:
        raise _out_of_reach(error) from error
    except (InterfaceError, ProgrammingError) as error:
        raise ConfigError(
            f"{setting}: the database driver refused it ({_first_line(error)})"
        ) from None


def _folder_for(folder: Path, setting: str) -> None:
    """The SQLite file's folder, made if missing."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{setting}: {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"{setting}: cannot make the folder {folder} ({error.strerror})"
        ) from None


def _out_of_reach(error: OperationalError) -> StartFailed:
    return StartFailed(f"cannot reach the database ({_first_line(error)})")


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0]
