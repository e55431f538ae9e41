"""Any text at any question: the dialogue moves, or the member is kindly asked again.

For each question of each dialogue a member can reach by typing, hypothesis types
arbitrary text there: it never crashes, never goes silent, and either moves the
dialogue on or explains briefly and asks the same question again.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.care import sounds_like_crisis
from bot.conversation.registry import DIALOGUES
from bot.store.models import Conversation
from tests.helpers import PLAN, Chat

EXAMPLES = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TO_PLAN = PLAN[:-1]  # the plan offered, not yet accepted
LOGGED = ("/rejected Acme", "2", "1", "Analyst", "today", "skip", "no")  # applied, no plan
LOGGED_GLOBEX = ("/rejected Globex", "2", "1", "Analyst", "today", "skip", "no")
# How a member reaches each question, typing only: (dialogue, step) -> what they type.
PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("rejected", "mood"): ("/rejected Acme",),
    ("rejected", "stage"): ("/rejected Acme", "2"),
    ("rejected", "facts"): ("/rejected Acme", "2", "3"),
    ("rejected", "contact_role"): ("/rejected Acme", "2", "3", "Analyst", "Jo Li", "today", ""),
    ("rejected", "note"): ("/rejected Acme", "2", "3", "skip", "skip", "today", ""),
    ("rejected", "strength"): ("/rejected Acme", "2", "3", "", "", "today", "", "3"),
    ("rejected", "category"): ("/rejected Acme", "2", "3", "", "", "today", "internal", "keep"),
    ("rejected", "advice_meeting"): ("/rejected Acme", "2", "4", "", "", "today", "", "keep"),
    ("rejected", "pass_on"): ("/rejected Acme", "2", "1", "Analyst", "today", "skip"),
    ("rejected", "plan"): TO_PLAN,
    ("rejected", "trim"): (*TO_PLAN, "Drop some"),
    ("rejected", "move"): (*TO_PLAN, "Move one"),
    ("win", "kind"): ("/win",),
    ("win", "description"): ("/win", "1"),
    ("win", "share"): ("/win Coffee with Ana", "1"),
    ("win", "link"): (*LOGGED, "/win Coffee with Ana", "1"),
    ("feedback", "which"): (*LOGGED, *LOGGED_GLOBEX, "/feedback"),
    ("feedback", "what"): (*LOGGED, "/feedback Acme"),
    ("feedback", "category"): (*LOGGED, "/feedback Acme", "they said I lacked SQL skills"),
    ("feedback", "log_win"): (*LOGGED, "/feedback Acme", "they said I lacked SQL", "1"),
    ("followups", "action"): (*PLAN, "/followups"),
    ("followups", "which"): (*PLAN, "/followups", "Mark one done"),
    ("followups", "when"): (*PLAN, "/followups", "Snooze one", "1"),
    ("settings", "menu"): ("/settings",),
    ("settings", "timezone"): ("/settings", "Time zone"),
    ("settings", "quiet"): ("/settings", "Quiet hours"),
    ("settings", "pause"): ("/settings", "Pause reminders"),
    ("settings", "tell_facilitator"): ("/settings", "If I go quiet"),
    ("forget-me", "confirm"): ("/forget-me",),
    ("checkin", "mood"): ("/checkin",),
    ("checkin", "last_week"): ("/checkin", "Okay"),
    ("checkin", "goal"): ("/checkin", "Okay", "skip"),
    ("checkin", "away"): ("/checkin", "I'm away for a while"),
    ("interview", "company"): ("/interview",),
    ("interview", "day"): ("/interview", "Acme"),
    ("offer", "share"): ("/offer",),
    ("offer", "done_with"): (*PLAN, "/offer", "Keep it private"),
    ("offer", "keep_contacts"): (*PLAN, "/offer", "Keep it private", "All of them"),
    ("group", "menu"): ("/group",),
    ("group", "timezone"): ("/group", "Time zone"),
    ("group", "checkin"): ("/group", "Check-in day and time"),
    ("group", "digest"): ("/group", "Digest day and time"),
    ("group", "nudge"): ("/group", "Goal nudge day"),
    ("group", "facilitator"): ("/group", "Add a facilitator"),
    ("group", "support"): ("/group", "Who members can reach in a hard moment"),
}
# Questions no typing leads to, and where each is tested instead.
ELSEWHERE = {
    ("reminder", "action"): "a delivered reminder: tests/bot/reminders/test_actions.py",
    ("reminder", "which_reminder"): "two delivered reminders: test_actions.py",
    ("reminder", "later"): "a reminder's Another day: test_actions.py",
    ("reminder", "pause"): "the silence rule's offer: tests/bot/reminders",
    ("settings", "first_zone"): "after a Discord member's first plan: test_settings_dialogue.py",
    ("care", "listening"): "held for care, nothing asked: test_care.py",
    ("checkin", "share_goal"): "a group with a channel: tests/bot/checkins/test_dialogue.py",
    ("checkin", "goal_outcome"): "a delivered goal nudge: tests/bot/checkins/test_dialogue.py",
    ("interview", "prepared"): "a delivered prepare: tests/bot/interviews/test_dialogue.py",
    ("interview", "new_day"): "an interview moved: tests/bot/interviews/test_dialogue.py",
    ("interview", "how_it_went"): "the day after: tests/bot/interviews/test_dialogue.py",
    ("interview", "next_round"): "another round: tests/bot/interviews/test_dialogue.py",
    ("offer", "pause_checkins"): "a group's check-ins: tests/bot/interviews/test_offer.py",
    ("offer", "choose"): "its list grows with each replay: tests/bot/interviews/test_offer.py",
}
typed = st.text(min_size=0, max_size=80) | st.sampled_from(
    ("", "skip", "yes", "no", "0", "99", "?", "what do you mean?", "later", "idk", "🙂")
)


def where(core) -> tuple | None:
    with Session(core.engine) as session:
        found = session.scalars(select(Conversation)).first()
        return None if found is None else (found.dialogue, found.step, found.data, found.filling)


@pytest.mark.parametrize("at", PATHS, ids=lambda at: f"{at[0]}.{at[1]}")
def test_any_answer_moves_on_or_is_asked_again(chat: Chat, core, playbook, at) -> None:
    chat.steps(*PATHS[at][:-1])
    arrived = chat.say(PATHS[at][-1])
    assert (where(core) or ())[:2] == at, arrived.text  # the path still leads there
    question = arrived[-1].text

    @EXAMPLES
    @given(text=typed)
    def answer(text: str) -> None:
        assume(not text.strip().startswith("/") and not sounds_like_crisis(text, playbook))
        chat.say("/cancel")
        chat.steps(*PATHS[at])
        before = where(core)
        reply = chat.say(text)
        assert reply and all(r.text.strip() for r in reply)  # never silent, never blank
        if where(core) == before:  # not taken: explained in a line, then asked again
            assert len(reply[0].text) < 300, reply[0].text
            assert question in reply.text, reply.text

    answer()


def test_every_question_is_tried_here_or_named_with_where_it_is_tested() -> None:
    every = {(name, step.name) for name, dialogue in DIALOGUES.items() for step in dialogue.steps}
    assert every == set(PATHS) | set(ELSEWHERE)
