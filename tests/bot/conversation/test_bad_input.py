"""Bad input at any step: a short, kind explanation, nothing changed, same question again."""

from __future__ import annotations

import pytest

from tests.helpers import Chat, snapshot

TOO_LONG = "x" * 4001
RTL = "Acme\u202egnp.exe"

# Where to stop in `/rejected`, and the question that must be asked again.
STEPS = {
    "mood": ((), "How are you feeling"),
    "stage": (("2",), "how far did you get"),
    "role": (("2", "3"), "Role"),
    "date": (("2", "3", "Analyst", "Jane"), "When did the news come?"),
    "reason": (("2", "3", "Analyst", "Jane", "today"), "Did they give a reason?"),
    "plan": (("2", "3", "skip", "skip", "today", "skip", "keep", "skip", "2"), "Sounds good"),
}
BAD = {
    "empty": "",
    "whitespace": "   \t  ",
    "too long": TOO_LONG,
    "control characters": "Acme\x00\x07",
    "right-to-left override": RTL,
    "@everyone": "@everyone look",
    "<!channel>": "<!channel> hi",
    "out of range": "9",
    "emoji only": "🙂🙂",
    "future date": "2099-01-01",
}
# Answers that are fine where free text or a name is wanted.
ACCEPTED_AT = {
    ("role", "out of range"),
    ("reason", "out of range"),
    ("reason", "emoji only"),
    ("role", "future date"),
    ("reason", "future date"),
    # an optional field left empty is skipped, as the form offers
    ("role", "empty"),
    ("role", "whitespace"),
    ("reason", "empty"),
    ("reason", "whitespace"),
    ("date", "empty"),  # the news came today
    ("date", "whitespace"),
}


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("kind", BAD)
def test_bad_input_is_explained_and_changes_nothing(chat: Chat, core, step: str, kind: str) -> None:
    answers, question = STEPS[step]
    chat.steps("/rejected Acme", *answers)
    before = snapshot(core)
    reply = chat.say(BAD[kind])
    if (step, kind) in ACCEPTED_AT:  # fine as a role or a reason: the dialogue moves on
        assert question not in reply.text.split("\n")[0]
        assert snapshot(core) != before
        return
    explanation = reply[0].text
    assert explanation and len(explanation) < 220, explanation
    assert question in reply.text, reply.text
    assert snapshot(core) == before


def test_honest_text_that_reads_like_sql_is_kept_as_typed(chat: Chat, core) -> None:
    """Every query is parameterised, so words like these are only words."""
    company, role = "Drop Table Games", "Clerk; Select Committee on Work"
    reason = "They said my SQL was rusty: I wrote DROP TABLE; select was fine -- next time"
    chat.steps(f"/rejected {company}", "2", "Applied, no interview", role, "today")
    chat.say(reason)
    [row] = snapshot(core)["rejections"]
    assert {company, role, reason} <= set(row)


def test_an_unknown_command_mid_dialogue_is_explained_and_the_question_repeated(chat: Chat, core):
    chat.steps("/rejected Acme", "2")
    before = snapshot(core)
    reply = chat.say("/frobnicate now")
    assert "I don't know /bounceback frobnicate. /bounceback help lists" in reply  # on Slack
    assert "how far did you get" in reply
    assert snapshot(core) == before


def test_a_hostile_command_name_is_not_echoed(chat: Chat) -> None:
    reply = chat.say("/<!channel>")
    assert "<!channel>" not in reply.text
    assert "I don't know that command" in reply


def test_text_outside_any_dialogue_points_to_help(chat: Chat, core) -> None:
    reply = chat.say("hello?")
    assert "/bounceback help" in reply  # on Slack
    assert snapshot(core)["conversations"] == []


def test_an_old_button_is_explained(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2")
    before = snapshot(core)
    reply = chat.press("low")  # the mood button, pressed again after it was answered
    assert "earlier question" in reply
    assert snapshot(core) == before
