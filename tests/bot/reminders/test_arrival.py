"""What a due follow-up says when it arrives: greeted for the hour it actually comes,
with the note it is about, ready to copy."""

from __future__ import annotations

from datetime import datetime

from tests.helpers import FIRST_DUE, PLAN, Chat, FakeClock, deliver
from tests.support.transport import FakeTransport


def test_an_overdue_morning_reminder_is_greeted_for_the_afternoon(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE.replace(hour=14)  # due at 09:00, sent at 14:00
    deliver(dispatcher)
    assert platform.last.text.startswith("Good afternoon.")
    assert "Morning" not in platform.last.text


def test_the_thank_you_reminder_shows_the_note_the_member_kept(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    assert platform.last.text.startswith("Good morning.")
    assert (platform.last.quote or "").startswith("Hi Jane,")


def test_a_later_reminder_brings_its_own_draft(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = datetime(2026, 11, 30, 9, 30)  # the second ask
    deliver(dispatcher)
    second_ask = platform.last
    assert "second ask" in second_ask.text
    assert "Hi Jane," in (second_ask.quote or "") and "Sam" in (second_ask.quote or "")


def test_a_signature_corrected_once_signs_every_later_draft(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN[:8])
    assert "every draft" in chat.say("its signed sam, my name is priya")
    chat.steps(*PLAN[8:])
    clock.now = datetime(2026, 11, 30, 9, 30)  # the second ask
    deliver(dispatcher)
    second_ask = platform.last.quote or ""
    assert second_ask.endswith("Priya") and "Sam" not in second_ask
