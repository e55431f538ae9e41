"""Draw the README's pictures of the three charts from a made-up group, through the code
the bot runs: thirteen members on a SQLite file live eight weeks of rejections, follow-ups
and wins, typed as a member would, then the digest, the facilitator's view and one
member's /stats are drawn as they would be sent. Run from the project's root:

    .venv/bin/python docs/charts/draw.py

It writes digest.png, facilitator.png and stats.png next to itself and prints the
facilitator's view and the charts' text alternatives. The same seed draws the same
pictures.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # for the tests' helpers

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import Attachment, Member
from bot.group.chart import digest_picture
from bot.group.health import health_view
from bot.playbook import load_playbook
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.groups import Groups
from bot.store.repository import Repository
from tests.bot.group.test_rhythm import share_a_win
from tests.helpers import CHANNEL, PLAN, Chat, FakeClock, plan_for

HERE = Path(__file__).parent
NAMES = (
    *("Sam", "Alex", "Jo", "Lee", "Priya", "Tomás", "Ines", "Kwame", "Dana", "Ravi", "Noor"),
    *("Mei", "Ola"),  # they go quiet
)
COMPANIES = ("Acme", "Globex", "Hooli", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell")
WINS = ("Made a new contact", "Had an advice meeting", "Got a referral")
START = datetime(2026, 10, 9, 10, 0)  # a Friday, eight weeks before the digest drawn


def a_rejection(chat: Chat, company: str, *, final: bool) -> None:
    """After a final round the member also plans to ask for an advice conversation."""
    if not final:
        plan_for(chat, company)
        return
    chat.steps(
        f"/rejected {company}", PLAN[1], "Final round", *PLAN[3:10], "I'll ask for one", PLAN[-1]
    )


def due(core: Bounceback, member: Member) -> list[int]:
    """The numbers /followups gives the member's follow-ups due by now, soonest first."""
    now = core.clock()
    with core.engine.begin() as db:
        repo = Repository.open(db, member, now)
        numbers = repo.reminders.numbering()
        return [numbers[r.id] for r in repo.reminders.open() if r.due_at <= now]


def save(attachment: Attachment, name: str) -> None:
    (HERE / name).write_bytes(attachment.content)
    print(f"{name}: {attachment.description}\n")


def main() -> None:
    pick = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "bounceback.db"))
        upgrade(engine)
        clock = FakeClock(START)
        core = Bounceback(engine, load_playbook(), Settings(data_dir=Path(folder)), clock)
        members = [
            Member("slack", "T1", f"U{n}", display_name=name) for n, name in enumerate(NAMES)
        ]
        Chat(core, members[0], origin=CHANNEL).say("/group channel")  # Sam facilitates
        chats = [Chat(core, member) for member in members]
        chats[-2].say("/settings facilitator on")  # Mei lets the facilitators know
        for week in range(8):
            busy = pick.sample(chats[:-2], k=6 + min(week, 4))
            for chat in busy:
                if pick.random() < 0.6:
                    a_rejection(chat, pick.choice(COMPANIES), final=pick.random() < 0.5)
                for number in due(core, chat.member)[: pick.randint(1, 4)]:
                    chat.say(f"/followups done {number}")
                if pick.random() < 0.4:
                    share_a_win(chat, "A good talk", pick.choice(WINS), shared=True)
                clock.advance(hours=7)
            if week < 2:
                for chat in chats[-2:]:
                    a_rejection(chat, pick.choice(COMPANIES), final=False)
            clock.advance(days=7 - len(busy) * 7 / 24)
        now = clock.now
        with engine.begin() as db:
            groups = Groups(db, "slack", "T1")
            save(digest_picture(groups, now, now), "digest.png")
            view = health_view(groups, now, "UTC")
            print(view.text, "\n")
            save(view.attachments[0], "facilitator.png")
        [stats] = [reply for reply in chats[0].say("/stats") if reply.attachments]
        print(stats.text, "\n")
        save(stats.attachments[0], "stats.png")
        engine.dispose()


if __name__ == "__main__":
    main()
