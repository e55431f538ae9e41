"""What a member's weekly check-in or goal nudge says when it arrives, and whether it
should arrive at all.

A check-in is a question for this week only: it never waits out a pause or a stretch
away (the next week's comes instead), never lands in the middle of a conversation
(it waits a little), and one that could not go out within a day is dropped rather
than asked late. Otherwise it keeps the member's quiet hours and the silence rule
exactly as follow-up reminders do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.conversation.commands import typed_as
from bot.conversation.events import Option, Reply
from bot.playbook import Playbook
from bot.reminders.arrival import Decision, DueRow, Send, Wait, greeting, held_back, local_time
from bot.reminders.asking import ask_value
from bot.store.checkins import CheckinRecord
from bot.store.reminders import GOAL_NUDGE
from bot.store.repository import Repository

COMMAND = "checkin"  # /checkin
STALE_AFTER = timedelta(days=1)
BUSY_WAIT = timedelta(minutes=30)  # the member is in a conversation: ask after it
SKIP_WEEK, AWAY = "skip", "away"


def decide_checkin(
    playbook: Playbook, repo: Repository, row: DueRow, now: datetime, *, busy: bool
) -> Decision | None:
    """Ask now, wait, or (None) not at all; `busy`: the member is mid-conversation."""
    member, group = repo.member, repo.group.find()
    if group is None or not group.rhythm_on or now - row.due_at > STALE_AFTER:
        return None
    if not member.checkins_on:
        return None
    if member.paused_until is not None and member.paused_until > now:
        return None
    if member.away_until is not None and member.away_until > now:
        return None
    if busy:
        return Wait(now + BUSY_WAIT)
    held = held_back(repo, row, now)
    if held is not None:
        return held
    at = local_time(now, member.timezone)
    if row.kind == GOAL_NUDGE:
        checkin = repo.checkins.get(row.checkin_id) if row.checkin_id else None
        if checkin is None or not checkin.goal or checkin.goal_outcome:
            return None  # answered already, or the goal was taken back
        return Send([nudge_message(playbook, row.id, checkin, at)], late=False)
    first = not repo.checkins.every()
    stop = typed_as(COMMAND, row.platform, own_slack_command=False) + " off" if first else ""
    return Send([checkin_message(playbook, row.id, at, stop=stop)], late=False)


def checkin_message(
    playbook: Playbook, row_id: int, at: datetime | None, *, stop: str = ""
) -> Reply:
    """The week's first question, greeted for the member's hour (none when asked again);
    a member's first check-in says what these are, and that `stop` ends them."""
    text = playbook.text("checkins.question")
    if at is not None:
        text = f"{greeting(playbook, at)} {text}"
    if stop:
        text = f"{text}\n{playbook.text('checkins.first_time', stop=stop)}"
    return Reply(text, options=mood_options(playbook, row_id))


def mood_options(playbook: Playbook, row_id: int) -> tuple[Option, ...]:
    moods = playbook.table("checkins.moods")
    options = [
        Option(ask_value(row_id, key), mood["label"], also=tuple(mood.get("also", ())))
        for key, mood in moods.items()
    ]
    options += [
        Option(ask_value(row_id, SKIP_WEEK), playbook.text("checkins.skip_option")),
        Option(ask_value(row_id, AWAY), playbook.text("checkins.away_option")),
    ]
    return tuple(options)


def nudge_message(
    playbook: Playbook, row_id: int, checkin: CheckinRecord, at: datetime | None
) -> Reply:
    text = playbook.text("checkins.goal_nudge")
    if at is not None:
        text = f"{greeting(playbook, at)} {text}"
    return Reply(text, options=outcome_options(playbook, row_id), quote=checkin.goal)


def outcome_options(playbook: Playbook, row_id: int) -> tuple[Option, ...]:
    outcomes = playbook.table("checkins.outcomes")
    return tuple(
        Option(ask_value(row_id, key), outcome["label"], also=tuple(outcome.get("also", ())))
        for key, outcome in outcomes.items()
    )
