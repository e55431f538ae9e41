"""`/feedback`: feedback that arrived later, read and acted on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Rejection, Reminder, Win
from tests.helpers import Chat, plan_for


def test_without_a_rejection_there_is_nothing_to_attach_to(chat: Chat) -> None:
    assert "haven't logged a rejection yet" in chat.say("/feedback")


def test_feedback_is_read_and_the_feedback_nudges_stop(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    question = chat.say("/feedback")
    assert "What did they tell you?" in question
    reading = chat.say("They hired an internal candidate who already knew the team")
    assert "An internal candidate got it. Is that right?" in reading
    advice = chat.say("yes")
    assert "dropped the 2 feedback reminder(s)" in advice
    assert "weigh" in advice.text
    celebrated = chat.say("Log it privately")
    assert celebrated.text
    with Session(core.engine) as session:
        rejection = session.scalars(select(Rejection)).one()
        assert rejection.feedback.startswith("They hired an internal")
        assert rejection.feedback_category == "internal_candidate"
        statuses = {r.kind: r.status for r in session.scalars(select(Reminder))}
        win = session.scalars(select(Win)).one()
    assert statuses == {
        "send_note": "cancelled",
        "second_ask": "cancelled",
        "keep_in_touch": "pending",
        "reconnect": "pending",
    }
    assert (win.kind, win.rejection_id, win.shared) == ("feedback", rejection.id, False)


def test_with_several_rejections_the_member_picks_one(chat: Chat, core) -> None:
    plan_for(chat, "Acme")
    plan_for(chat, "Globex")
    question = chat.say("/feedback")
    assert "Which rejection" in question and "Analyst at Acme" in question
    named = chat.say("/feedback globex")
    assert "What did they tell you?" in named
    chat.steps("They wanted deeper SQL skills", "yes", "No, thanks")
    with Session(core.engine) as session:
        by_company = {r.company: r.feedback for r in session.scalars(select(Rejection))}
    assert by_company == {"Acme": "", "Globex": "They wanted deeper SQL skills"}


def test_feedback_in_the_member_s_own_words_is_read_by_the_same_reader(chat: Chat) -> None:
    plan_for(chat, "Acme")
    chat.say("/feedback")
    reading = chat.say("the panel said I talked over them a lot and my answers ran long")
    assert "How I came across. Is that right?" in reading
