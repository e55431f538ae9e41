"""Group posts the scheduler missed while it was down: sent when it is back, marked late,
and a late digest counting the week it was due for, so no win is counted twice."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.core import Bounceback
from bot.group.rhythm import DIGEST
from bot.store.groups import Groups
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from tests.helpers import Chat, FakeClock
from tests.support.transport import FakeTransport

FRIDAY_DIGEST = datetime(2026, 11, 27, 16, 0)  # the group's default: Fridays 16:00, UTC
NEXT_DIGEST = datetime(2026, 12, 4, 16, 0)


def tick(dispatcher: Dispatcher) -> None:
    asyncio.run(dispatcher.tick())


def digests(core: Bounceback) -> list[tuple[datetime, bool]]:
    """Each digest row's due time and whether it went out late."""
    with Session(core.engine) as session:
        rows = session.scalars(
            select(Reminder).where(Reminder.kind == DIGEST, Reminder.status == "sent")
        )
        return [(row.due_at, row.late) for row in rows]


def test_a_digest_sent_late_says_so_and_each_win_is_counted_once(
    chat: Chat, core: Bounceback, dispatcher: Dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=["U-sam"], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")
    tick(dispatcher)  # Monday: Friday's digest is planned
    clock.now = datetime(2026, 11, 25, 10, 0)
    chat.steps("/win Coffee with a former manager", "Had an advice meeting", "Share with the group")
    # The scheduler is down from here until Saturday noon.
    clock.now = datetime(2026, 11, 28, 10, 0)
    chat.steps("/win Referral at Hooli", "Got a referral", "Share with the group")
    clock.now = datetime(2026, 11, 28, 12, 0)
    tick(dispatcher)

    [(late, _)] = platform.sent
    assert late.channel == "C-group" and late.late
    text = late.replies[0].text
    assert text.startswith(
        "This week's digest is late: it was due Friday at 16:00, and I was offline for a while.\n"
        "The group's week to Fri 27 Nov:"
    )
    assert "1 win shared with the group (Had an advice meeting)" in text  # Saturday's waits

    clock.now = datetime(2026, 11, 30, 9, 0)
    tick(dispatcher)  # Monday's check-in, on time
    clock.now = NEXT_DIGEST
    tick(dispatcher)
    texts = [message.replies[0].text for message, _ in platform.sent[1:]]
    [following] = [text for text in texts if "week to" in text]
    assert "late" not in following
    assert "1 win shared with the group (Got a referral)" in following  # and not the coffee
    assert digests(core) == [(FRIDAY_DIGEST, True), (NEXT_DIGEST, False)]
