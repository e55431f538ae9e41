"""`/offer`: congratulations, the win shared only if asked, the check-ins paused, and the
follow-ups of the applications the member is done with stopped (contacts kept)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.groups import Groups
from bot.store.models import MemberRow, Rejection, Reminder, ReminderStatus, Win
from tests.helpers import Chat, FakeClock, place, plan_for, snapshot


def waiting_by_company(core) -> dict[str, set[str]]:
    with Session(core.engine) as session:
        rows = session.execute(
            select(Rejection.company, Reminder.kind)
            .join(Rejection, Reminder.rejection_id == Rejection.id)
            .where(Reminder.status == ReminderStatus.PENDING)
        )
        found: dict[str, set[str]] = {}
        for company, kind in rows:
            found.setdefault(company, set()).add(kind)
        return found


def test_an_offer_pauses_check_ins_and_stops_the_chosen_follow_ups(
    core, chat: Chat, clock: FakeClock
) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=["U-sam"], now=clock.now)
    plan_for(chat, "Acme")
    plan_for(chat, "Globex")
    before = waiting_by_company(core)
    assert {"keep_in_touch", "send_note"} <= before["Acme"]

    assert "Congratulations on the offer from Initech!" in chat.say("/offer Initech")
    chat.say("Keep it private")
    assert "Check-ins stopped" in chat.say("Stop my check-ins")
    listed = chat.say("Let me choose")
    assert "1. Analyst at Acme" in listed and "2. Analyst at Globex" in listed
    assert "Keep the keep-in-touch" in chat.say("1")
    stopped = chat.say("Yes, keep those")
    assert "stopped, the keep-in-touch ones kept" in stopped

    after = waiting_by_company(core)
    assert after["Acme"] == before["Acme"] & {"keep_in_touch", "reconnect"}
    assert after["Globex"] == before["Globex"]
    with Session(core.engine) as session:
        assert session.scalar(select(MemberRow.checkins_on)) is False
        [win] = session.scalars(select(Win))
        assert (win.kind, win.shared) == ("offer", False)
    assert place(core) is None


def test_an_offer_with_nothing_waiting_asks_only_about_sharing(core, chat: Chat) -> None:
    assert "Congratulations on the offer!" in chat.say("/offer")
    kept = chat.say("Keep it private")
    assert "Kept between us" in kept and "Congratulations" not in kept  # said once
    assert place(core) is None


def test_all_of_them_stops_every_waiting_follow_up(core, chat: Chat) -> None:
    plan_for(chat, "Acme")
    chat.steps("/offer Initech", "Keep it private", "All of them")
    assert "stopped." in chat.say("No, stop them all")
    assert waiting_by_company(core) == {}


def test_numbers_outside_the_list_are_asked_again_and_change_nothing(core, chat: Chat) -> None:
    plan_for(chat, "Acme")
    chat.steps("/offer Initech", "Keep it private", "Let me choose")
    before = snapshot(core)
    again = chat.say("7")
    assert "The numbers go from 1 to 1." in again and "Which ones?" in again
    assert snapshot(core) == before
