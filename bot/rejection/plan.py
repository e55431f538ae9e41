"""The follow-up plan of PLAYBOOK section 8: which reminders, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.playbook import Playbook
from bot.rejection.stages import CAME_CLOSE

FEEDBACK_NUDGES = ("send_note", "second_ask", "nudge")
KEPT_NOTES = ("send_note", "nudge")  # each reminds the member of the note they kept
OUTREACH_GAP = 2  # working days at least between two notes to the same people
SATURDAY = 5
SECOND_ASK_AFTER = timedelta(days=6)  # "about a week" after the note, as its reminder says


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    day: date
    at: time

    def as_data(self) -> dict[str, str]:
        return {"kind": self.kind, "day": self.day.isoformat(), "at": self.at.strftime("%H:%M")}

    @classmethod
    def from_data(cls, data: dict[str, str]) -> PlannedReminder:
        return cls(data["kind"], date.fromisoformat(data["day"]), time.fromisoformat(data["at"]))


def propose(
    playbook: Playbook,
    *,
    stage: str,
    mood: str,
    heard_on: date,
    today: date,
    ghosted: bool = False,
) -> list[PlannedReminder]:
    """The default plan for these facts; every item can be trimmed or moved."""
    kinds: list[str] = []
    if stage != "applied" and ghosted:  # one cordial check-in, then a door left open
        kinds += ["nudge", "reconnect"]
    elif stage != "applied":
        kinds += ["send_note", "second_ask"]
        if stage in CAME_CLOSE:
            kinds.append("advice_meeting")
        kinds += ["keep_in_touch", "reconnect"]
    earliest = today + timedelta(days=1)
    next_note = earliest  # outreach goes out on working days, spaced even when logged late
    note_day = earliest
    if mood == "low":  # fewer, gentler steps, and how they are comes first
        kinds = ["check_in", *(kind for kind in kinds if kind != "keep_in_touch")]
        next_note = earliest + timedelta(days=1)
    plan = []
    for kind in sorted(kinds, key=lambda kind: playbook.table(f"plan.reminders.{kind}")["days"]):
        item = playbook.table(f"plan.reminders.{kind}")
        day = max(heard_on + timedelta(days=item["days"]), earliest)
        if kind == "second_ask":  # "about a week" after the note it follows up
            day = max(day, note_day + SECOND_ASK_AFTER)
        if kind != "check_in":
            day = next_working_day(max(day, next_note))
            next_note = working_days_after(day, OUTREACH_GAP)
        if kind in KEPT_NOTES:
            note_day = day
        plan.append(PlannedReminder(kind, day, time.fromisoformat(item["at"])))
    return sorted(plan, key=lambda reminder: (reminder.day, reminder.at))


def next_working_day(day: date) -> date:
    """The day itself, or the Monday after a weekend: nobody answers a note on Sunday."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= SATURDAY else day


def working_days_after(day: date, count: int) -> date:
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock time in the member's zone as naive UTC, the store's convention."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def reminder_rows(
    plan: list[PlannedReminder], *, rejection_id: int, zone: str, now: datetime
) -> list[dict[str, Any]]:
    """Rows for the reminders table; the key makes a replayed save insert nothing twice."""
    return [
        {
            "rejection_id": rejection_id,
            "kind": item.kind,
            "due_at": to_utc(item.day, item.at, zone),
            "local_due": datetime.combine(item.day, item.at),
            "zone": zone,
            "idempotency_key": f"plan:{rejection_id}:{item.kind}",
            "created_at": now,
        }
        for item in plan
    ]
