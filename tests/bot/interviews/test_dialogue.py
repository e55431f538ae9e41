"""An interview told to Bounceback: noted, prepared for the evening before, asked
about the morning after, and followed wherever it went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import InterviewRow, Reminder, ReminderStatus
from bot.store.reminders import INTERVIEW_AFTER, INTERVIEW_PREPARE
from tests.helpers import Chat, FakeClock, arrivals, place, snapshot
from tests.support.transport import FakeTransport

# Sam's clock starts on Mon 23 Nov 14:00 (UTC, Sam's zone too).
WEDNESDAY_EVENING = datetime(2026, 11, 25, 18, 0)
FRIDAY_MORNING = datetime(2026, 11, 27, 10, 0)


def interview_rows(core) -> list[tuple[str, str, datetime]]:
    with Session(core.engine) as session:
        found = session.scalars(
            select(Reminder).where(Reminder.interview_id.is_not(None)).order_by(Reminder.id)
        )
        return [(row.kind, row.status, row.due_at) for row in found]


def test_an_interview_is_prepared_for_the_evening_before_and_asked_about_after(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    noted = chat.say("/interview Globex thursday")
    assert "Noted: your interview with Globex, on Thu 26 Nov" in noted
    assert "the evening before, and ask how it went on Fri 27 Nov" in noted
    assert interview_rows(core) == [
        (INTERVIEW_PREPARE, ReminderStatus.PENDING, WEDNESDAY_EVENING),
        (INTERVIEW_AFTER, ReminderStatus.PENDING, FRIDAY_MORNING),
    ]

    [prepare] = arrivals(dispatcher, platform, clock, WEDNESDAY_EVENING)
    assert prepare.startswith("Good evening. Tomorrow is your interview with Globex.")
    assert "one story from your own work" in prepare and "Two questions of your own" in prepare
    assert "Good luck" in chat.say("thanks, I'm ready")

    [after] = arrivals(dispatcher, platform, clock, FRIDAY_MORNING)
    assert "How did the interview with Globex go?" in after
    no = chat.say("they said no")
    assert "I'm sorry the news from Globex wasn't what you hoped for" in no
    assert place(core) == ("rejected", "mood")


def test_the_list_names_the_skill_the_member_was_last_told_they_lacked(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today")
    chat.steps("They wanted more Kubernetes experience", "/cancel")
    chat.say("/interview Globex thursday")
    [prepare] = arrivals(dispatcher, platform, clock, WEDNESDAY_EVENING)
    assert "after Acme: have a story ready that shows Kubernetes" in prepare


def test_an_interview_that_moved_is_planned_again(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.say("/interview Globex thursday")
    arrivals(dispatcher, platform, clock, WEDNESDAY_EVENING)
    assert "When is it now?" in chat.say("It's moved")
    assert "Moved: the interview with Globex is on Mon 30 Nov now." in chat.say("monday")
    assert [(kind, status) for kind, status, _ in interview_rows(core)] == [
        (INTERVIEW_PREPARE, ReminderStatus.DONE),
        (INTERVIEW_AFTER, ReminderStatus.CANCELLED),
        (INTERVIEW_PREPARE, ReminderStatus.PENDING),
        (INTERVIEW_AFTER, ReminderStatus.PENDING),
    ]


def test_a_cancelled_interview_brings_nothing_more(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.say("/interview Globex thursday")
    arrivals(dispatcher, platform, clock, WEDNESDAY_EVENING)
    assert "Sorry it fell through" in chat.say("It's been cancelled")
    assert arrivals(dispatcher, platform, clock, datetime(2026, 12, 5, 12, 0)) == []


def test_a_member_still_waiting_is_asked_again_a_week_on_twice_at_most(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.say("/interview Globex thursday")
    arrivals(dispatcher, platform, clock, FRIDAY_MORNING)
    assert "I'll ask again on Fri 4 Dec" in chat.say("no news yet")
    arrivals(dispatcher, platform, clock, datetime(2026, 12, 4, 10, 0))
    assert "I'll ask again on Fri 11 Dec" in chat.say("still waiting")
    arrivals(dispatcher, platform, clock, datetime(2026, 12, 11, 10, 0))
    assert "I won't ask again about this one" in chat.say("still waiting")
    assert arrivals(dispatcher, platform, clock, datetime(2026, 12, 20, 12, 0)) == []


def test_another_round_plans_the_next_interview(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.say("/interview Globex thursday")
    arrivals(dispatcher, platform, clock, FRIDAY_MORNING)
    assert "When is it?" in chat.say("Another round is booked")
    assert "Noted: your interview with Globex, on Wed 2 Dec" in chat.say("wednesday")
    with Session(core.engine) as session:
        assert [row.outcome for row in session.scalars(select(InterviewRow))] == ["next", ""]


def test_an_offer_the_morning_after_is_congratulated(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.say("/interview Globex thursday")
    arrivals(dispatcher, platform, clock, FRIDAY_MORNING)
    offer = platform.sent[-1][0].replies[0].options[2].value
    assert "Congratulations on the offer from Globex!" in chat.press(offer)
    assert place(core) == ("offer", "share")


def test_an_interview_told_too_late_for_the_evening_before_gets_its_list_at_once(
    core, chat: Chat, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 23, 20, 0)
    noted = chat.say("/interview Globex tomorrow")
    assert "Here's a short list to get ready with now" in noted
    assert "one story from your own work" in noted
    assert [kind for kind, _, _ in interview_rows(core)] == [INTERVIEW_AFTER]


def test_the_company_and_day_are_asked_for_when_not_given(core, chat: Chat) -> None:
    assert "Which company" in chat.say("/interview")
    assert "When is it?" in chat.say("Globex")
    assert "Noted: your interview with Globex, tomorrow" in chat.say("tomorrow")


def test_a_day_that_cannot_be_read_is_asked_again_and_changes_nothing(core, chat: Chat) -> None:
    chat.steps("/interview", "Globex")
    before = snapshot(core)
    again = chat.say("sometime soonish")
    assert "I couldn't read that date" in again and "When is it?" in again
    assert snapshot(core) == before
