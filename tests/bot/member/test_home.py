"""The member's home: waiting follow-ups with their buttons, recent wins, delivery."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from bot.member.settings import set_quiet_hours
from bot.reminders.arrival import parse_action
from bot.store.repository import Repository
from tests.conftest import SAM
from tests.helpers import PLAN, Chat


def test_a_new_member_sees_where_to_start(core) -> None:
    shown = "\n".join(reply.text for reply in core.home(SAM))
    assert "Nothing is waiting" in shown and "none logged yet" in shown
    assert "Reminders arrive in UTC time" in shown


def test_each_waiting_follow_up_comes_with_its_buttons(core, clock) -> None:
    chat = Chat(core, SAM)
    chat.steps(*PLAN)
    chat.steps("/win Coffee with a former manager", "1", "1", "Keep it private")
    with core.engine.begin() as db:
        set_quiet_hours(Repository.open(db, SAM, clock.now), (time(22, 0), time(7, 0)))
    replies = core.home(SAM)
    [note] = [reply for reply in replies if "thank-you" in reply.text]
    assert note.text == "Tomorrow at 09:00: Send your thank-you and feedback request (Acme)"
    assert [parse_action(option.value)[1] for option in note.options] == ["done", "1d", "7d"]
    shown = "\n".join(reply.text for reply in replies)
    assert "Coffee with a former manager" in shown
    assert "never between 22:00 and 07:00" in shown


def test_the_platforms_zone_is_taken_until_the_member_chooses_one(core) -> None:
    def with_zone(zone: str) -> Chat:  # the zone the platform says, riding on the event
        return Chat(core, replace(SAM, platform_zone=zone))

    with_zone("Europe/Berlin").say("/stats")
    assert "Europe/Berlin time" in core.home(SAM)[-1].text
    Chat(core, SAM).say("/settings timezone America/New_York")
    with_zone("Europe/Berlin").say("/stats")
    with_zone("Mars/Olympus").say("/stats")
    assert "America/New_York time" in core.home(SAM)[-1].text
