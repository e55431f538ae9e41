"""A follow-up's buttons and typed answers, once the scheduler has delivered it: done,
they replied, snooze, another day, skip, log a win, and the pause the silence rule
offers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.events import Member
from bot.store.models import Reminder
from tests.helpers import (
    FIRST_DUE,
    PLAN,
    Chat,
    FakeClock,
    deliver,
    outbox,
    place,
    plan_for,
    thank_yous,
    two_thank_yous_due,
)
from tests.support.transport import FakeTransport


def test_on_plain_text_the_reminder_is_answered_by_its_number(
    chat: Chat, core, dispatcher, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    assert place(core) == ("reminder", "action")
    assert "Marked done" in chat.say("1")
    assert outbox(core)["send_note"][0] == "done" and place(core) is None


def test_they_replied_stops_the_feedback_nudges_but_not_the_rest(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    replied = platform.last.options[1].value
    assert "stopped the feedback nudges" in chat.press(replied)
    statuses = {kind: status for kind, (status, _) in outbox(core).items()}
    assert statuses == {
        "send_note": "done",
        "second_ask": "cancelled",
        "keep_in_touch": "pending",
        "reconnect": "pending",
    }


def test_a_note_sent_days_late_moves_its_second_ask_a_week_on(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    clock.now = datetime(2026, 11, 27, 18, 0)  # sent on the Friday evening, three days on
    done = chat.press(platform.last.options[0].value)
    assert "If they haven't answered by Thu 3 Dec, I'll help you ask once more." in done
    assert outbox(core)["second_ask"] == ("pending", datetime(2026, 12, 3, 9, 30))


def test_snoozed_until_tomorrow_it_comes_back_at_the_same_local_time(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    assert "bring it back Tomorrow at 09:00" in chat.press(platform.last.options[2].value)
    assert outbox(core)["send_note"] == ("pending", datetime(2026, 11, 25, 9, 0))
    clock.now = datetime(2026, 11, 25, 9, 0)
    assert deliver(dispatcher).sent == 1
    assert len(platform.sent) == 2


def test_another_day_asks_when_and_takes_a_weekday(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    assert "When should I bring it back?" in chat.say("Another day")
    assert "That date hasn't" not in chat.say("in 2 days")
    assert outbox(core)["send_note"] == ("pending", datetime(2026, 11, 26, 9, 0))


def test_skip_closes_it_and_log_a_win_opens_the_win_dialogue(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    assert "Skipped" in chat.press(platform.last.options[6].value)
    clock.now = datetime(2026, 11, 30, 9, 30)  # the second ask: Sunday's moved to Monday
    deliver(dispatcher)
    win = chat.press(platform.last.options[-1].value)
    assert "What kind of win was it?" in win
    assert outbox(core)["second_ask"][0] == "done" and place(core) == ("win", "kind")


def test_a_reminder_during_another_dialogue_leaves_it_alone_and_its_buttons_work(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    chat.say("/rejected Globex")
    deliver(dispatcher)
    assert place(core) == ("rejected", "mood")
    reply = chat.press(platform.last.options[0].value)
    assert "Marked done" in reply and "We were in the middle of something" in reply
    assert place(core) == ("rejected", "mood")


def test_after_three_unanswered_a_pause_is_offered_instead_of_a_fourth(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    for day in (24, 30):  # the second ask's Sunday moved to the Monday
        clock.now = datetime(2026, 11, day, 10, 0)
        deliver(dispatcher)
    clock.now = datetime(2027, 1, 11, 10, 0)  # keep-in-touch: the third unanswered
    deliver(dispatcher)
    clock.now = datetime(2027, 2, 22, 10, 0)  # reconnect would be the fourth
    deliver(dispatcher)
    assert "Shall I pause them" in platform.last.text
    assert outbox(core)["reconnect"][0] == "pending"
    clock.advance(days=2)
    assert deliver(dispatcher).sent == 0  # held while the offer waits for an answer
    assert "Glad to hear from you" in chat.say("Keep them coming")
    assert deliver(dispatcher).sent == 1
    assert "three months" in platform.last.text


def test_another_members_buttons_do_nothing_to_mine(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    mallory = Chat(core, Member("slack", "T1", "U-mallory", "Mallory"))
    assert "already closed" in mallory.press(platform.last.options[0].value)
    assert outbox(core)["send_note"][0] == "sent"


def test_typed_skip_and_snooze_are_understood(chat: Chat, core, dispatcher, clock) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    asked = chat.say("snooze")
    assert "Did you mean “Tomorrow”, “In 3 days”, “Next week” or “Another day”?" in asked
    assert "bring it back Tomorrow at 09:00" in chat.say("tomorrow please")
    clock.now = datetime(2026, 11, 25, 9, 0)
    deliver(dispatcher)
    assert "Skipped" in chat.say("skip")
    assert outbox(core)["send_note"][0] == "skipped"


def test_a_reminder_answered_days_later_still_counts(
    chat: Chat, core, dispatcher, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    deliver(dispatcher)
    clock.advance(days=4)  # past the 72 hours after which a dialogue is set aside
    reply = chat.say("done")
    assert "Marked done" in reply and "set it aside" not in reply
    assert outbox(core)["send_note"][0] == "done"


def test_two_reminders_out_at_once_are_each_answerable_by_typing(
    chat: Chat, core, dispatcher, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    plan_for(chat, "Globex")  # a second rejection, its thank-you due with the first
    clock.now = FIRST_DUE
    assert deliver(dispatcher).sent == 2
    asked = chat.say("done")
    assert "Which one is that for?" in asked
    assert "(Acme)" in asked and "(Globex)" in asked
    answered = chat.say("Acme")
    assert "Marked done" in answered
    assert "Globex" in answered  # the other one is asked again
    assert "Skipped" in chat.say("skip")
    with Session(core.engine) as session:
        closed = {
            r.rejection_id: r.status
            for r in session.scalars(select(Reminder))
            if r.status != "pending"
        }
    assert sorted(closed.values()) == ["done", "skipped"]


def test_a_button_on_one_of_two_reminders_leaves_the_other_to_a_typed_answer(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    two_thank_yous_due(chat, clock)
    deliver(dispatcher)
    acme = platform.sent[0][0].replies[-1]
    assert "Marked done" in chat.press(next(o.value for o in acme.options if o.label == "Done"))
    assert "Skipped" in chat.say("skip that one")  # only Globex is left to mean
    assert thank_yous(core) == {"Acme": "done", "Globex": "skipped"}


def test_a_reply_to_a_reconnect_gets_help_answering_it(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    for due in (FIRST_DUE, datetime(2026, 11, 30, 9, 30), datetime(2027, 1, 11, 9, 30)):
        clock.now = due
        deliver(dispatcher)
        chat.say("done")
    clock.now = datetime(2027, 2, 22, 9, 30)  # three months on: the reconnect
    deliver(dispatcher)
    replies = [reply for message, _ in platform.sent for reply in message.replies]
    reconnect = next(reply for reply in replies if "three months" in reply.text)
    replied = next(o.value for o in reconnect.options if o.label == "They replied")
    answer = chat.press(replied)
    assert "answer while it's warm" in answer
    assert "Hi Jane," in (answer[-1].quote or "") and "twenty minutes" in (answer[-1].quote or "")
