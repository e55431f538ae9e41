"""`/followups [done N | cancel N]`: the member's waiting follow-ups, and closing one."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.parsing import InvalidAnswer, numbers
from bot.reminders.describing import describe_day, describe_followup
from bot.store.models import ReminderStatus

_ACTION = re.compile(r"^(done|cancel)\s+(\d{1,3})$", re.IGNORECASE)
CLOSED_AS = {"done": ReminderStatus.DONE, "cancel": ReminderStatus.CANCELLED}


def _paused_note(turn: Turn) -> list[str]:
    """While paused, the dates shown are not when they come: say so."""
    until = turn.repo.member.paused_until
    if until is None or until <= turn.now:
        return []
    local = until.replace(tzinfo=UTC).astimezone(ZoneInfo(turn.repo.member.timezone))
    day = describe_day(local.date(), turn.today)
    return [
        f"(Paused until {day} at {local:%H:%M}: anything due before then waits for it. "
        "/settings resume brings them back now.)"
    ]


class Action(Step):
    name = "action"

    def question(self, turn: Turn) -> Question:
        options = (
            Option("done", "Mark one done"),
            Option("cancel", "Cancel one"),
            Option("close", "That's all"),
        )
        return Pick("Anything to change?", options)

    def answered(self, turn: Turn, value: str) -> type[Which] | None:
        if value == "close":
            return None
        turn.data["action"] = value
        return Which


class Which(Step):
    name = "which"

    def question(self, turn: Turn) -> Question:
        upper = len(turn.data["ids"])
        return Ask("Which number?", lambda raw, _t: numbers(raw, upper=upper)[0])

    def answered(self, turn: Turn, value: int) -> None:
        _close(turn, turn.data["action"], value)


def _close(turn: Turn, action: str, number: int) -> None:
    closed = turn.repo.reminders.close(turn.data["ids"][number - 1], CLOSED_AS[action], turn.now)
    if not closed:
        turn.say("That one was already closed.")
    elif action == "done":
        turn.say(f"Marked number {number} done. Each one keeps a door open.")
    else:
        turn.say(f"Cancelled number {number}.")


@command(
    "See your follow-ups; mark one done or cancel it.",
    CommandOption("action", "done N or cancel N"),
    in_place=True,
)
class FollowupsDialogue(Dialogue):
    name = "followups"
    steps = (Action, Which)

    def begin(self, turn: Turn, args: str) -> type[Action] | None:
        waiting = turn.repo.reminders.open()
        if not waiting:
            turn.say("No follow-ups are waiting. /rejected builds a plan after a no.")
            return None
        turn.data["ids"] = [reminder.id for reminder in waiting]
        if args.strip():
            match = _ACTION.match(args.strip())
            if not match:
                raise InvalidAnswer(
                    "Try `/followups`, `/followups done 2` or `/followups cancel 2`."
                )
            number = numbers(match[2], upper=len(waiting))[0]
            _close(turn, match[1].lower(), number)
            return None
        lines = ["Your follow-ups:", *_paused_note(turn)]
        for number, reminder in enumerate(waiting, start=1):
            lines.append(
                f"{number}. {describe_followup(turn.repo, turn.playbook, reminder, turn.today)}"
            )
        turn.say("\n".join(lines))
        return Action
