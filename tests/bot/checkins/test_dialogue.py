"""A week of check-ins, as members live it: one who answers, one who skips, one who is
away, one who opts out; the goal nudge; buttons pressed late or mid-conversation."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.groups import Groups
from bot.store.models import CheckinRow, Reminder, ReminderStatus
from bot.store.reminders import GOAL_NUDGE, WEEKLY_CHECKIN
from tests.helpers import Chat, FakeClock, arrivals, deliver, place
from tests.support.transport import FakeTransport

MONDAY_9 = datetime(2026, 11, 30, 9, 0)  # the group's default check-in, in UTC here


@pytest.fixture
def group(core, chat: Chat, clock: FakeClock) -> None:
    """Sam's group, with a channel, and Sam known to Bounceback."""
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=["U-sam"], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-group")
    chat.say("/checkin on")


def rows(core, kind: str) -> list[Reminder]:
    with Session(core.engine) as session:
        return list(session.scalars(select(Reminder).where(Reminder.kind == kind)))


def answers(core) -> list[CheckinRow]:
    with Session(core.engine) as session:
        return list(session.scalars(select(CheckinRow)))


@pytest.mark.usefixtures("group")
def test_a_member_who_answers_is_asked_three_things_and_nudged_on_the_goal(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    [checkin] = arrivals(dispatcher, platform, clock, MONDAY_9)
    assert checkin.startswith("Good morning. How are you doing this week?")
    assert "/bounceback checkin off ends these" in checkin  # the first one says how to stop
    assert "what moved last week" in chat.say("pretty rough week tbh").text.lower()
    assert "One small goal" in chat.say("sent two applications, not much else")
    shared = chat.say("one follow-up and one coffee chat")
    assert "I'll ask how it went on Thursday." in shared
    done = chat.say("Share my goal")
    assert "Shared" in done and "next Monday" in done
    [week] = answers(core)
    assert (week.mood, week.last_week, week.goal, week.goal_shared) == (
        "rough",
        "sent two applications, not much else",
        "one follow-up and one coffee chat",
        True,
    )
    assert rows(core, WEEKLY_CHECKIN)[0].status == ReminderStatus.DONE

    [nudge] = arrivals(dispatcher, platform, clock, datetime(2026, 12, 3, 9, 0))
    assert "How is this week's goal going?" in nudge and "one coffee chat" in nudge
    assert "Part of a goal is still real progress" in chat.say("mostly")
    assert answers(core)[0].goal_outcome == "partly"
    assert place(core) is None

    [next_week] = arrivals(dispatcher, platform, clock, datetime(2026, 12, 7, 9, 0))
    assert "checkin off" not in next_week  # said once, the first time


@pytest.mark.usefixtures("group")
def test_a_member_who_skips_is_not_asked_why_and_hears_again_next_week(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    arrivals(dispatcher, platform, clock, MONDAY_9)
    skipped = chat.say("skip")
    assert "No check-in this week, and no need to explain" in skipped
    assert answers(core) == []
    assert rows(core, WEEKLY_CHECKIN)[0].status == ReminderStatus.SKIPPED
    assert len(arrivals(dispatcher, platform, clock, datetime(2026, 12, 7, 9, 0))) == 1


@pytest.mark.usefixtures("group")
def test_a_member_who_is_away_is_skipped_until_they_are_back(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    arrivals(dispatcher, platform, clock, MONDAY_9)
    assert "How many weeks" in chat.say("I'm away for a while")
    assert "no check-ins until the week of Mon 14 Dec" in chat.say("2 weeks")
    assert arrivals(dispatcher, platform, clock, datetime(2026, 12, 13, 23, 0)) == []
    [back] = arrivals(dispatcher, platform, clock, datetime(2026, 12, 14, 9, 0))
    assert "How are you doing this week?" in back


@pytest.mark.usefixtures("group")
def test_a_member_who_opts_out_is_never_asked_until_they_opt_in(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    deliver(dispatcher)  # Monday's check-in is planned
    assert "Check-ins stopped" in chat.say("/checkin off")
    assert arrivals(dispatcher, platform, clock, datetime(2026, 12, 28, 12, 0)) == []
    assert "Mondays at 09:00" in chat.say("/checkin on")
    assert len(arrivals(dispatcher, platform, clock, datetime(2027, 1, 4, 9, 0))) == 1


@pytest.mark.usefixtures("group")
def test_goals_are_not_asked_when_the_group_does_not_ask_for_them(
    core, chat: Chat, clock: FakeClock
) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").update(ask_goals=False)
    chat.steps("/checkin", "Good")
    assert "I'll ask again next Monday" in chat.say("two interviews booked")
    assert rows(core, GOAL_NUDGE) == []


@pytest.mark.usefixtures("group")
def test_a_check_in_waits_while_the_member_is_in_a_conversation(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    arrivals(dispatcher, platform, clock, datetime(2026, 11, 30, 8, 0))
    chat.say("/rejected Acme")
    assert arrivals(dispatcher, platform, clock, datetime(2026, 11, 30, 10, 0)) == []
    chat.say("/cancel")
    assert len(arrivals(dispatcher, platform, clock, datetime(2026, 11, 30, 11, 0))) == 1


@pytest.mark.usefixtures("group")
def test_a_check_in_button_pressed_mid_conversation_keeps_the_conversation(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    arrivals(dispatcher, platform, clock, MONDAY_9)
    # the group's post goes out beside it, in either order: the member's own DM
    [checkin] = [message for message, _ in platform.sent if message.member is not None]
    good = checkin.replies[-1].options[3].value
    chat.say("/rejected Acme")
    pressed = chat.press(good)
    assert "Let's finish what we're in first" in pressed
    assert place(core) == ("rejected", "mood")
    chat.say("/cancel")
    assert "Let's use the momentum" in chat.press(good)  # the button still works
    chat.steps("skip", "skip")
    assert "already answered" in chat.press(good)


def test_a_check_in_asked_for_works_without_a_group(core, chat: Chat) -> None:
    assert "How are you doing this week?" in chat.say("/checkin")
    chat.steps("up and down", "skip")
    assert "I'll ask again next week" in chat.say("skip")
    [week] = answers(core)
    assert (week.mood, week.goal) == ("mixed", "")


def test_an_interview_mentioned_in_a_check_in_is_offered_its_preparation(chat: Chat) -> None:
    chat.steps("/checkin", "okay")
    assert "/bounceback interview Acme thursday" in chat.say("got a final round at Globex!")
    chat.say("prepare for it")  # the goal
    chat.say("/interview Globex in 5 days")
    chat.steps("/checkin", "okay")
    assert "/bounceback interview" not in chat.say("the Globex interview is coming up")


def test_an_unknown_switch_is_explained_and_changes_nothing(core, chat: Chat) -> None:
    said = chat.say("/checkin sometimes")
    assert "/bounceback checkin on" in said and "away 3" in said
    assert place(core) is None


@pytest.mark.usefixtures("group")
def test_unanswered_check_ins_follow_the_silence_rule(
    core, chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    weeks = arrivals(dispatcher, platform, clock, datetime(2026, 12, 14, 9, 0))
    assert len(weeks) == 3 and all("How are you doing this week?" in week for week in weeks)
    [fourth] = arrivals(dispatcher, platform, clock, datetime(2026, 12, 21, 9, 0))
    assert "Shall I pause them for a while?" in fourth
