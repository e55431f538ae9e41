"""`bounceback`: the composition root, the one module that wires config, store and adapters."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from adapters.console import ConsoleChat, console_member
from bot.config import ConfigError, Settings, load_settings
from bot.core import Bounceback
from bot.playbook import PlaybookError, load_playbook
from bot.store.database import make_engine, sqlite_url, upgrade

log = logging.getLogger("bounceback")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    load_dotenv(Path.cwd() / ".env", interpolate=False, override=False)
    try:
        settings = load_settings(os.environ)
        return args.action(args, settings)
    except (ConfigError, PlaybookError) as problem:
        print(f"bounceback: {problem}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounceback", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")
    run = commands.add_parser("run", help="start every configured adapter (the console if none)")
    run.set_defaults(action=_run)
    console = commands.add_parser("console", help="chat with Bounceback in this terminal")
    console.add_argument("--db", type=Path, help="SQLite file to use (default: the data folder's)")
    console.add_argument("--user", default=getpass.getuser(), help="who you are in the chat")
    console.set_defaults(action=_console)
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(required=True, metavar="action")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(action=_db_upgrade)
    return parser


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.platforms_configured:
        print(
            "bounceback: the Slack and Discord adapters are not part of this version yet; "
            "opening the console instead.",
            file=sys.stderr,
        )
    args.db, args.user = None, getpass.getuser()
    return _console(args, settings)


def _console(args: argparse.Namespace, settings: Settings) -> int:
    url = sqlite_url(args.db) if args.db else settings.database
    core = _core(settings, url)
    chat = ConsoleChat(
        core,
        console_member(args.user),
        sys.stdout,
        settings.data_dir / "exports",
        prompt=sys.stdin.isatty(),
    )
    return chat.run(sys.stdin)


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    upgrade(_engine(settings.database))
    print("bounceback: the database is up to date.")
    return 0


def _core(settings: Settings, url: str) -> Bounceback:
    playbook = load_playbook(settings.playbook_dir)
    engine = _engine(url)
    upgrade(engine)
    return Bounceback(engine, playbook, settings)


def _engine(url: str):  # noqa: ANN202
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(url)
