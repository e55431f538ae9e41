"""When a tenant's members last did something with Bounceback, for the facilitator's view.

A member is active when they log a rejection or a win, close a follow-up (done or
skipped), or answer a weekly check-in. Reading a reminder and doing nothing is not
activity: the view is about who is still moving, and who has gone quiet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, distinct, func, select, union_all

from bot.store.models import CHECKINS, MEMBERS, REJECTIONS, REMINDERS, WINS, ReminderStatus
from bot.store.owner import of_tenant
from bot.store.reminders import FOLLOW_UP

_members, _reminders = MEMBERS, REMINDERS
_ANSWERED = (ReminderStatus.DONE, ReminderStatus.SKIPPED)


@dataclass(frozen=True)
class Standing:
    """One member as the facilitator's view sees them; a name only travels further
    when `tell_facilitator` is on."""

    display_name: str
    last_active: datetime  # their newest activity, or when they joined if none yet
    paused: bool  # their reminders are paused right now
    tell_facilitator: bool


def _doings(platform: str, workspace: str) -> Any:
    """Every activity of the tenant's members as (member_id, at)."""
    parts = [
        select(table.c.member_id, table.c.created_at.label("at")).where(
            *of_tenant(table, platform, workspace)
        )
        for table in (REJECTIONS, WINS, CHECKINS)
    ]
    parts.append(
        select(_reminders.c.member_id, _reminders.c.closed_at.label("at")).where(
            *of_tenant(_reminders, platform, workspace),
            FOLLOW_UP,
            _reminders.c.member_id.is_not(None),
            _reminders.c.status.in_(_ANSWERED),
        )
    )
    return union_all(*parts).subquery("doings")


def active_members(
    db: Connection, platform: str, workspace: str, start: datetime, end: datetime
) -> int:
    """How many members did something in (start, end]."""
    doings = _doings(platform, workspace)
    return int(
        db.scalar(
            select(func.count(distinct(doings.c.member_id))).where(
                doings.c.at > start, doings.c.at <= end
            )
        )
        or 0
    )


def standings(db: Connection, platform: str, workspace: str, now: datetime) -> list[Standing]:
    """Every member of the tenant, oldest activity first."""
    doings = _doings(platform, workspace)
    latest = (
        select(doings.c.member_id, func.max(doings.c.at).label("at"))
        .group_by(doings.c.member_id)
        .subquery("latest")
    )
    rows = db.execute(
        select(
            _members.c.display_name,
            func.coalesce(latest.c.at, _members.c.created_at),
            _members.c.paused_until,
            _members.c.tell_facilitator,
        )
        .outerjoin(latest, latest.c.member_id == _members.c.id)
        .where(*of_tenant(_members, platform, workspace))
        .order_by(func.coalesce(latest.c.at, _members.c.created_at), _members.c.id)
    )
    return [
        Standing(name or "", at, paused is not None and paused > now, bool(tell))
        for name, at, paused, tell in rows
    ]
