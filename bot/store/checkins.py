"""A member's weekly check-ins: what they answered, one row per week they answered.

A week nobody answered leaves no row: its outbox row (skipped, or sent and never
answered) is all there is. The group sees only counts and the goals members chose
to share (bot/store/groups.py reads them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bot.store.models import CHECKINS, MEMBERS, REMINDERS, ReminderStatus
from bot.store.owner import Owner, columns_of, owned, records
from bot.store.reminders import WEEKLY_CHECKIN


@dataclass(frozen=True)
class CheckinRecord:
    id: int
    platform: str
    workspace: str
    member_id: int
    week_of: date
    mood: str
    last_week: str
    goal: str
    goal_shared: bool
    goal_outcome: str
    created_at: datetime


_checkins = CHECKINS
_THEIRS = select(*columns_of(CheckinRecord, _checkins)).where(owned(_checkins))
_ALL = _THEIRS.order_by(_checkins.c.week_of.desc())
_ONE = _THEIRS.where(_checkins.c.id == bindparam("t_id"))
_OF_WEEK = _THEIRS.where(_checkins.c.week_of == bindparam("t_week"))
_INSERT = insert(_checkins)


class Checkins:
    """One member's check-in answers, within the turn's transaction."""

    def __init__(self, db: Connection, owner: Owner) -> None:
        self.db = db
        self.owner = owner

    def of_week(self, week_of: date, now: datetime) -> CheckinRecord:
        """The answers for the check-in of this local date, begun now if none are yet."""
        found = self._of_week(week_of)
        if found is None:
            self.db.execute(_INSERT, {**self.owner.columns, "week_of": week_of, "created_at": now})
            found = self._of_week(week_of)
            assert found is not None
        return found

    def _of_week(self, week_of: date) -> CheckinRecord | None:
        row = self.db.execute(_OF_WEEK, {**self.owner.fence, "t_week": week_of}).first()
        return None if row is None else CheckinRecord(*row)

    def get(self, checkin_id: int) -> CheckinRecord | None:
        row = self.db.execute(_ONE, {**self.owner.fence, "t_id": checkin_id}).first()
        return None if row is None else CheckinRecord(*row)

    def every(self) -> list[CheckinRecord]:
        """Newest week first."""
        return records(CheckinRecord, self.db.execute(_ALL, self.owner.fence))

    def update(self, checkin_id: int, **values: Any) -> None:
        change = update(_checkins).where(owned(_checkins), _checkins.c.id == bindparam("t_id"))
        self.db.execute(change.values(**values), {**self.owner.fence, "t_id": checkin_id})


def unplanned_members(
    db: Connection, platform: str, workspace: str
) -> list[tuple[int, str, datetime | None]]:
    """The tenant's members who want check-ins and have none waiting: (id, time zone,
    away until).

    Planning runs every few minutes on every instance; asking only for members with no
    check-in waiting keeps each run to the few who need one.
    """
    waiting = (
        select(REMINDERS.c.id)
        .where(
            REMINDERS.c.member_id == MEMBERS.c.id,
            REMINDERS.c.kind == WEEKLY_CHECKIN,
            REMINDERS.c.status.in_((ReminderStatus.PENDING, ReminderStatus.SENDING)),
        )
        .exists()
    )
    found = select(MEMBERS.c.id, MEMBERS.c.timezone, MEMBERS.c.away_until).where(
        MEMBERS.c.platform == platform,
        MEMBERS.c.workspace == workspace,
        MEMBERS.c.checkins_on.is_(True),
        ~waiting,
    )
    return [(member_id, zone, away) for member_id, zone, away in db.execute(found)]
