"""`/followups [done N | snooze N | cancel N]`: the member's waiting follow-ups, each
under a number that stays put, and closing or snoozing one."""

from __future__ import annotations

import re
from datetime import UTC, date
from zoneinfo import ZoneInfo

from bot.conversation.commands import CommandOption, command
from bot.conversation.engine import Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.parsing import InvalidAnswer, future_date
from bot.reminders.actions import snooze_to
from bot.reminders.describing import describe_day, describe_followup, done_line
from bot.store.models import ReminderStatus

_ACTION = re.compile(r"^(done|cancel|snooze)\s+#?(\d{1,3})$", re.IGNORECASE)
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
            Option("snooze", "Snooze one"),
            Option("cancel", "Cancel one"),
            Option("close", "That's all"),
        )
        return Pick("Anything to change?", options)

    def answered(self, turn: Turn, value: str) -> type[Which] | None:
        if value == "close":
            turn.say("Okay. /followups brings them back whenever you like.")
            return None
        turn.data["action"] = value
        return Which


class Which(Step):
    name = "which"

    def question(self, turn: Turn) -> Question:
        return Ask("Which number?", lambda raw, t: _reminder_id(t, raw))

    def answered(self, turn: Turn, value: int) -> type[When] | None:
        if turn.data["action"] == "snooze":
            turn.data["reminder_id"] = value
            return When
        _close(turn, turn.data["action"], value)
        return None


class When(Step):
    name = "when"

    def question(self, turn: Turn) -> Question:
        return Ask(
            "Until when? Say `monday`, `in 5 days` or a date.",
            lambda raw, t: future_date(raw, today=t.today).isoformat(),
        )

    def answered(self, turn: Turn, value: str) -> None:
        snooze_to(turn, turn.data["reminder_id"], date.fromisoformat(value))


def _reminder_id(turn: Turn, raw: str) -> int:
    """The reminder a number shown in the list stands for; numbers stay put, so a
    number closed a moment ago is refused rather than read as another one."""
    number = raw.strip().lstrip("#").rstrip(".")
    reminder_id = turn.data["ids"].get(number)
    if reminder_id is None:
        shown = list(turn.data["ids"])
        listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]
        raise InvalidAnswer(f"The numbers waiting are {listed}.")
    return int(reminder_id)


def _close(turn: Turn, action: str, reminder_id: int) -> None:
    number = next(n for n, rid in turn.data["ids"].items() if rid == reminder_id)
    closed = turn.repo.reminders.close(reminder_id, CLOSED_AS[action], turn.now)
    if not closed:
        turn.say("That one was already closed.")
    elif action == "done":
        turn.say(f"Marked number {number} done. {done_line(turn.repo, turn.playbook)}")
    else:
        turn.say(f"Cancelled number {number}.")


@command(
    "See your follow-ups; mark one done, snooze it or cancel it.",
    CommandOption("action", "done N, snooze N or cancel N"),
    in_place=True,
)
class FollowupsDialogue(Dialogue):
    name = "followups"
    steps = (Action, Which, When)

    def begin(self, turn: Turn, args: str) -> type[Action] | type[When] | None:
        waiting = turn.repo.reminders.open()
        if not waiting:
            turn.say("No follow-ups are waiting. /rejected builds a plan after a no.")
            return None
        numbering = turn.repo.reminders.numbering()
        turn.data["ids"] = {str(numbering[reminder.id]): reminder.id for reminder in waiting}
        if args.strip():
            match = _ACTION.match(args.strip())
            if not match:
                raise InvalidAnswer(
                    "Try `/followups`, `/followups done 2`, `/followups snooze 2` "
                    "or `/followups cancel 2`."
                )
            reminder_id = _reminder_id(turn, match[2])
            if match[1].lower() == "snooze":
                turn.data["reminder_id"] = reminder_id
                return When
            _close(turn, match[1].lower(), reminder_id)
            return None
        lines = ["Your follow-ups:", *_paused_note(turn)]
        for reminder in waiting:
            described = describe_followup(turn.repo, turn.playbook, reminder, turn.today)
            lines.append(f"{numbering[reminder.id]}. {described}")
        turn.say("\n".join(lines))
        return Action
