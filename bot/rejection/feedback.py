"""`/feedback [company]`: feedback arrived for an earlier rejection; read it, stop the nudges."""

from __future__ import annotations

from typing import Any

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.parsing import InvalidAnswer, free_text
from bot.rejection.plan import FEEDBACK_NUDGES
from bot.rejection.reason import (
    category_advice,
    category_question,
    confirmed_categories,
    note_reading,
)
from bot.reminders.describing import rejection_label
from bot.wins.dialogue import offer_win, record_win


class Which(Step):
    name = "which"

    def question(self, turn: Turn) -> Question:
        options = tuple(
            Option(str(r.id), rejection_label(r))
            for r in map(turn.repo.rejections.get, turn.data["choices"])
            if r is not None
        )
        return Pick("Which rejection is the feedback about?", options)

    def answered(self, turn: Turn, value: str) -> type[What]:
        turn.data["rejection_id"] = int(value)
        return What


class What(Step):
    name = "what"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Good that you heard back. What did they tell you? Their own words are best.",
            lambda raw, _t: free_text(raw),
        )

    def answered(self, turn: Turn, value: str) -> type[Category]:
        _update(turn, feedback=value, feedback_at=turn.now)
        turn.data["feedback"] = value
        note_reading(turn, value)
        return Category


class Category(Step):
    name = "category"

    def question(self, turn: Turn) -> Question:
        return category_question(turn)

    def answered(self, turn: Turn, value: str) -> type[LogWin]:
        categories = confirmed_categories(turn, value)
        _update(turn, feedback_category=categories[0])
        turn.say(category_advice(turn.playbook, categories, turn.data.get("feedback", "")))
        cancelled = turn.repo.reminders.cancel(turn.data["rejection_id"], FEEDBACK_NUDGES, turn.now)
        if cancelled:
            turn.say(
                f"Since they replied, I've dropped the {cancelled} feedback reminder(s) for it."
            )
        return LogWin


class LogWin(Step):
    """Feedback received is itself one of the wins a follow-up can bring."""

    name = "log_win"

    def question(self, turn: Turn) -> Question:
        return offer_win("Hearing back counts as a win. Shall I log it?")

    def answered(self, turn: Turn, value: str) -> None:
        if value == "no":
            turn.say("Okay, not logged. What they told you is kept with the rejection.")
            return
        record_win(turn, "feedback", "", turn.data["rejection_id"], shared=value == "share")


def _update(turn: Turn, **values: Any) -> None:
    if not turn.repo.rejections.update(turn.data["rejection_id"], **values):
        raise InvalidAnswer("I can't find that rejection any more. /feedback starts again.")


@command(
    "Record feedback you received on an earlier rejection.",
    CommandOption("company", "Which rejection it is about"),
)
class FeedbackDialogue(Dialogue):
    name = "feedback"
    steps = (Which, What, Category, LogWin)

    def begin(self, turn: Turn, args: str) -> type[What] | type[Which] | None:
        recent = turn.repo.rejections.newest(limit=10)
        if not recent:
            turn.say("You haven't logged a rejection yet. /rejected starts one.")
            return None
        wanted = args.strip().lower()
        matches = [r for r in recent if wanted and r.company.lower() == wanted]
        if matches or len(recent) == 1:
            turn.data["rejection_id"] = (matches or recent)[0].id
            return What
        turn.data["choices"] = [r.id for r in recent]
        return Which
