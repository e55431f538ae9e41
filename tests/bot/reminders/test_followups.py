"""`/followups`: the waiting follow-ups, marked done or cancelled."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Reminder
from tests.helpers import Chat, plan_for


def statuses(core) -> list[str]:
    with Session(core.engine) as session:
        return [r.status for r in session.scalars(select(Reminder).order_by(Reminder.due_at))]


def test_nothing_waiting(chat: Chat) -> None:
    assert "No follow-ups are waiting" in chat.say("/followups")


def test_the_list_is_numbered_in_due_order(chat: Chat) -> None:
    plan_for(chat, "Acme")
    listing = chat.say("/followups")
    assert "1. Tomorrow at 09:00: Send your thank-you and feedback request (Acme)" in listing
    assert "4. " in listing and "5. " not in listing.text.split("Anything to change?")[0]


def test_mark_one_done_through_the_dialogue(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    chat.steps("/followups", "Mark one done")
    assert "Marked number 1 done" in chat.say("1")
    assert statuses(core) == ["done", "pending", "pending", "pending"]


def test_done_and_cancel_as_arguments(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    assert "Cancelled number 2" in chat.say("/followups cancel 2")
    assert "Marked number 1 done" in chat.say("/followups done 1")
    assert statuses(core) == ["done", "cancelled", "pending", "pending"]
    out_of_range = chat.say("/followups done 9")
    assert "The numbers waiting are 3 and 4" in out_of_range  # numbers stay put (issue 13)
    assert "Try `/followups" in chat.say("/followups finish everything")
    assert statuses(core) == ["done", "cancelled", "pending", "pending"]


def test_numbers_stay_put_when_one_is_closed(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    assert "Cancelled number 2" in chat.say("/followups cancel 2")
    listing = chat.say("/followups")
    assert "\n1. " in listing.text and "\n3. " in listing.text and "\n2. " not in listing.text
    assert "Cancelled number 3" in chat.say("/followups cancel 3")  # still the third
    assert statuses(core) == ["pending", "cancelled", "cancelled", "pending"]


def test_a_follow_up_can_be_snoozed_from_the_list(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    chat.steps("/followups", "Snooze one", "1")
    assert "I'll bring it back" in chat.say("next friday")
    assert statuses(core).count("pending") == 4
    assert "Until when?" in chat.say("/followups snooze 2")


def test_marking_several_done_never_says_the_same_line_twice(chat: Chat) -> None:
    plan_for(chat, "Acme")
    said = [chat.say(f"/followups done {number}").text for number in (1, 2, 3)]
    words = [line.split(" done. ", 1)[1] for line in said]  # after "Marked number N done."
    assert len(set(words)) == 3, words
