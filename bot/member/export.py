"""`/export`: everything kept about a member as JSON, and a dated activity log as CSV.

The CSV doubles as proof of job-search activity (some benefit schemes ask for it).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation.commands import command
from bot.conversation.engine import Turn
from bot.conversation.events import Attachment
from bot.playbook import Playbook
from bot.store.checkins import CheckinRecord
from bot.store.models import ReminderStatus
from bot.store.repository import Repository


def member_export(repo: Repository, playbook: Playbook, now: datetime) -> tuple[Attachment, ...]:
    stamp = export_stamp(now)
    return (
        Attachment(f"bounceback-{stamp}.json", _json(repo, now), "application/json"),
        Attachment(f"bounceback-activity-{stamp}.csv", _activity_csv(repo, playbook), "text/csv"),
    )


def export_stamp(now: datetime) -> str:
    """The export's moment in UTC to the second, so a later export never overwrites an
    earlier one (one made just before /forget-me, say); no colons, for every file system."""
    return f"{now:%Y-%m-%d-%H%M%S}Z"


def _json(repo: Repository, now: datetime) -> bytes:
    data = {
        "exported_at": now.isoformat(),
        # Their row as kept, the DM channel's id included: platform plumbing, not
        # something they told us, but kept about them, so exported (and /forget-me
        # deletes it with the row).
        "member": asdict(repo.member),
        "rejections": [asdict(r) for r in repo.rejections.newest()],
        "wins": [asdict(w) for w in repo.wins.newest()],
        "reminders": [asdict(r) for r in repo.reminders.every()],
        "checkins": [asdict(c) for c in repo.checkins.every()],
        "conversation": asdict(repo.place) if repo.place else None,
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=_iso).encode()


def _iso(value: Any) -> str:
    """Dates, times of day (quiet hours) and moments as ISO 8601, which parse back."""
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no place in an export")


def _activity_csv(repo: Repository, playbook: Playbook) -> bytes:
    rows: list[tuple[str, ...]] = []
    companies: dict[int | None, tuple[str, str]] = {}

    zone = ZoneInfo(repo.member.timezone)

    def add(day: date | datetime, activity: str, about: tuple[str, str], detail: str = "") -> None:
        """Every row dated in the member's own days; times are stored in UTC."""
        if isinstance(day, datetime):
            day = day.replace(tzinfo=UTC).astimezone(zone).date()
        rows.append((day.isoformat(), activity, *about, detail))

    for r in repo.rejections.newest():
        about = companies[r.id] = (r.company, r.role)
        add(r.heard_on, "Application outcome: not selected", about, r.stage)
        if r.note:
            add(r.created_at, "Thank-you and feedback request prepared", about)
        if r.opening_shared:
            add(r.created_at, "Opening passed on to the group", about)
        if r.feedback_at:
            add(r.feedback_at, "Feedback received", about)
    for reminder in repo.reminders.every():
        if reminder.status is ReminderStatus.DONE and reminder.closed_at:
            label = playbook.text(f"plan.reminders.{reminder.kind}.label")
            about = companies.get(reminder.rejection_id, ("", ""))
            add(reminder.closed_at, f"Follow-up done: {label}", about)
    for win in repo.wins.newest():
        label = playbook.text(f"wins.kinds.{win.kind}.label")
        add(
            win.created_at,
            f"Win: {label}",
            companies.get(win.rejection_id, ("", "")),
            win.description,
        )
    for checkin in repo.checkins.every():
        add(checkin.created_at, "Weekly check-in", ("", ""), _checkin_detail(checkin, playbook))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("date", "activity", "company", "role", "detail"))
    writer.writerows(tuple(map(_cell, row)) for row in sorted(rows))
    return buffer.getvalue().encode()


def _checkin_detail(checkin: CheckinRecord, playbook: Playbook) -> str:
    parts = [
        playbook.text(f"checkins.moods.{checkin.mood}.label") if checkin.mood else "",
        f"last week: {checkin.last_week}" if checkin.last_week else "",
        f"goal: {checkin.goal}" if checkin.goal else "",
        "shared with the group" if checkin.goal_shared else "",
        playbook.text(f"checkins.outcomes.{checkin.goal_outcome}.label")
        if checkin.goal_outcome
        else "",
    ]
    return "; ".join(part for part in parts if part)


def _cell(value: str) -> str:
    """Member text that a spreadsheet would run as a formula is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@command("Download everything Bounceback keeps about you.")
def export(turn: Turn, args: str) -> None:
    files = member_export(turn.repo, turn.playbook, turn.now)
    turn.say(
        "Here is everything I keep about you, and a dated log of your activity.",
        attachments=files,
    )
