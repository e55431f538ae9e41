"""Words outside any conversation, read for what the member means, as members wrote
them in the held-out rounds: news is celebrated and pointed to its command, a name to
sign with is kept, a question about what is saved is shown the follow-ups."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.helpers import PLAN, Chat, FakeClock, deliver
from tests.support.transport import FakeTransport


@pytest.mark.parametrize(
    ("said", "pointed_to"),
    [
        ("also fwiw i started a new job last week lol. different company", "/bounceback offer"),
        ("they offered me the role!!! can't believe it", "/bounceback offer"),
        ("ok so i got an interview at globex on tuesday", "/bounceback interview Acme thursday"),
        ("chloe actually replied already, said theres another analyst role coming", "/win"),
        ("I have some news: they asked whether I'd consider a six-month consultancy", "offer"),
        ("she answer me yesterday, in january they open new team lead role", "/win"),
    ],
)
def test_news_told_outside_a_conversation_is_celebrated_with_its_command(
    chat: Chat, said: str, pointed_to: str
) -> None:
    reply = chat.say(said).text
    assert pointed_to in reply
    assert "haven't kept that" not in reply


def test_asked_whether_the_plan_was_saved_the_member_is_shown_it(chat: Chat) -> None:
    chat.steps(*PLAN)
    shown = chat.say("did that save the reminders or not?")
    assert "Yes, it's all kept" in shown and "Your follow-ups:" in shown
    assert "1. " in shown.text


def test_asked_about_reminders_with_none_saved_the_member_is_told_so(chat: Chat) -> None:
    assert "No follow-ups are waiting" in chat.say("did it save my reminders?")


def test_a_name_given_outside_a_draft_signs_every_later_one(
    chat: Chat, dispatcher, platform: FakeTransport, clock: FakeClock
) -> None:
    chat.steps(*PLAN)
    assert "signed Aisha from now on" in chat.say("my name is aisha")
    clock.now = datetime(2026, 11, 30, 9, 30)  # the second ask
    deliver(dispatcher)
    assert (platform.last.quote or "").endswith("Aisha")


def test_a_question_that_says_thanks_is_not_taken_for_a_goodbye(chat: Chat) -> None:
    reply = chat.say("should i reply to jonas and say thanks? or is that overkill")
    assert "Take care" not in reply


def test_a_reminder_asked_for_is_answered_honestly(chat: Chat) -> None:
    reply = chat.say("can you remind me friday?")
    assert "can't set a reminder of your own yet" in reply and "snoozed" in reply


def test_a_name_given_at_a_menu_is_kept_and_the_menu_asked_again(chat: Chat, core) -> None:
    chat.steps(*PLAN[:9])  # the draft kept; the reading of the reason is asked
    signed = chat.say("wait i didnt say keep it yet?? it's signed sam, i'm aisha")
    assert "signed Aisha from now on" in signed and "Is that right?" in signed


@pytest.mark.parametrize(
    ("said", "heard"),
    [
        ("kinda nervous ngl, never done a live coding thing", "Nerves before something new"),
        ("feeling way better than last week tbh, thanks", "really good to hear"),
    ],
)
def test_how_the_member_feels_is_answered_not_filed_away(chat: Chat, said: str, heard: str):
    assert heard in chat.say(said)
