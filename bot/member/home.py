"""A member's home: what is waiting, what went well, and how reminders reach them.

Platform-neutral, as replies: Slack shows them in its App Home tab, and any
surface could show them as a message. Each waiting follow-up carries the same
buttons its reminder would.
"""

from __future__ import annotations

from datetime import UTC, date
from zoneinfo import ZoneInfo

from bot.conversation.events import Option, Reply
from bot.playbook import Playbook
from bot.reminders.arrival import action_value
from bot.reminders.describing import describe_followup
from bot.store.repository import Repository
from bot.wins.evidence import win_lines

SHOWN = 10  # follow-ups; the rest are one /followups away


def home(repo: Repository, playbook: Playbook, today: date) -> list[Reply]:
    replies = [Reply("Your follow-ups")]
    waiting = repo.reminders.open()
    if not waiting:
        replies.append(Reply("Nothing is waiting. After a no, /rejected builds a plan."))
    for reminder in waiting[:SHOWN]:
        buttons = (
            Option(action_value(reminder.id, "done"), "Done"),
            Option(action_value(reminder.id, "1d"), "Tomorrow"),
            Option(action_value(reminder.id, "7d"), "Next week"),
        )
        replies.append(Reply(describe_followup(repo, playbook, reminder, today), options=buttons))
    if len(waiting) > SHOWN:
        replies.append(Reply(f"And {len(waiting) - SHOWN} more: /followups lists them all."))
    replies.append(Reply(_recent_wins(repo, playbook)))
    replies.append(Reply(_delivery(repo)))
    return replies


def _recent_wins(repo: Repository, playbook: Playbook) -> str:
    lines = win_lines(repo, playbook)
    if not lines:
        return "Recent wins: none logged yet. /win keeps the good news."
    return "\n".join(["Recent wins:", *lines])


def _delivery(repo: Repository) -> str:
    member = repo.member
    parts = [f"Reminders arrive in {member.timezone} time"]
    if member.quiet_from is not None and member.quiet_until is not None:
        parts.append(f"never between {member.quiet_from:%H:%M} and {member.quiet_until:%H:%M}")
    if member.paused_until is not None:
        until = member.paused_until.replace(tzinfo=UTC).astimezone(ZoneInfo(member.timezone))
        parts.append(f"paused until {until:%-d %b}")
    return ", ".join(parts) + ". /settings changes this."
