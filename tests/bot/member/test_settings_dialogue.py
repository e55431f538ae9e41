"""`/settings`: time zone, quiet hours, a pause and resuming, read as transcripts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.events import Member, Visibility
from bot.rejection.plan import to_utc
from bot.store.models import Conversation, MemberRow, Reminder
from tests.conftest import SAM
from tests.helpers import CHANNEL, Chat, plan_for, snapshot

BERLIN = "Europe/Berlin"
ANA = Member("slack", "T1", "U-ana", display_name="Ana")
SAM_ELSEWHERE = Member("slack", "T2", SAM.user, display_name="Sam")  # same id, other tenant
MENU = "What would you like to change?"
ZONE_QUESTION = "Which time zone are you in?"
QUIET_QUESTION = "When should I keep quiet?"
PAUSE_QUESTION = "For how many weeks?"


def member(core, who: Member = SAM) -> MemberRow:
    with Session(core.engine) as session:
        return session.scalars(
            select(MemberRow).where(
                MemberRow.platform == who.platform,
                MemberRow.workspace == who.workspace,
                MemberRow.user_id == who.user,
            )
        ).one()


def reminders_of(core, who: Member = SAM) -> list[Reminder]:
    member_id = member(core, who).id
    with Session(core.engine) as session:
        query = select(Reminder).where(Reminder.member_id == member_id).order_by(Reminder.id)
        return list(session.scalars(query))


def conversation(core) -> Conversation | None:
    with Session(core.engine) as session:
        return session.scalars(select(Conversation)).first()


# Showing the settings


def test_settings_shows_the_defaults_and_what_can_change(chat: Chat) -> None:
    reply = chat.say("/settings")
    assert "Time zone: UTC, the group's default (it's 14:00 there now)" in reply
    assert "Tell me your own time zone" in reply
    assert "Quiet hours: none" in reply
    assert "Reminders: on" in reply
    assert MENU in reply
    # nothing to resume: no such option
    assert reply.options == ["timezone", "quiet", "pause", "facilitator", "done"]


def test_done_without_a_change_ends_the_dialogue(chat: Chat, core) -> None:
    chat.say("/settings")
    assert "Nothing changed" in chat.say("Done")
    assert conversation(core) is None


def test_from_a_channel_the_settings_continue_in_a_dm(core) -> None:
    reply = Chat(core, SAM, origin=CHANNEL).say("/settings")
    assert reply[0].visibility is Visibility.ONLY_MEMBER
    assert "sent you a direct message" in reply[0].text
    assert all(r.visibility is Visibility.DM for r in reply[1:])


# Time zone


def test_choosing_a_time_zone_by_city(chat: Chat, core) -> None:
    chat.say("/settings")
    question = chat.say("Time zone")
    assert ZONE_QUESTION in question and "Europe/Berlin" in question
    assert question.options == ["keep"]
    reply = chat.say("berlin")
    assert "Your time zone is now Europe/Berlin; it's 15:00 there." in reply
    assert "Anything else?" in reply
    row = member(core)
    assert (row.timezone, row.timezone_chosen) == (BERLIN, True)
    shown = chat.say("/settings")
    assert "Time zone: Europe/Berlin (it's 15:00 there now)" in shown
    assert "group's default" not in shown and "Tell me your own" not in shown


def test_an_unknown_zone_gets_a_suggestion_and_changes_nothing(chat: Chat, core) -> None:
    chat.steps("/settings", "Time zone")
    before = snapshot(core)
    reply = chat.say("Europe/Berlim")
    assert reply[0].text.startswith("I don't know that time zone. Did you mean Europe/Berlin")
    assert ZONE_QUESTION in reply
    assert snapshot(core) == before
    assert "Europe/Berlin" in chat.say("Europe/Berlin")  # still at the same question


def test_an_offset_is_refused_kindly_and_changes_nothing(chat: Chat, core) -> None:
    chat.steps("/settings", "Time zone")
    before = snapshot(core)
    reply = chat.say("UTC+2")
    assert "An offset like UTC+2 doesn't follow daylight saving" in reply
    assert ZONE_QUESTION in reply
    assert snapshot(core) == before


def test_leaving_the_zone_as_it_is_goes_back_to_the_menu(chat: Chat, core) -> None:
    chat.steps("/settings", "Time zone")
    before = snapshot(core)
    reply = chat.say("Leave it as it is")
    assert MENU in reply
    assert snapshot(core)["members"] == before["members"]


# Quiet hours


def test_setting_and_clearing_quiet_hours(chat: Chat, core) -> None:
    chat.steps("/settings", "Quiet hours")
    reply = chat.say("10pm to 7am")
    assert "Quiet hours set: 22:00 to 07:00, your time. Anything due then waits until 07:00." in (
        reply
    )
    row = member(core)
    assert (row.quiet_from, row.quiet_until) == (time(22), time(7))
    assert "Quiet hours: 22:00 to 07:00, your time" in chat.say("/settings")
    question = chat.say("Quiet hours")
    assert QUIET_QUESTION in question and question.options == ["off", "keep"]
    assert "Quiet hours are off" in chat.say("No quiet hours")
    row = member(core)
    assert (row.quiet_from, row.quiet_until) == (None, None)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("whenever", "I couldn't read those hours"),
        ("25:00-07:00", "isn't a time on the clock"),
        ("22:00-22:00", "starts and ends at the same time"),
        ("10-7", "most of the day"),
        ("@everyone 22-7", "leave out @everyone"),
    ],
)
def test_quiet_hours_nonsense_is_explained_and_changes_nothing(
    chat: Chat, core, bad: str, says: str
) -> None:
    chat.steps("/settings", "Quiet hours")
    before = snapshot(core)
    reply = chat.say(bad)
    assert says in reply
    assert len(reply[0].text) < 220
    assert QUIET_QUESTION in reply
    assert snapshot(core) == before


# A pause, and resuming


def test_pausing_for_two_weeks_then_resuming(chat: Chat, core) -> None:
    chat.say("/settings")
    question = chat.press("pause")
    assert PAUSE_QUESTION in question
    assert question.options == ["1", "2", "3", "4"]
    reply = chat.say("2")
    assert "Reminders are paused until Mon 7 Dec at 14:00" in reply
    assert member(core).paused_until == datetime(2026, 12, 7, 14, 0)
    assert reply.options == ["timezone", "quiet", "pause", "facilitator", "resume", "done"]
    assert "Reminders: paused until Mon 7 Dec at 14:00" in chat.say("/settings")
    resumed = chat.say("Resume reminders")
    assert "Welcome back: reminders are on again." in resumed
    assert "resume" not in resumed.options
    assert member(core).paused_until is None
    assert "All set." in chat.say("Done")
    assert conversation(core) is None


def test_a_typed_number_of_weeks_beyond_the_buttons(chat: Chat, core) -> None:
    chat.steps("/settings", "Pause reminders")
    assert "paused until Mon 15 Feb 2027" in chat.say("12 weeks")


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("0", "The shortest pause is 1 day"),
        ("13", "up to 12 weeks"),
        ("lots", "a number of weeks from 1 to 12"),
    ],
)
def test_a_pause_outside_1_to_12_weeks_is_explained_and_changes_nothing(
    chat: Chat, core, bad: str, says: str
) -> None:
    chat.steps("/settings", "Pause reminders")
    before = snapshot(core)
    reply = chat.say(bad)
    assert says in reply
    assert PAUSE_QUESTION in reply
    assert snapshot(core) == before


def test_the_pause_end_is_shown_in_the_member_s_own_time(chat: Chat) -> None:
    chat.say("/settings timezone America/New_York")
    reply = chat.say("/settings pause 1")
    assert "paused until Mon 30 Nov at 09:00" in reply  # 14:00 UTC is 09:00 in New York


def test_a_pause_that_has_run_out_offers_no_resume(chat: Chat, clock) -> None:
    chat.say("/settings pause 1")
    clock.advance(weeks=1, minutes=1)
    reply = chat.say("/settings")
    assert "Reminders: on" in reply
    assert "resume" not in reply.options
    assert "nothing to resume" in chat.say("/settings resume")


# Arguments: one change at once


def test_every_change_as_an_argument(chat: Chat, core) -> None:
    reply = chat.say("/settings timezone Europe/Berlin")
    assert "Your time zone is now Europe/Berlin" in reply
    assert not reply.options and conversation(core) is None
    assert "Quiet hours set: 22:00 to 07:00" in chat.say("/settings quiet 22:00-07:00")
    assert (member(core).quiet_from, member(core).quiet_until) == (time(22), time(7))
    assert "Quiet hours are off" in chat.say("/settings quiet off")
    assert member(core).quiet_from is None
    assert "paused until Mon 7 Dec at 15:00" in chat.say("/settings pause 2")
    assert member(core).paused_until == datetime(2026, 12, 7, 14, 0)
    assert "Welcome back" in chat.say("/settings resume")
    assert member(core).paused_until is None
    assert "nothing to resume" in chat.say("/settings resume")
    assert conversation(core) is None


def test_other_spellings_of_the_arguments(chat: Chat, core) -> None:
    assert "Europe/Berlin" in chat.say("/settings time zone berlin")
    assert "22:00 to 07:00" in chat.say("/settings quiet hours 10pm to 7am")
    assert "paused until" in chat.say("/settings PAUSE two weeks")


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("/settings timezone UTC+2", "An offset like UTC+2"),
        ("/settings timezone Europe/Berlim", "Did you mean Europe/Berlin"),
        ("/settings quiet nonsense", "I couldn't read those hours"),
        ("/settings pause 0", "The shortest pause is 1 day"),
        ("/settings pause 13", "up to 12 weeks"),
        ("/settings pause lots", "a number of weeks from 1 to 12"),
        ("/settings bedtime", "Try `/settings`, `/settings timezone Europe/Berlin`"),
        ("/settings facilitator maybe", "`on` lets the facilitators see your name"),
    ],
)
def test_a_bad_argument_is_explained_and_changes_nothing(
    chat: Chat, core, command: str, says: str
) -> None:
    chat.say("/help")  # Sam exists before the snapshot
    before = snapshot(core)
    reply = chat.say(command)
    assert says in reply
    assert snapshot(core) == before


def test_a_setting_named_without_a_value_is_asked_then_done(chat: Chat, core) -> None:
    assert QUIET_QUESTION in chat.say("/settings quiet")
    reply = chat.say("22:00-07:00")
    assert "Quiet hours set" in reply
    assert "Anything else?" not in reply
    assert conversation(core) is None
    assert ZONE_QUESTION in chat.say("/settings timezone")
    assert "Okay, I've left it as it was." in chat.say("Leave it as it is")
    assert conversation(core) is None
    assert member(core).timezone == "UTC"


def test_being_named_to_the_facilitators_when_quiet_is_off_until_chosen(chat: Chat, core) -> None:
    assert "If you go quiet: the facilitators see a count, not your name" in chat.say("/settings")
    assert member(core).tell_facilitator is False
    asked = chat.say("If I go quiet")
    assert "May they see your name?" in asked and asked.options == ["on", "off", "keep"]
    assert "the facilitators see your name" in chat.say("Yes, they may see my name")
    assert member(core).tell_facilitator is True
    chat.say("/settings facilitator off")
    assert member(core).tell_facilitator is False


def test_an_argument_mid_dialogue_leaves_the_dialogue_where_it_was(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2")
    bad = chat.say("/settings pause lots")
    assert "a number of weeks from 1 to 12" in bad
    assert "how far did you get" in bad
    good = chat.say("/settings quiet off")
    assert "Quiet hours are off" in good
    assert "how far did you get" in good
    assert conversation(core).dialogue == "rejected"


# Re-timing waiting reminders


def test_a_new_time_zone_keeps_the_wall_clock_time_of_waiting_follow_ups(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    planned = reminders_of(core)
    assert [r.kind for r in planned] == ["send_note", "second_ask", "keep_in_touch", "reconnect"]
    assert all(r.zone == "UTC" and r.local_due == r.due_at for r in planned)
    assert "Marked number 1 done" in chat.say("/followups done 1")  # the send_note
    reply = chat.say("/settings timezone Europe/Berlin")
    assert "Your 3 waiting follow-ups keep their time of day, now on Europe/Berlin time." in reply
    after = {r.kind: r for r in reminders_of(core)}
    done = after.pop("send_note")
    assert (done.status, done.due_at, done.zone) == ("done", planned[0].due_at, "UTC")
    for before in planned[1:]:
        moved = after[before.kind]
        assert moved.local_due == before.local_due  # the time the member chose
        assert moved.zone == BERLIN
        assert moved.due_at == to_utc(moved.local_due.date(), moved.local_due.time(), BERLIN)
        assert moved.due_at == before.due_at - timedelta(hours=1)  # winter: Berlin is UTC+1
    listing = chat.say("/followups")  # still shown at the times chosen
    assert "2. Mon 30 Nov at 09:30: Send a friendly second ask" in listing  # numbers stay put


def test_back_to_utc_puts_them_back(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    planned = [(r.due_at, r.zone) for r in reminders_of(core)]
    chat.say("/settings timezone America/New_York")
    assert all(r.due_at.hour == 14 for r in reminders_of(core))  # 09:00 EST
    chat.say("/settings timezone UTC")
    assert [(r.due_at, r.zone) for r in reminders_of(core)] == planned


def test_another_member_s_reminders_are_untouched(core) -> None:
    sam, ana, twin = Chat(core, SAM), Chat(core, ANA), Chat(core, SAM_ELSEWHERE)
    for who in (sam, ana, twin):
        plan_for(who, "Acme")
    theirs = {who: [(r.id, r.due_at, r.zone) for r in reminders_of(core, who)] for who in (ANA,)}
    theirs[SAM_ELSEWHERE] = [(r.id, r.due_at, r.zone) for r in reminders_of(core, SAM_ELSEWHERE)]
    assert "Your 4 waiting follow-ups" in sam.say("/settings timezone Europe/Berlin")
    assert {r.zone for r in reminders_of(core, SAM)} == {BERLIN}
    for who, before in theirs.items():
        assert [(r.id, r.due_at, r.zone) for r in reminders_of(core, who)] == before
        assert member(core, who).timezone == "UTC"
        assert not member(core, who).timezone_chosen
