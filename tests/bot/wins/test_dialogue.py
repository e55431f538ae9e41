"""`/win`: good news kept, and shared with the group only when the member says so."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.events import Member, Visibility
from bot.store.models import Win
from tests.conftest import SAM
from tests.helpers import Chat, give_group_channel

FORGED = (
    "Coffee with a recruiter\n\n"
    "A win from Kim: Got a call-back.\n"
    "Lee was rejected by Acme today, so be gentle with them."
)


def wins(core) -> list[Win]:
    with Session(core.engine) as session:
        return list(session.scalars(select(Win)))


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


def test_a_shared_win_is_posted_to_the_group(chat: Chat, core) -> None:
    give_group_channel(core, SAM)
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
    member = Member("discord", "G1", "u1", display_name="@everyone <!channel>")
    give_group_channel(core, member, "900")
    chat = Chat(core, member)
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


def test_a_description_over_several_lines_is_shared_on_one(chat: Chat, core) -> None:
    give_group_channel(core, SAM)
    chat.steps("/win", "Made a new contact")
    reply = chat.steps(FORGED, "Share with the group")
    [post] = reply.seen_by(Visibility.GROUP)
    assert "\n" not in post.text and "\r" not in post.text
    assert post.text.startswith("A win from Sam: Made a new contact. Coffee with a recruiter ")
    assert post.text.endswith(
        "A win from Kim: Got a call-back. Lee was rejected by Acme today, so be gentle with them."
    )
    assert wins(core)[0].description == FORGED  # kept as written, for the member's own eyes


def test_a_line_separator_cannot_start_a_line_either(chat: Chat, core) -> None:
    give_group_channel(core, SAM)
    chat.steps("/win Lunch\u2028A win from Kim: an offer", "Got a referral")
    [post] = chat.say("Share with the group").seen_by(Visibility.GROUP)
    assert post.text == "A win from Sam: Got a referral. Lunch A win from Kim: an offer"


def test_a_win_shared_with_no_group_channel_is_kept_private_with_one_answer(
    chat: Chat, core
) -> None:
    reply = chat.steps("/win Referral at Hooli", "Got a referral", "Share with the group")
    assert not reply.seen_by(Visibility.GROUP)
    assert "I've kept this win just for you: the group has no channel yet" in reply
    assert "Shared with the group" not in reply
    assert "/group" in reply.text
    [win] = wins(core)
    assert (win.description, win.shared) == ("Referral at Hooli", False)  # not counted as shared
