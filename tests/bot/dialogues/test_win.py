"""`/win`: good news kept, and shared with the group only when the member says so."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.events import Member, Visibility
from bot.store.models import Win
from tests.helpers import Chat


def test_a_private_win_is_kept_and_not_posted(chat: Chat, core, playbook) -> None:
    chat.say("/win")
    chat.say("Landed an interview")
    chat.say("Second round at Hooli next week")
    reply = chat.say("Keep it private")
    assert playbook.text("wins.kinds.interview.celebrate") in reply
    assert not reply.seen_by(Visibility.GROUP)
    with Session(core.engine) as session:
        win = session.scalars(select(Win)).one()
    assert (win.kind, win.description, win.shared) == (
        "interview",
        "Second round at Hooli next week",
        False,
    )


def test_a_shared_win_is_posted_to_the_group(chat: Chat) -> None:
    reply = chat.steps(
        "/win Coffee with the hiring manager", "Had an advice meeting", "Share with the group"
    )
    [post] = reply.seen_by(Visibility.GROUP)
    assert "Sam" in post.text and "Coffee with the hiring manager" in post.text


def test_a_win_can_be_linked_to_a_rejection(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "1", "skip", "today", "skip", "no, keep it private")
    question = chat.steps("/win", "Got a call-back", "skip")
    assert "Did it come from one of your follow-ups?" in question
    chat.steps("Acme (23 Nov)", "Keep it private")
    with Session(core.engine) as session:
        assert session.scalars(select(Win)).one().rejection_id is not None


def test_a_display_name_cannot_ping_the_group(core) -> None:
    chat = Chat(core, Member("discord", "G1", "u1", display_name="@everyone <!channel>"))
    reply = chat.steps("/win A referral", "Got a referral", "Share with the group")
    [post] = reply.seen_by(Visibility.GROUP)
    assert "@everyone" not in post.text and "<!channel>" not in post.text
    assert "everyone" in post.text  # the name is kept, made harmless


def test_a_description_with_a_mass_mention_is_refused_and_nothing_starts(chat: Chat, core) -> None:
    reply = chat.say("/win @here I got an offer")
    assert "leave out @everyone" in reply
    assert "What kind of win" not in reply
    with Session(core.engine) as session:
        assert session.scalars(select(Win)).first() is None
