"""A member's follow-ups in the outbox, and the failed rows an operator re-queues.

The scheduler claims and delivers rows with its own statements (scheduler/outbox.py);
these are the member's side: planning them, reading them, closing or moving one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, insert, select, update

from bot.store.models import OPEN, REMINDERS, ReminderStatus
from bot.store.owner import Owner, columns_of, owned, records


@dataclass(frozen=True)
class ReminderRecord:
    id: int
    platform: str
    workspace: str
    member_id: int | None
    rejection_id: int | None
    checkin_id: int | None
    interview_id: int | None
    kind: str
    lane: int
    due_at: datetime
    local_due: datetime
    zone: str
    status: ReminderStatus
    idempotency_key: str
    attempts: int
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_error: str
    late: bool
    nudge: int | None
    created_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None

    def __post_init__(self) -> None:
        """The column holds the status's value; the record holds the status."""
        object.__setattr__(self, "status", ReminderStatus(self.status))


# A member's weekly check-in and its goal nudge, and an interview's two reminders, share
# the outbox but are not follow-ups: /followups, /stats and the digest leave them out.
WEEKLY_CHECKIN, GOAL_NUDGE = "weekly_checkin", "goal_nudge"
CHECKIN_KINDS = (WEEKLY_CHECKIN, GOAL_NUDGE)
INTERVIEW_PREPARE, INTERVIEW_AFTER = "interview_prepare", "interview_after"
INTERVIEW_KINDS = (INTERVIEW_PREPARE, INTERVIEW_AFTER)
# The order the scheduler claims due rows in: a follow-up, an interview's reminder or a
# group post before any weekly check-in due at the same time (scheduler/outbox.py).
FIRST_LANE, CHECKIN_LANE = 0, 1
LANES = (FIRST_LANE, CHECKIN_LANE)


def lane_of(kind: str) -> int:
    return CHECKIN_LANE if kind in CHECKIN_KINDS else FIRST_LANE


_reminders = REMINDERS
_c = _reminders.c
FOLLOW_UP = _c.kind.not_in(CHECKIN_KINDS + INTERVIEW_KINDS)
_EVERY_COLUMN = select(*columns_of(ReminderRecord, _reminders))
_THEIRS = _EVERY_COLUMN.where(owned(_reminders))
_BY_DUE = (_c.due_at, _c.id)
_ALL = _THEIRS.where(FOLLOW_UP).order_by(*_BY_DUE)
_OPEN = _THEIRS.where(FOLLOW_UP, _c.status.in_(OPEN)).order_by(*_BY_DUE)
_ONE = _THEIRS.where(_c.id == bindparam("t_id"))
_IDS = select(_c.id).where(owned(_reminders), FOLLOW_UP).order_by(_c.id)
_INSERT = insert(_reminders)
# A cancelled row's key, given up so the same day can be planned again.
_KEY_GIVEN_UP = _c.idempotency_key + ":cancelled:" + cast(_c.id, String)
_THIS_OPEN_ONE = owned(_reminders) & (_c.id == bindparam("t_id")) & _c.status.in_(OPEN)
_BY_STATUS = select(_c.status, func.count()).where(owned(_reminders), FOLLOW_UP).group_by(_c.status)
_MARK_NUDGE = (
    update(_reminders)
    .where(owned(_reminders), _c.id == bindparam("t_id"))
    .values(nudge=bindparam("nudge"))
)
_UNMARK_NUDGE = (
    update(_reminders)
    .where(owned(_reminders), _c.id == bindparam("t_id"), _c.nudge.is_not(None))
    .values(nudge=None)
)
_WAITING = owned(_reminders) & (_c.status == ReminderStatus.PENDING)
_WAITING_TIMES = select(_c.id, _c.local_due).where(_WAITING)
_RETIME = (
    update(_reminders)
    .where(_WAITING, _c.id == bindparam("r_id"))
    .values(due_at=bindparam("r_due_at"), zone=bindparam("r_zone"))
)
_FAILED = _EVERY_COLUMN.where(_c.status == ReminderStatus.FAILED).order_by(_c.due_at)
_RETRY_FAILED = (
    update(_reminders)
    .where(_c.status == ReminderStatus.FAILED)
    .values(status=ReminderStatus.PENDING, attempts=0)
)


class Reminders:
    """One member's follow-ups, within the turn's transaction."""

    def __init__(self, db: Connection, owner: Owner) -> None:
        self.db = db
        self.owner = owner

    def add(self, reminders: Iterable[dict[str, Any]]) -> None:
        rows = [{**fields, **self.owner.columns} for fields in reminders]
        if rows:
            self.db.execute(_INSERT, rows)

    def get(self, reminder_id: int) -> ReminderRecord | None:
        row = self.db.execute(_ONE, {**self.owner.fence, "t_id": reminder_id}).first()
        return None if row is None else ReminderRecord(*row)

    def every(self) -> list[ReminderRecord]:
        """All the follow-ups, closed ones too, by due time."""
        return records(ReminderRecord, self.db.execute(_ALL, self.owner.fence))

    def open(self) -> list[ReminderRecord]:
        """The follow-ups the member has not closed, by due time."""
        return records(ReminderRecord, self.db.execute(_OPEN, self.owner.fence))

    def numbering(self) -> dict[int, int]:
        """Each of the member's reminders' number, by the order they were planned: a
        number never moves when another is closed or snoozed."""
        ids = self.db.scalars(_IDS, self.owner.fence)
        return {reminder_id: number for number, reminder_id in enumerate(ids, start=1)}

    def by_status(self) -> dict[str, int]:
        return {status: count for status, count in self.db.execute(_BY_STATUS, self.owner.fence)}

    def close(self, reminder_id: int, status: ReminderStatus, now: datetime) -> bool:
        """Done, skipped or cancelled by the member; False if it was closed already."""
        return self._change_open(reminder_id, status=status, closed_at=now)

    def snooze(self, reminder_id: int, due_at: datetime, local_due: datetime) -> bool:
        """Due again later, as a fresh reminder: no attempts, not late."""
        return self._change_open(
            reminder_id,
            status=ReminderStatus.PENDING,
            due_at=due_at,
            local_due=local_due,
            attempts=0,
            late=False,
        )

    def _change_open(self, reminder_id: int, **values: Any) -> bool:
        change = update(_reminders).where(_THIS_OPEN_ONE).values(**values)
        return bool(self.db.execute(change, {**self.owner.fence, "t_id": reminder_id}).rowcount)

    def cancel(self, rejection_id: int, kinds: Iterable[str], now: datetime) -> int:
        """Cancel the open ones of these kinds planned after one rejection; how many."""
        cancelled = (
            update(_reminders)
            .where(
                owned(_reminders),
                _c.rejection_id == rejection_id,
                _c.kind.in_(list(kinds)),
                _c.status.in_(OPEN),
            )
            .values(status=ReminderStatus.CANCELLED, closed_at=now)
        )
        return int(self.db.execute(cancelled, self.owner.fence).rowcount)

    def cancel_checkins(self, now: datetime) -> int:
        """Cancel the member's weekly check-ins and goal nudges not yet answered (they
        stopped them, or went away); each gives up its key, so the week can be planned
        again when they come back."""
        cancelled = (
            update(_reminders)
            .where(owned(_reminders), _c.kind.in_(CHECKIN_KINDS), _c.status.in_(OPEN))
            .values(status=ReminderStatus.CANCELLED, closed_at=now, idempotency_key=_KEY_GIVEN_UP)
        )
        return int(self.db.execute(cancelled, self.owner.fence).rowcount)

    def cancel_interview(self, interview_id: int, now: datetime) -> int:
        """Cancel an interview's reminders still to come: it moved, or it is off."""
        cancelled = (
            update(_reminders)
            .where(owned(_reminders), _c.interview_id == interview_id, _c.status.in_(OPEN))
            .values(status=ReminderStatus.CANCELLED, closed_at=now, idempotency_key=_KEY_GIVEN_UP)
        )
        return int(self.db.execute(cancelled, self.owner.fence).rowcount)

    def of_interview(self, interview_id: int) -> list[ReminderRecord]:
        mine = _THEIRS.where(_c.interview_id == bindparam("t_interview")).order_by(*_BY_DUE)
        found = self.db.execute(mine, {**self.owner.fence, "t_interview": interview_id})
        return records(ReminderRecord, found)

    def release_held(self, now: datetime, local_now: datetime) -> int:
        """Waiting ones whose planned time has passed but were held back: due at once."""
        released = (
            update(_reminders)
            .where(_WAITING, _c.local_due <= local_now, _c.due_at > now)
            .values(due_at=now)
        )
        return int(self.db.execute(released, self.owner.fence).rowcount)

    def waiting_times(self) -> list[tuple[int, datetime]]:
        """Each waiting one's id and the wall-clock time the member chose for it."""
        return [(id_, local) for id_, local in self.db.execute(_WAITING_TIMES, self.owner.fence)]

    def retime(self, due: dict[int, datetime], zone: str) -> None:
        """Waiting ones due at new UTC times, in a new zone: the member moved."""
        if due:
            changes = [
                {**self.owner.fence, "r_id": id_, "r_due_at": at, "r_zone": zone}
                for id_, at in due.items()
            ]
            self.db.execute(_RETIME, changes)

    def mark_nudge(self, reminder_id: int, nudge: int) -> None:
        """Which unanswered reminder in a row this one goes out as (the silence rule)."""
        params = {**self.owner.fence, "t_id": reminder_id, "nudge": nudge}
        self.db.execute(_MARK_NUDGE, params)

    def unmark_nudge(self, reminder_id: int) -> bool:
        """Prepared afresh next time; False if it had no number."""
        params = {**self.owner.fence, "t_id": reminder_id}
        return bool(self.db.execute(_UNMARK_NUDGE, params).rowcount)


def failed_reminders(db: Connection) -> list[ReminderRecord]:
    """Every tenant's rows that ran out of attempts, by due time."""
    return records(ReminderRecord, db.execute(_FAILED))


def retry_failed_reminders(db: Connection) -> int:
    """Failed rows queued again with their attempts reset; how many."""
    return int(db.execute(_RETRY_FAILED).rowcount)
