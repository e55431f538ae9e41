"""`/checkin [on | off | away N | back]`: the weekly check-in each member answers in
their DM, and the nudge on its goal later in the week.

A check-in arrives on its own (bot/checkins/arrival.py) and becomes the member's open
question; `/checkin` alone asks it now. Three things are asked: how they are doing,
what moved last week, and one small goal (when the group asks for goals). Everything
stays private; the member may share the goal, and only the goal, with the group's
digest. Its buttons answer their own week whenever they are pressed
(bot/reminders/asking.py).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.checkins.arrival import (
    AWAY,
    COMMAND,
    SKIP_WEEK,
    checkin_message,
    mood_options,
    nudge_message,
    outcome_options,
)
from bot.checkins.planning import goal_nudge_row
from bot.conversation.commands import CommandOption, command, typed_as
from bot.conversation.engine import SKIP, Ask, Dialogue, Pick, Question, Step, Turn
from bot.conversation.events import Option
from bot.member.settings import pause_length
from bot.parsing import InvalidAnswer, day_name, free_text, optional
from bot.reminders.asking import parse_ask_value
from bot.store.groups import Rhythm, add_posts
from bot.store.models import ReminderStatus
from bot.store.reminders import GOAL_NUDGE, WEEKLY_CHECKIN

GOAL_LENGTH = 300
MANUAL = 0  # the row of a check-in the member asked for themselves: none


def _group(turn: Turn) -> Rhythm | None:
    group = turn.repo.group.find()
    return group if group is not None and group.rhythm_on else None


def _next_day(turn: Turn) -> str:
    group = _group(turn)
    return day_name(group.checkin_day) if group is not None else "week"


def _say(turn: Turn, name: str, **facts: str) -> None:
    turn.say(turn.playbook.text(f"checkins.{name}", **facts))


def _close(turn: Turn, status: ReminderStatus) -> None:
    row = turn.data.get("reminder_id") or MANUAL
    if row != MANUAL:
        turn.repo.reminders.close(row, status, turn.now)


def _week(turn: Turn) -> int:
    """The id of this week's answers, begun now if they are not yet."""
    week_of = date.fromisoformat(turn.data["week_of"])
    return turn.repo.checkins.of_week(week_of, turn.now).id


def _typed(turn: Turn, switch: str = "") -> str:
    """`/checkin back` as the member types it where they are."""
    typed = typed_as(CheckinDialogue.name, turn.member.platform, own_slack_command=False)
    return f"{typed} {switch}".strip()


def _thanks(turn: Turn) -> None:
    _say(turn, "thanks", day=_next_day(turn))


_INTERVIEW = re.compile(
    r"\b(?:interview\w*|final round|onsite|on-site|(?:phone|tech\w*) screen)\b", re.IGNORECASE
)


def _point_to_interviews(turn: Turn, line: str) -> None:
    """A check-in that mentions an interview, when none is noted yet, says how to note
    it: the preparation list and the "how did it go?" follow from there."""
    if not _INTERVIEW.search(line):
        return
    if any(interview.on >= turn.today for interview in turn.repo.interviews.every()):
        return
    command = typed_as("interview", turn.member.platform, own_slack_command=False)
    _say(turn, "interview_hint", command=command)


def _a_line_or_nothing(raw: str, _turn: Turn) -> str:
    return "" if optional(raw) else free_text(raw, max_length=GOAL_LENGTH)


class Mood(Step):
    name = "mood"

    def question(self, turn: Turn) -> Question:
        row = turn.data.get("reminder_id") or MANUAL
        message = checkin_message(turn.playbook, row, None)
        return Pick(message.text, mood_options(turn.playbook, row))

    def answered(self, turn: Turn, value: str) -> type[LastWeek] | type[Away] | None:
        parsed = parse_ask_value(value)
        assert parsed is not None  # the options are all check-in values
        choice = parsed[1]
        if choice == SKIP_WEEK:
            _close(turn, ReminderStatus.SKIPPED)
            _say(turn, "skipped", day=_next_day(turn))
            return None
        if choice == AWAY:
            return Away
        turn.repo.checkins.update(_week(turn), mood=choice)
        _close(turn, ReminderStatus.DONE)
        _say(turn, f"moods.{choice}.response")
        return LastWeek


class LastWeek(Step):
    name = "last_week"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("checkins.last_week"),
            _a_line_or_nothing,
            options=(SKIP,),
        )

    def answered(self, turn: Turn, value: str) -> type[Goal] | None:
        turn.repo.checkins.update(_week(turn), last_week=value)
        _point_to_interviews(turn, value)
        group = turn.repo.group.find()
        if group is not None and not group.ask_goals:
            _thanks(turn)
            return None
        return Goal


class Goal(Step):
    name = "goal"

    def question(self, turn: Turn) -> Question:
        return Ask(
            turn.playbook.text("checkins.goal"),
            _a_line_or_nothing,
            options=(SKIP,),
        )

    def answered(self, turn: Turn, value: str) -> type[ShareGoal] | None:
        if not value:
            _thanks(turn)
            return None
        week = _week(turn)
        turn.repo.checkins.update(week, goal=value)
        _point_to_interviews(turn, value)
        group = _group(turn)
        if group is not None:
            _plan_nudge(turn, group, week)
        if group is not None and group.channel:
            return ShareGoal
        _thanks(turn)
        return None


def _plan_nudge(turn: Turn, group: Rhythm, week: int) -> None:
    member = turn.repo.member
    week_of = date.fromisoformat(turn.data["week_of"])
    row = goal_nudge_row(group, member.id, member.timezone, week, week_of, turn.now)
    if row is not None and add_posts(turn.repo.db, [row]):
        _say(turn, "goal_planned", day=day_name(group.nudge_day))


class ShareGoal(Step):
    name = "share_goal"

    def question(self, turn: Turn) -> Question:
        options = (Option("share", "Share my goal"), Option("keep", "Keep it private"))
        return Pick(turn.playbook.text("checkins.share_goal"), options)

    def answered(self, turn: Turn, value: str) -> None:
        shared = value == "share"
        turn.repo.checkins.update(_week(turn), goal_shared=shared)
        _say(turn, "shared" if shared else "kept")
        _thanks(turn)


class Away(Step):
    name = "away"

    def question(self, turn: Turn) -> Question:
        return Ask(turn.playbook.text("checkins.away_question"), lambda raw, _t: raw)

    def answered(self, turn: Turn, value: str) -> None:
        length = pause_length(value)
        _close(turn, ReminderStatus.SKIPPED)
        go_away(turn, length)


def go_away(turn: Turn, length: timedelta) -> None:
    """No check-ins until then: the waiting ones are cancelled, and planning starts again
    from the day they are back."""
    until = turn.now + length
    turn.repo.change(away_until=until)
    turn.repo.reminders.cancel_checkins(turn.now)
    back = turn.today + length
    _say(turn, "away", back=f"{back:%a %-d %b}", back_command=_typed(turn, "back"))


class GoalOutcome(Step):
    name = "goal_outcome"

    def question(self, turn: Turn) -> Question:
        checkin = turn.repo.checkins.get(turn.data["checkin_id"])
        row = turn.data["reminder_id"]
        if checkin is None:
            return Pick("That week's check-in is gone.", ())
        message = nudge_message(turn.playbook, row, checkin, None)
        return Pick(message.text, outcome_options(turn.playbook, row), quote=message.quote)

    def answered(self, turn: Turn, value: str) -> None:
        parsed = parse_ask_value(value)
        assert parsed is not None  # the options are all check-in values
        turn.repo.checkins.update(turn.data["checkin_id"], goal_outcome=parsed[1])
        _close(turn, ReminderStatus.DONE)
        _say(turn, f"outcomes.{parsed[1]}.response")


def switch(turn: Turn, args: str) -> bool:
    """`/checkin on | off | away N | back`: done at once; False when no switch was named."""
    word, _, rest = args.strip().lower().partition(" ")
    member = turn.repo.member
    if word in ("on", "start"):
        turn.repo.change(checkins_on=True, away_until=None)
        group = _group(turn)
        if group is None:
            _say(turn, "started_later")
        else:
            _say(turn, "started", day=day_name(group.checkin_day), at=f"{group.checkin_at:%H:%M}")
    elif word in ("off", "stop"):
        turn.repo.change(checkins_on=False)
        turn.repo.reminders.cancel_checkins(turn.now)
        _say(turn, "stopped", on_command=_typed(turn, "on"))
    elif word == "away":
        go_away(turn, pause_length(rest or "1"))
    elif word == "back":
        if member.away_until is None:
            _say(turn, "not_away")
        else:
            turn.repo.change(away_until=None)
            _say(turn, "back", day=_next_day(turn))
    elif word:
        raise InvalidAnswer(turn.playbook.text("checkins.usage", command=_typed(turn)))
    return bool(word)


@command(
    "Your weekly check-in: now, or on, off, away for some weeks, back.",
    CommandOption("switch", "on, off, away 3, back"),
)
class CheckinDialogue(Dialogue):
    name = COMMAND
    steps = (Mood, LastWeek, Goal, ShareGoal, Away, GoalOutcome)
    asks = ((WEEKLY_CHECKIN, Mood), (GOAL_NUDGE, GoalOutcome))

    def begin(self, turn: Turn, args: str) -> type[Mood] | None:
        if switch(turn, args):
            return None
        turn.data = {"reminder_id": MANUAL, "week_of": turn.today.isoformat()}
        return Mood
