"""Settings as time passes: a pause and a resume, and the zone asked on first use,
with the real scheduler delivering on an injected clock."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import Member
from bot.playbook import Playbook
from bot.rejection.plan import to_utc
from bot.reminders.delivery import Delivery
from bot.store.models import Conversation, MemberRow, Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.conftest import SAM
from tests.helpers import Chat, FakeClock, plan_for
from tests.support.transport import FakeTransport

LEE = Member("discord", "G1", "U-lee", display_name="Lee")  # Discord tells us no zone
ZONE_QUESTION = "Which time zone are you in?"
LOS_ANGELES = "America/Los_Angeles"


class Scheduler:
    """The real dispatcher over the test database, delivering to in-memory platforms."""

    def __init__(self, core: Bounceback, clock: FakeClock) -> None:
        self.platforms = {name: FakeTransport(name) for name in ("slack", "discord")}
        self.dispatcher = Dispatcher(
            Outbox(core.engine, "test-worker"),
            Delivery(core.engine, core.playbook),
            dict(self.platforms),
            RateLimits.unlimited(),
            clock,
        )

    def tick(self) -> int:
        """Deliver whatever is due now; how many messages went out."""
        return asyncio.run(self.dispatcher.tick()).sent


@pytest.fixture
def scheduler(core: Bounceback, clock: FakeClock) -> Scheduler:
    return Scheduler(core, clock)


def outbox(engine: Engine) -> dict[str, Reminder]:
    with Session(engine) as session:
        return {row.kind: row for row in session.scalars(select(Reminder))}


def open_place(engine: Engine) -> tuple[str, str] | None:
    with Session(engine) as session:
        found = session.scalars(select(Conversation)).first()
        return (found.dialogue, found.step) if found else None


# A pause, and resuming it


@pytest.fixture
def december(clock: FakeClock) -> FakeClock:
    clock.now = datetime(2026, 12, 12, 10, 0)  # a Saturday
    return clock


def test_resume_brings_a_held_reminder_back_at_once(
    chat: Chat, core: Bounceback, scheduler: Scheduler, december: FakeClock
) -> None:
    """Issue 11: paused on 12 Dec, resumed on 15 Dec, the reminder came on 26 Dec."""
    plan_for(chat, "Acme")
    # the note's Sunday (13 Dec) moved to the Monday
    assert outbox(core.engine)["send_note"].local_due == datetime(2026, 12, 14, 9, 0)
    assert "paused until Sat 26 Dec at 10:00" in chat.say("/settings pause 2")
    december.now = datetime(2026, 12, 14, 9, 0)
    assert scheduler.tick() == 0  # held by the pause
    assert outbox(core.engine)["send_note"].due_at == datetime(2026, 12, 26, 10, 0)
    paused = chat.say("/followups")
    assert "Paused until Sat 26 Dec at 10:00" in paused
    assert "Sat 26 Dec at 10:00: Send your thank-you" in paused

    december.now = datetime(2026, 12, 15, 11, 0)
    resumed = chat.say("/settings resume")
    assert "The follow-up that waited for you comes now." in resumed
    listing = chat.say("/followups")
    assert "1. Tue 15 Dec at 11:00: Send your thank-you" in listing
    assert "26 Dec" not in listing and "Paused" not in listing
    assert scheduler.tick() == 1
    [(message, _)] = scheduler.platforms["slack"].sent
    assert "note to Acme" in message.replies[0].text
    assert "late" not in message.replies[0].text
    assert outbox(core.engine)["send_note"].status == "sent"


def test_resume_leaves_a_reminder_whose_time_is_ahead_at_its_own_time(
    chat: Chat, core: Bounceback, scheduler: Scheduler, december: FakeClock
) -> None:
    plan_for(chat, "Acme")
    planned = {kind: row.due_at for kind, row in outbox(core.engine).items()}
    chat.say("/settings pause 1")
    december.now = datetime(2026, 12, 13, 8, 0)
    chat.say("/settings resume")
    assert {kind: row.due_at for kind, row in outbox(core.engine).items()} == planned
    assert scheduler.tick() == 0
    december.now = planned["send_note"]
    assert scheduler.tick() == 1


def test_a_shorter_new_pause_releases_what_the_longer_one_held(
    chat: Chat, core: Bounceback, scheduler: Scheduler, december: FakeClock
) -> None:
    plan_for(chat, "Acme")
    chat.say("/settings pause 4")
    december.now = datetime(2026, 12, 13, 9, 0)
    assert scheduler.tick() == 0
    assert "paused until Tue 15 Dec at 09:00" in chat.say("/settings pause 2 days")
    assert scheduler.tick() == 0  # met afresh by the new pause
    december.now = datetime(2026, 12, 15, 9, 0)
    assert scheduler.tick() == 1  # at the new pause's end, not the old one's (9 Jan)


def test_a_pause_of_three_days_just_pauses_and_leaves_no_question(
    chat: Chat, core: Bounceback, december: FakeClock
) -> None:
    reply = chat.say("/settings pause 3 days")
    assert "Reminders are paused until Tue 15 Dec at 10:00" in reply
    assert "?" not in reply.text and not reply.options
    assert open_place(core.engine) is None
    with Session(core.engine) as session:
        assert session.scalars(select(MemberRow.paused_until)).one() == datetime(
            2026, 12, 15, 10, 0
        )


def test_a_pause_that_cannot_be_read_is_explained_without_a_question(
    chat: Chat, core: Bounceback
) -> None:
    reply = chat.say("/settings pause 2 months")
    assert "a number of weeks from 1 to 12" in reply
    assert "?" not in reply.text and open_place(core.engine) is None


# The time zone, asked on first use


@pytest.fixture
def lee(core: Bounceback) -> Chat:
    return Chat(core, LEE)


def test_a_discord_member_with_no_zone_is_asked_and_their_morning_is_their_own(
    lee: Chat, core: Bounceback, scheduler: Scheduler, clock: FakeClock
) -> None:
    saved = plan_for(lee, "Acme")
    assert "Saved 4 follow-ups" in saved and ZONE_QUESTION in saved
    assert saved.options == [*(zone for zone in saved.options[:-1]), "skip"]
    assert LOS_ANGELES in saved.options
    answer = lee.say("Los Angeles")
    assert "Your time zone is now America/Los_Angeles" in answer
    assert open_place(core.engine) is None
    first = outbox(core.engine)["send_note"]
    assert (first.local_due, first.zone) == (datetime(2026, 11, 24, 9, 0), LOS_ANGELES)
    assert first.due_at == to_utc(date(2026, 11, 24), time(9, 0), LOS_ANGELES)  # 17:00 UTC
    clock.now = datetime(2026, 11, 24, 9, 0)  # 01:00 in Los Angeles: nothing yet
    assert scheduler.tick() == 0
    clock.now = datetime(2026, 11, 24, 17, 0)
    assert scheduler.tick() == 1
    assert scheduler.platforms["discord"].sent[0][0].member == LEE
    again = plan_for(lee, "Globex")
    assert ZONE_QUESTION not in again  # asked once


def test_the_zone_question_takes_a_zone_name_or_a_skip_and_asks_once(
    lee: Chat, core: Bounceback
) -> None:
    assert "Your time zone is now America/Los_Angeles" in (
        plan_for(lee, "Acme") and lee.say(LOS_ANGELES)
    )
    other = Chat(core, Member("console", "local", "kim"))
    assert ZONE_QUESTION in plan_for(other, "Acme")
    assert "I don't know that time zone" in other.say("Atlantis")  # still asked
    skipped = other.say("Skip for now")
    assert "they stay on UTC time" in skipped and "/settings timezone" in skipped
    assert open_place(core.engine) is None
    assert ZONE_QUESTION not in plan_for(other, "Globex")
    assert {r.zone for r in outbox(core.engine).values()} <= {"UTC", LOS_ANGELES}


def test_the_zone_question_never_blocks_a_command(lee: Chat, core: Bounceback) -> None:
    plan_for(lee, "Acme")
    assert "Your follow-ups:" in lee.say("/followups")
    assert ZONE_QUESTION not in plan_for(lee, "Globex")


def test_a_slack_member_whose_profile_gave_a_zone_is_not_asked(
    chat: Chat, core: Bounceback
) -> None:
    Chat(core, replace(SAM, platform_zone="America/New_York")).say("/stats")  # the profile's
    saved = plan_for(chat, "Acme")
    assert "Saved 4 follow-ups" in saved and ZONE_QUESTION not in saved
    assert open_place(core.engine) is None
    assert outbox(core.engine)["send_note"].zone == "America/New_York"


def test_a_member_who_chose_a_zone_is_not_asked(
    engine: Engine, playbook: Playbook, tmp_path: Path, clock: FakeClock
) -> None:
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path), clock)
    lee = Chat(core, LEE)
    lee.say("/settings timezone Europe/Berlin")
    assert ZONE_QUESTION not in plan_for(lee, "Acme")


def test_a_reminder_that_arrives_while_the_zone_question_waits_takes_its_place(
    lee: Chat, core: Bounceback, scheduler: Scheduler, clock: FakeClock
) -> None:
    assert ZONE_QUESTION in plan_for(lee, "Acme")
    clock.now = datetime(2026, 11, 24, 9, 0)
    assert scheduler.tick() == 1
    assert "Marked done" in lee.say("1")  # the reminder's first option, not Los Angeles
    with Session(core.engine) as session:
        assert session.scalars(select(MemberRow.timezone)).one() == "UTC"
