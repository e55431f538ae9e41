"""Member stories, played through the console as `bounceback console` wires it.

A story is a text file of what one member typed, a line each, after reading what
Bounceback said (lines starting with `#` describe the member). Playing one prints
the whole conversation, so it can be read again as the member would read it:

    .venv/bin/python -m tests.support.stories tests/stories/07_ghosted.txt
"""

from __future__ import annotations

import io
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleClock, console_member
from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.playbook import load_playbook
from bot.reminders.delivery import Delivery
from bot.store.database import make_engine, sqlite_url, upgrade
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits

STORIES = Path(__file__).parents[1] / "stories"
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0)  # every story starts here, UTC


def typed_lines(story: Path) -> list[str]:
    return [line for line in story.read_text().splitlines() if not line.startswith("#")]


def play(story: Path, folder: Path, zone: str = "Europe/London") -> list[tuple[str, str]]:
    """Each typed line with everything Bounceback said after it, in order."""
    engine = make_engine(sqlite_url(folder / "story.db"))
    upgrade(engine)
    clock = ConsoleClock(lambda: MONDAY_MORNING)
    settings = Settings(data_dir=folder, default_timezone=zone)
    core = Bounceback(engine, load_playbook(), settings, clock)
    out = io.StringIO()
    chat = ConsoleChat(core, console_member("sam"), out, folder, prompt=False, clock=clock)
    chat.dispatcher = Dispatcher(
        Outbox(engine, "story"),
        Delivery(engine, core.playbook),
        {chat.platform: chat},
        RateLimits.unlimited(),
        clock,
    )
    exchanges = []
    for line in typed_lines(story):
        chat.take(line)
        exchanges.append((line, out.getvalue()))
        out.seek(0)
        out.truncate()
    engine.dispose()
    return exchanges


def transcript(exchanges: list[tuple[str, str]]) -> str:
    return "".join(f"member> {line}\n\n{said}" for line, said in exchanges)


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(str(path) for path in STORIES.glob("*.txt")):
        with tempfile.TemporaryDirectory() as folder:
            print(f"===== {name}\n{transcript(play(Path(name), Path(folder)))}")
