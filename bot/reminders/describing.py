"""Follow-ups and their days, as a member reads them in a list or a reminder."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any
from zoneinfo import ZoneInfo

from bot.playbook import Playbook
from bot.store.models import ReminderStatus
from bot.store.rejections import RejectionRecord
from bot.store.reminders import ReminderRecord
from bot.store.repository import Repository


def done_line(repo: Repository, playbook: Playbook) -> str:
    """A word for a follow-up just done, a different one each time (the count of done)."""
    lines: Any = playbook.table("plan.done_lines")
    done = repo.reminders.by_status().get(ReminderStatus.DONE, 0)
    return str(lines[(done - 1) % len(lines)])


def describe_day(day: date, today: date) -> str:
    """`tomorrow`, `Mon 30 Nov` or `Mon 30 Nov 2027`: short, and unambiguous."""
    if (day - today).days == 1:
        return "Tomorrow"
    return f"{day:%a %-d %b}" if day.year == today.year else f"{day:%a %-d %b %Y}"


def rejection_label(rejection: RejectionRecord) -> str:
    what = f"{rejection.role} at {rejection.company}" if rejection.role else rejection.company
    return f"{what} ({rejection.heard_on:%-d %b})"


def describe_followup(
    repo: Repository, playbook: Playbook, reminder: ReminderRecord, today: date
) -> str:
    """`Tue 24 Nov at 09:00: Send your thank-you and feedback request (Acme)`.

    The time is when it is due now, on its own zone's clock: the time chosen, unless a
    pause, quiet hours or a resume moved it.
    """
    label = playbook.text(f"plan.reminders.{reminder.kind}.label")
    rejection = repo.rejections.get(reminder.rejection_id) if reminder.rejection_id else None
    company = f" ({rejection.company})" if rejection else ""
    due = reminder.due_at.replace(tzinfo=UTC).astimezone(ZoneInfo(reminder.zone))
    return f"{describe_day(due.date(), today)} at {due:%H:%M}: {label}{company}"
