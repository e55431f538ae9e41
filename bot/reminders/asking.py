"""Outbox rows that arrive as a dialogue's question rather than as a follow-up: the
weekly check-in and its goal nudge, an interview's preparation and how it went.

A dialogue names the kinds it asks (`Dialogue.asks`). Delivered, such a row becomes the
member's open question, for a typed answer; its buttons carry the row
(`ask:<row>:<choice>`), so one pressed days later, or after another question came,
still answers the row it came with.
"""

from __future__ import annotations

import re
from typing import Any

from bot.reminders.arrival import DueRow

PREFIX = "ask"
_VALUE = re.compile(rf"^{PREFIX}:(\d+):([a-z_]+)$")


def ask_value(row_id: int, choice: str) -> str:
    return f"{PREFIX}:{row_id}:{choice}"


def parse_ask_value(value: str) -> tuple[int, str] | None:
    """`ask:12:rough` as (12, "rough"); None for anything else."""
    match = _VALUE.match(value)
    return (int(match[1]), match[2]) if match else None


def row_data(row: DueRow) -> dict[str, Any]:
    """What the question's dialogue needs of its row: the row, its local day, and the
    check-in or interview it belongs to."""
    data: dict[str, Any] = {"reminder_id": row.id, "week_of": row.local_due.date().isoformat()}
    if row.checkin_id is not None:
        data["checkin_id"] = row.checkin_id
    if row.interview_id is not None:
        data["interview_id"] = row.interview_id
    return data
