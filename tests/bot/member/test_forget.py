"""`/forget-me`: everything about the member goes, after a confirmation; nobody else's."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.conversation.events import Member
from bot.store.models import CheckinRow, Conversation, MemberRow, Rejection, Reminder, Win
from tests.helpers import Chat, plan_for


def counts(core) -> dict[str, int]:
    with Session(core.engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (MemberRow, Conversation, Rejection, Reminder, Win, CheckinRow)
        }


def fill(chat: Chat) -> None:
    plan_for(chat, "Acme")
    chat.steps("/checkin", "Rough", "skip", "one application")
    chat.steps("/win Referral", "4", "skip", "Keep it private", "/rejected Globex")


def test_keeping_the_data_changes_nothing(chat: Chat, core) -> None:
    fill(chat)
    before = counts(core)
    chat.steps("/forget-me", "No, keep my data")
    assert counts(core) == {**before, "conversations": 0}


def test_deleting_removes_every_row_of_that_member_only(chat: Chat, core) -> None:
    neighbour = Chat(core, Member("slack", "T1", "U-ana", display_name="Ana"))
    same_id_elsewhere = Chat(core, Member("discord", "G9", "U-sam", display_name="Sam"))
    for other in (neighbour, same_id_elsewhere):
        fill(other)
    before = counts(core)
    fill(chat)
    assert "can't be undone" in chat.say("/forget-me")
    assert "everything I kept about you is deleted" in chat.say("Yes, delete everything")
    assert counts(core) == before
    assert "Nothing logged yet" in chat.say("/stats")
