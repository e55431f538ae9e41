"""The end of `/rejected`: a follow-up plan the member accepts, trims or moves.

The plan is proposed from the stage reached and the mood (PLAYBOOK section 8)
and kept in the dialogue's data until accepted; only then is it stored as
reminders with due times.
"""

from __future__ import annotations

import re
from datetime import date

from bot.conversation.engine import Ask, Question, Step, Turn
from bot.conversation.events import Option
from bot.member.settings_dialogue import ask_zone_once
from bot.parsing import InvalidAnswer, future_date, items_named, pick
from bot.rejection.plan import KEPT_NOTES, PlannedReminder, propose, reminder_rows
from bot.rejection.reason import CANCELLED
from bot.reminders.describing import describe_day


def offer_plan(turn: Turn) -> type[Plan] | None:
    """Propose the plan, leaving out what the member already declined."""
    plan = propose(
        turn.playbook,
        stage=turn.data["stage"],
        mood=turn.data.get("mood", ""),
        heard_on=date.fromisoformat(turn.data["heard_on"]),
        today=turn.today,
        ghosted=bool(turn.data.get("ghosted")),
    )
    if not turn.data.get("advice_meeting"):
        plan = [item for item in plan if item.kind != "advice_meeting"]
    if not turn.data.get("note"):  # no first note, so no reminder of it, and no second ask
        plan = [item for item in plan if item.kind not in (*KEPT_NOTES, "second_ask")]
    if turn.data.get("situation") == CANCELLED:  # no decision was made, so no feedback to ask
        plan = [item for item in plan if item.kind != "second_ask"]
    turn.data["plan"] = [item.as_data() for item in plan]
    if plan:
        return Plan
    _finish(turn, saved=0)
    return None


ACCEPTING = (
    "looks good",
    "looks fine",
    "looks great",
    "fine",
    "perfect",
    "great",
    "all good",
    "sensible",
    "reasonable",
    "works for me",
    "that works",
    "seems good",
    "seems fine",
)


PLAN_OPTIONS = (
    Option("yes", "Sounds good", also=ACCEPTING),  # a plain "yep" accepts it
    Option("trim", "Drop some"),
    Option("move", "Move one"),
    Option("none", "No reminders"),
)
DROPPING = re.compile(r"\b(?:drop|remove|take (?:\w+ )*out|cancel|don'?t need|skip|lose)\b")
MOVING = re.compile(r"\b(?:move|push|earlier|sooner|later|bring (?:\w+ )*forward)\b")


def _plan_answer(
    raw: str, named: list[Option], today: date
) -> str | tuple[str, list[int]] | tuple[str, tuple[int, str]]:
    """A choice, or a change said at once: "drop 3", "move the coffee chat to monday"."""
    if raw in {option.value for option in PLAN_OPTIONS}:
        return raw
    said = raw.lower()
    dropping = _last_said(said, DROPPING) > _last_said(said, MOVING)  # the last word counts
    if MOVING.search(said) and not dropping:
        try:
            return "move", _move(raw, named, today)
        except InvalidAnswer:
            pass
    if dropping:
        try:
            return "drop", items_named(raw, named)
        except InvalidAnswer:
            pass
    return pick(raw, PLAN_OPTIONS)


class Plan(Step):
    name = "plan"

    def question(self, turn: Turn) -> Question:
        lines = [
            f"{number}. {describe_day(item.day, turn.today)} at {item.at:%H:%M}: "
            + turn.playbook.text(f"plan.reminders.{item.kind}.label")
            for number, item in enumerate(_plan(turn), start=1)
        ]
        text = "Here is the follow-up plan I'd suggest. I'll send each one as a DM.\n" + "\n".join(
            lines
        )
        named = _described(turn)
        return Ask(
            text,
            lambda raw, t: _plan_answer(raw, named, t.today),
            options=PLAN_OPTIONS,
            sentences=True,
        )

    def answered(
        self, turn: Turn, value: str | tuple[str, list[int]] | tuple[str, tuple[int, str]]
    ) -> type[Plan] | type[Trim] | type[Move] | None:
        if isinstance(value, tuple):  # "take the second feedback one out", said at once
            change, detail = value
            if change == "drop":
                assert isinstance(detail, list)
                return Trim().answered(turn, detail)
            assert isinstance(detail, tuple)
            return Move().answered(turn, detail)
        if value == "trim":
            return Trim
        if value == "move":
            return Move
        plan = _plan(turn) if value == "yes" else []
        turn.repo.reminders.add(
            reminder_rows(
                plan,
                rejection_id=turn.data["rejection_id"],
                zone=turn.repo.member.timezone,
                now=turn.now,
            )
        )
        _finish(turn, saved=len(plan))
        return None


class Trim(Step):
    name = "trim"

    def question(self, turn: Turn) -> Question:
        named = _described(turn)
        return Ask(
            "Which ones should I drop? Give their numbers, like `2` or `2, 4`.",
            lambda raw, _t: items_named(raw, named),
        )

    def answered(self, turn: Turn, value: list[int]) -> type[Plan] | None:
        kept = [item for number, item in enumerate(_plan(turn), 1) if number not in value]
        turn.data["plan"] = [item.as_data() for item in kept]
        if kept:
            return Plan
        _finish(turn, saved=0)
        return None


class Move(Step):
    name = "move"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Which one, and to when? For example `2 next monday` or `3 2026-12-15`.",
            lambda raw, t: _move_answer(raw, _described(t), t.today),
        )

    def answered(self, turn: Turn, value: str | list[int] | tuple[int, str]) -> type[Plan] | None:
        """A day for one item; or, when the member meant otherwise, back to the plan
        ("never mind") or the items dropped ("no i meant drop number 2")."""
        if isinstance(value, str):
            return Plan
        if isinstance(value, list):
            return Trim().answered(turn, value)
        number, day = value
        plan = _plan(turn)
        moved = PlannedReminder(plan[number - 1].kind, date.fromisoformat(day), plan[number - 1].at)
        plan[number - 1] = moved
        turn.data["plan"] = [item.as_data() for item in sorted(plan, key=lambda i: (i.day, i.at))]
        return Plan


_MOVE = re.compile(r"^\s*(\d{1,2})[\s,:.-]+(.+)$")
NEVER_MIND = "never mind"
_NEVER_MIND = re.compile(r"\b(?:never ?mind|forget it|leave it|go back|back to the plan)\b")


def _move_answer(raw: str, named: list[Option], today: date) -> str | list[int] | tuple[int, str]:
    said = raw.lower()
    if _NEVER_MIND.search(said):
        return NEVER_MIND
    if _last_said(said, DROPPING) > _last_said(said, MOVING):  # "i didnt mean move, drop 2"
        return items_named(raw, named)
    return _move(raw, named, today)


def _last_said(said: str, words: re.Pattern[str]) -> int:
    return max((found.start() for found in words.finditer(said)), default=-1)


def _move(raw: str, named: list[Option], today: date) -> tuple[int, str]:
    """`2 next monday`, or the item by its words and the day in a sentence: "move the
    coffee chat to friday"."""
    match = _MOVE.match(raw)
    if match:
        number, when = int(match[1]), match[2]
        if not 1 <= number <= len(named):
            raise InvalidAnswer(f"The plan's numbers go from 1 to {len(named)}.")
    else:
        try:
            which = items_named(raw, named)
        except InvalidAnswer:
            which = []
        if len(which) != 1:
            raise InvalidAnswer(
                "Please give the item's number, then the day: like `2 next monday`."
            ) from None
        number, when = which[0], raw
    return number, future_date(when, today=today).isoformat()


def _described(turn: Turn) -> list[Option]:
    """The plan's items as a member may name them: by number, label or other words."""
    reminders = turn.playbook.table("plan.reminders")
    return [
        Option(item.kind, reminders[item.kind]["label"], also=tuple(reminders[item.kind]["also"]))
        for item in _plan(turn)
    ]


def _finish(turn: Turn, *, saved: int) -> None:
    if saved:
        turn.say(
            f"Saved {saved} follow-up{'s' if saved != 1 else ''}. /followups shows them "
            "any time, and each one comes with done, snooze and skip."
        )
        ask_zone_once(turn)
    turn.say(turn.playbook.text("comfort.keep_going"))


def _plan(turn: Turn) -> list[PlannedReminder]:
    return [PlannedReminder.from_data(item) for item in turn.data["plan"]]
