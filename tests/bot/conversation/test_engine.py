"""Every dialogue's graph, walked from its steps' return annotations.

The annotations are the edges: the type checker holds each step to them, and
this walk holds each dialogue to its declared steps, so a step nobody can reach,
or one reached but never declared, fails here instead of in front of a member.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, get_args, get_type_hints

import pytest

from bot.conversation.engine import Dialogue, Pick, Question, Step, Turn
from bot.conversation.registry import DIALOGUES

END = None


def leads_to(function: Callable[..., Any]) -> set[type[Step] | None]:
    """The steps (and END) a `begin` or `answered` says it can return."""
    returned = get_type_hints(function)["return"]
    options = get_args(returned) if isinstance(returned, types.UnionType) else (returned,)
    return {END if option is type(None) else get_args(option)[0] for option in options}


def reachable(dialogue: Dialogue) -> set[type[Step]]:
    found: set[type[Step]] = set()
    entries = {*dialogue.entries, *(step for _, step in dialogue.asks)}
    waiting = (leads_to(dialogue.begin) | entries) - {END}
    while waiting:
        step = waiting.pop()
        found.add(step)
        waiting |= leads_to(step.answered) - {END} - found
    return found


def ends(dialogue: Dialogue) -> set[type[Step]]:
    """The steps from which some path reaches the end of the dialogue."""
    finishing: set[type[Step]] = set()
    changed = True
    while changed:
        changed = False
        for step in set(dialogue.steps) - finishing:
            if leads_to(step.answered) & (finishing | {END}):
                finishing.add(step)
                changed = True
    return finishing


DIALOGUE_NAMES = sorted(DIALOGUES)


@pytest.mark.parametrize("name", DIALOGUE_NAMES)
def test_the_declared_steps_are_exactly_the_reachable_ones(name: str) -> None:
    dialogue = DIALOGUES[name]
    assert reachable(dialogue) == set(dialogue.steps)


@pytest.mark.parametrize("name", DIALOGUE_NAMES)
def test_every_step_has_a_way_to_the_end(name: str) -> None:
    dialogue = DIALOGUES[name]
    assert ends(dialogue) == set(dialogue.steps)


@pytest.mark.parametrize("name", DIALOGUE_NAMES)
def test_a_saved_step_name_finds_its_step(name: str) -> None:
    dialogue = DIALOGUES[name]
    for step in dialogue.steps:
        assert dialogue.step_named(step.name) is step
    assert dialogue.step_named("no-such-step") is None


class Second(Step):
    name = "second"

    def question(self, turn: Turn) -> Question:
        return Pick("?", ())

    def answered(self, turn: Turn, value: Any) -> None:
        return None


class First(Second):
    name = "first"

    def answered(self, turn: Turn, value: Any) -> type[Second]:
        return Second


class Forgetful(Dialogue):
    """Reaches Second through First, but declares only First."""

    name = "forgetful"
    steps = (First,)

    def begin(self, turn: Turn, args: str) -> type[First]:
        return First


def test_the_walk_sees_a_step_left_undeclared() -> None:
    assert reachable(Forgetful()) == {First, Second} != set(Forgetful.steps)


def test_two_steps_of_one_dialogue_cannot_share_a_name() -> None:
    class Also(Second):
        pass

    with pytest.raises(TypeError, match="share a name"):

        class Clash(Dialogue):
            name = "clash"
            steps = (Second, Also)

            def begin(self, turn: Turn, args: str) -> None:
                return None
