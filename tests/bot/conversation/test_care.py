"""Noticing real distress: every listed phrase is heard, ordinary disappointment is not.

A missed phrase means coaching someone who needs a person; a false alarm
means treating a bad day as an emergency. Both are tested from the playbook's
own list, so a group that edits it keeps the same guarantees.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.conversation.care import crisis_response, sounds_like_crisis
from bot.conversation.core import Bounceback
from bot.conversation.events import Member
from bot.playbook import load_playbook
from tests.conftest import SAM
from tests.helpers import Chat

PROPERTY = settings(max_examples=200, deadline=None)
PLAYBOOK = load_playbook()  # the shipped one, read once so strategies can draw from it
CRISIS_PHRASES: list[str] = list(PLAYBOOK.table("comfort.crisis_phrases"))
CASES: tuple[Callable[[str], str], ...] = (str.upper, str.lower, str.title, str.swapcase)
WHITESPACE = " \t\n\u00a0\u3000"
# Around a phrase: anything that is not a letter, digit or underscore.
BOUNDARIES = ".,;:!?…()\"'\u2019-*~" + WHITESPACE
# What members say on a hard but ordinary day.
ORDINARY = (
    "I'm gutted",
    "so frustrated",
    "this sucks",
    "I'm really disappointed",
    "I'm annoyed with myself",
    "that one stung",
    "I'm tired of waiting to hear back",
    "ugh, another no",
    "feeling a bit flat today",
    "I thought the interview went well",
    "I'm fed up with job hunting",
    "back to the drawing board",
    "I really wanted this one",
    "I'm done for today",
)

gaps = st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3)
boundaries = st.text(st.sampled_from(BOUNDARIES), min_size=1, max_size=3)


def test_the_ordinary_messages_are_not_in_the_crisis_list() -> None:
    """Guards the test data below: none of them contains a listed phrase at all."""
    for message in ORDINARY:
        typed = message.lower().replace("\u2019", "'")
        assert not any(phrase in typed for phrase in CRISIS_PHRASES), message


@PROPERTY
@given(st.text(max_size=200))
def test_any_text_gets_a_plain_yes_or_no(text: str) -> None:
    assert sounds_like_crisis(text, PLAYBOOK) in (True, False)


@PROPERTY
@given(st.sampled_from(CRISIS_PHRASES), st.sampled_from(CASES), st.data())
def test_each_listed_phrase_is_heard_in_any_case_and_spacing(
    phrase: str, case: Callable[[str], str], data: st.DataObject
) -> None:
    spaced = "".join(word + data.draw(gaps) for word in case(phrase).split())
    assert sounds_like_crisis(spaced, PLAYBOOK)
    assert sounds_like_crisis(spaced.replace("'", "\u2019"), PLAYBOOK)  # a phone's apostrophe


@PROPERTY
@given(
    st.sampled_from(CRISIS_PHRASES),
    st.text(max_size=40),
    st.text(max_size=40),
    boundaries,
    boundaries,
)
def test_each_listed_phrase_is_heard_inside_a_longer_message(
    phrase: str, before: str, after: str, left: str, right: str
) -> None:
    assert sounds_like_crisis(f"{before}{left}{phrase}{right}{after}", PLAYBOOK)


def _folded(text: str) -> str:
    """As a member's words are compared: any case and spacing, with or without
    apostrophes."""
    return " ".join(text.lower().replace("\u2019", "").replace("'", "").split())


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_disappointment_is_not_treated_as_a_crisis(message: str) -> None:
    assert not sounds_like_crisis(message, PLAYBOOK)


@PROPERTY
@given(st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=5), st.sampled_from(CASES))
def test_a_long_vent_of_ordinary_disappointment_is_not_treated_as_a_crisis(
    messages: list[str], case: Callable[[str], str]
) -> None:
    assert not sounds_like_crisis(case(". ".join(messages)), PLAYBOOK)


@PROPERTY
@given(st.text(max_size=40), st.text(max_size=40))
def test_text_without_words_of_despair_is_not_a_crisis(before: str, after: str) -> None:
    """Only a listed phrase, or words the reader groups as hopelessness, can hold a
    conversation for care: "this sucks" among any other characters cannot."""
    text = f"{before} this sucks {after}"
    assume(not any(_folded(phrase) in _folded(text) for phrase in CRISIS_PHRASES))
    assume("hopeless" not in PLAYBOOK.despair_reader.groups_in(text))
    assert not sounds_like_crisis(text, PLAYBOOK)


@pytest.mark.parametrize(
    "message",
    [
        "my kids would manage fine without me around",
        "i honestly dont want to be alive anymore",
        "im so empty inside, nothing left to give and no reason to stay",
        "everyone would cope better if i was gone",
        "ive been reading about painless ways to go",
        "the funeral money is put aside so nobody has to worry",
        "i gave away my guitar and my books this week, i wont need them",
    ],
)
def test_despair_in_words_no_list_has_is_heard(message: str) -> None:
    assert not any(_folded(phrase) in _folded(message) for phrase in CRISIS_PHRASES)
    assert sounds_like_crisis(message, PLAYBOOK)


@pytest.mark.parametrize(
    "message",
    [
        "this job hunt will be the death of me lol",
        "i am dead tired after three interviews",
        "life is so busy, i barely had time to apply",
        "my work life balance there would have been awful",
        "please stop sending me reminders",
        "is there any point applying again next year?",
        "i cant see a way out of this career rut, maybe i need to retrain",
        "I want to die of embarrassment, I called her by the wrong name",
        "killing myself trying to finish these applications",
        "Keep them coming",  # a button's words, typed
    ],
)
def test_strong_words_about_the_search_are_not_despair(message: str) -> None:
    assert not sounds_like_crisis(message, PLAYBOOK)


@pytest.mark.parametrize(
    "message",
    [
        "Honestly I feel hopeless after this one",
        "I can\u2019t take it anymore",
        "Sometimes I think everyone would be better off without me.",
        "I keep thinking about self-harm",
        "no. same as always. its my age. honestly whats the point anymore",
        "i dont see it getting any better to be honest. 30 years working and now this",
    ],
)
def test_distress_as_members_write_it_is_heard(message: str) -> None:
    assert sounds_like_crisis(message, PLAYBOOK)


def test_the_response_names_the_groups_own_contact() -> None:
    contact = "Priya, our facilitator (DM her any time), or Samaritans on 116 123"
    response = crisis_response(PLAYBOOK, contact)
    assert contact in response
    assert PLAYBOOK.text("comfort.default_contact") not in response
    assert "{" not in response and "}" not in response


def test_without_a_configured_contact_the_response_still_offers_someone() -> None:
    response = crisis_response(PLAYBOOK, "")
    assert PLAYBOOK.text("comfort.default_contact") in response
    assert "emergency" in response


def test_a_phrase_in_markdown_italics_is_still_heard() -> None:
    assert sounds_like_crisis("I feel _hopeless_", PLAYBOOK)


# After the first caring answer: still heard (issue 13's transcript).


def held_chat(engine, playbook, clock, zone: str, settings: Settings | None = None) -> Chat:
    bot = Bounceback(engine, playbook, settings or Settings(default_timezone=zone), clock)
    return Chat(bot, SAM)


def test_after_despair_the_member_is_still_heard_and_given_a_real_line(
    engine, playbook, clock
) -> None:
    chat = held_chat(engine, playbook, clock, "Europe/London")
    first = chat.say("I'm worthless, what's the point of any of this")
    assert playbook.text("comfort.default_contact") in first
    assert "116 123" in first  # a real line at once, for their country: nobody has to ask
    help_ = chat.say("who would I even call? I don't know any support line")
    assert "116 123" in help_ and "findahelpline.com" in help_
    assert "Could we talk later?" in help_  # asked again, it gives more than the same list
    goodnight = chat.say("ok. I'm going to stop for today")
    assert "Stopping for today sounds like a kind thing" in goodnight
    replies = [first.text, help_.text, goodnight.text, chat.say("it's all too much").text]
    replies.append(chat.say("i just feel so tired").text)
    assert all(a != b for a, b in pairwise(replies))  # no line twice
    assert not any(r.options for r in (first, help_, goodnight))  # nothing asked of them
    assert "/help shows what I can do" in chat.say("continue")


def test_a_member_who_turns_down_a_hotline_is_heard_and_not_pressed(
    engine, playbook, clock
) -> None:
    chat = held_chat(engine, playbook, clock, "Europe/London")
    chat.say("what's the point of any of this. i can't keep doing this")
    declined = chat.say("i dont want to ring a hotline and cry at a stranger")
    assert "doesn't have to be a stranger" in declined and "116 123" not in declined
    sister = chat.say("maybe my sister. she'd get it")
    assert "good person to reach" in sister and "116 123" not in sister
    chat.say("ill stop for today")
    better = chat.say("hey. bit better today. talked to my sister for ages last night")
    assert "glad to hear" in better and "Stopping for today" not in better
    assert "/help shows what I can do" in chat.say("um im back though? continue")


@pytest.mark.parametrize("message", ["i can't continue like this", "I don't want to carry on"])
def test_saying_they_cannot_go_on_is_never_read_as_continue(
    engine, playbook, clock, message: str
) -> None:
    chat = held_chat(engine, playbook, clock, "Europe/London")
    chat.say("I feel hopeless")
    assert "/help shows what I can do" not in chat.say(message)


def test_the_line_given_is_the_members_countrys(engine, playbook, clock) -> None:
    chat = held_chat(engine, playbook, clock, "America/New_York")
    chat.say("I feel hopeless")
    assert "988" in chat.say("is there a number I can call?")


def test_the_groups_own_contact_comes_first(engine, playbook, clock) -> None:
    settings = Settings(crisis_contact="Priya, our facilitator (DM @priya)")
    chat = held_chat(engine, playbook, clock, "UTC", settings)
    chat.say("I feel worthless")
    help_ = chat.say("who can I talk to")
    assert help_.text.index("Priya, our facilitator") < help_.text.index("findahelpline.com")


def test_the_contact_a_facilitator_sets_is_given_before_the_deployments(
    engine, playbook, clock
) -> None:
    settings = Settings(crisis_contact="the deployment's contact")
    facilitator = held_chat(engine, playbook, clock, "UTC", settings)
    facilitator.say("/group support Priya, our facilitator (DM her any time)")
    member = Chat(facilitator.core, Member("slack", "T1", "U-jo", "Jo"))
    first = member.say("I feel worthless")
    assert "Priya, our facilitator" in first and "the deployment's contact" not in first
    assert "Priya, our facilitator" in member.say("who can I talk to")


def test_a_held_dialogue_resumes_where_it_was(chat: Chat) -> None:
    chat.steps("/rejected Acme", "2")
    chat.say("honestly I feel hopeless")
    chat.say("thanks")
    resumed = chat.say("continue")
    assert "how far did you get" in resumed


def test_a_member_who_meant_the_day_is_believed_and_let_stop(engine, playbook, clock) -> None:
    chat = held_chat(engine, playbook, clock, "Europe/London")
    chat.say("I can't take it anymore")
    reply = chat.say("omg no i'm ok, i didnt mean it like that. i just meant job stuff today")
    assert "I'm glad you're okay" in reply and "continue" in reply


def test_tiredness_with_the_words_of_despair_is_read_as_tiredness() -> None:
    assert not sounds_like_crisis("honestly i can't do this anymore today. can we stop", PLAYBOOK)
    assert sounds_like_crisis("honestly i can't do this anymore", PLAYBOOK)


@pytest.mark.parametrize(
    "message", ["i dont know why i bother", "is there actually any point carrying on"]
)
def test_hopelessness_of_the_third_round_is_heard(message: str) -> None:
    assert sounds_like_crisis(message, PLAYBOOK)
