"""Questions members ask along the way are answered, and the dialogue picks up again."""

from __future__ import annotations

import pytest

from bot.conversation.answers import answer_to, sounds_like_a_question
from bot.playbook import load_playbook
from tests.helpers import Chat

PLAYBOOK = load_playbook()


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("should i even bother asking for feedback?", "one short, polite ask"),
        ("is there even any point chasing them tho", "one short, polite ask"),
        ("would asking for a coffee be too pushy do you think?", "It isn't pushy"),
        ("could we ask him for a quick 15 min call instead?", "a quick call is often easier"),
        ("one q - should i lower my number next time or give a range earlier?", "going rate"),
        ("can i add another check in for april?", "can't add a new reminder"),
    ],
)
def test_a_question_the_playbook_answers_gets_its_answer(asked: str, answered: str) -> None:
    assert answered in (answer_to(asked, PLAYBOOK) or "")


@pytest.mark.parametrize(
    "said", ["pushy recruiters are the worst", "salary was fine", "Thanks, that helps"]
)
def test_a_remark_that_asks_nothing_gets_no_answer(said: str) -> None:
    assert not sounds_like_a_question(said) or answer_to(said, PLAYBOOK) is None


def test_a_question_mid_dialogue_is_answered_and_the_step_asked_again(chat: Chat, core) -> None:
    chat.steps("/rejected Wanderly", "Disappointed", "Runner-up", "Researcher", "Daniel")
    chat.steps("yesterday", "They chose someone else", "Hiring manager", "keep")
    assert "short advice conversation" in chat.say("Someone better qualified got it")
    reply = chat.say("would asking for a coffee be too pushy do you think?")
    assert "It isn't pushy" in reply
    assert "short advice conversation" in reply  # the offer, asked again
    assert "I'll ask for one" in reply.text and "Here is the follow-up plan" not in reply


def test_a_question_outside_any_conversation_is_answered(chat: Chat) -> None:
    reply = chat.say("should i lower my number next time or give a range earlier?")
    assert "going rate" in reply and "haven't kept that" not in reply


def test_an_answer_with_a_question_beside_it_is_taken_and_the_question_answered(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Analyst", "skip", "today")
    chat.steps("It was a tough decision", "keep")
    reply = chat.say("6 obviously. they gave nothing. should i even chase them or is that begging")
    assert "one short, polite ask" in reply
    assert "There's nothing to go on" in reply  # the no-feedback reading: 6 was taken


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        (
            "should i also write to sophie the recruiter separately or is that overkill?",
            "more than one",
        ),
        ("so is it normal to get ghosted after a final round", "it happens a lot"),
        ("can i actually ask them for my test results?", "You can ask"),
        ("what does overqualified actually mean?? is it code for too old", "hides a worry"),
        (
            "do you think its normal to get rejected a lot when you change career?",
            "Career changers",
        ),
        ("how do i actually stop interrupting? i do it when i get excited", "wait a full breath"),
    ],
)
def test_the_questions_of_the_second_round_are_answered(asked: str, answered: str) -> None:
    assert answered in (answer_to(asked, PLAYBOOK) or "")


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("should i mention im learning german? or does that sound desperate", "with a level"),
        ("wouldnt that be a bit much? i dont want to bother him after they said no", "isn't pushy"),
        ("how do i get better at the group exercise bit? i just freeze", "keeping the group on"),
        ("so what should i actually say to dom? he stuck his neck out", "putting your name"),
        ("what does 'range' even mean?? like what were they expecting", "shorthand"),
        ("ok. but how do i explain the 5 year gap next time?", "without apology"),
        ("is it normal for the nhs to take so long?", "take weeks between stages"),
    ],
)
def test_the_questions_of_the_third_round_are_answered(asked: str, answered: str) -> None:
    assert answered in (answer_to(asked, PLAYBOOK) or "")


def test_a_question_near_a_topic_is_not_given_its_answer() -> None:
    assert answer_to("what should I wear to an assessment centre?", PLAYBOOK) is None


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("Should I send the panel chair a thank you?", "thank-you to the panel"),
        ("can i ask nina for the interview notes?", "share any notes or scores"),
        ("did the AI mark me down?", "scored by people against set criteria"),
        ("any tips on making it more data driven?", "one number that supports it"),
        ("what should i change? starting to think it's me", "point to one stage"),
        ("do startups always hire their friends?", "someone they already know"),
    ],
)
def test_the_questions_of_the_fourth_round_are_answered(asked: str, answered: str) -> None:
    assert answered in (answer_to(asked, PLAYBOOK) or "")
