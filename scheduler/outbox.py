"""The outbox: reminders claimed under a lease, so each is delivered once.

A worker claims due rows in one short transaction (PostgreSQL: `FOR UPDATE
SKIP LOCKED`, so workers never wait on each other; SQLite: the same single
`UPDATE ... RETURNING`, its writers being serialised anyway). It then talks
to the platform with no lock held, and records the outcome fenced on its
lease: a worker whose lease expired, and whose row was reclaimed by another,
changes nothing. Every claim counts as an attempt, so a row that keeps
killing its worker ends as failed instead of looping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Connection, Engine, Update, bindparam, select, update

from bot.store.models import REMINDERS, ReminderStatus
from bot.store.reminders import LANES

# The statuses the outbox moves a row between (the member closes it: bot/store/reminders.py).
PENDING, SENDING, SENT, FAILED = (
    ReminderStatus.PENDING,
    ReminderStatus.SENDING,
    ReminderStatus.SENT,
    ReminderStatus.FAILED,
)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)

_outbox = REMINDERS
# Expired leases first, then what fell due: each by the time it became claimable.
# Expired leases first, then pending rows lane by lane: follow-ups, interviews and group
# posts, then members' weekly check-ins, so 10,000 check-ins due at 09:00 never hold a
# follow-up back. Each walks its own index in order.
_CLAIMABLE = (
    (SENDING, _outbox.c.lease_expires_at, None),
    *((PENDING, _outbox.c.due_at, lane) for lane in LANES),
)
_MINE = (
    (_outbox.c.id == bindparam("row"))
    & (_outbox.c.status == SENDING)
    & (_outbox.c.lease_owner == bindparam("owner"))
)
_RELEASED = {"lease_owner": None, "lease_expires_at": None}
_HAND_BACK = (
    update(_outbox)
    .where(
        _outbox.c.id.in_(bindparam("rows", expanding=True)),
        _outbox.c.status == SENDING,
        _outbox.c.lease_owner == bindparam("owner"),
    )
    .values(status=PENDING, attempts=_outbox.c.attempts - 1, **_RELEASED)
)


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds until `lease_expires_at`."""

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
    attempts: int
    idempotency_key: str
    nudge: int | None

    @property
    def delivery_key(self) -> str:
        """What the platform deduplicates on: the same across retries and reclaims,
        new after a snooze (which moves the wall-clock time the member chose)."""
        return f"{self.idempotency_key}@{self.local_due:%Y-%m-%dT%H:%M}"


_CLAIMED_COLUMNS = [_outbox.c[name] for name in Claimed.__dataclass_fields__]  # in field order


class Outbox:
    """One worker's view of the outbox; `owner` must be unique per worker process."""

    def __init__(self, engine: Engine, owner: str, *, lease: timedelta = LEASE) -> None:
        self.engine = engine
        self.owner = owner
        self.lease = lease

    def claim(self, now: datetime, limit: int, platform: str | None = None) -> list[Claimed]:
        """Lease up to `limit` due rows: expired leases, then each lane's, oldest first.

        A statement each, each walking its own index in order ((status,
        lease_expires_at) and (status, lane, due_at)), so a claim costs the same with
        ten rows due or 100,000.
        """
        if limit <= 0:
            return []
        claimed: list[Claimed] = []
        with self.engine.begin() as db:
            for waiting, since, lane in _CLAIMABLE:
                statement = self._claim(waiting, since, lane, now, limit - len(claimed), platform)
                claimed += (Claimed(*row) for row in db.execute(statement))
                if len(claimed) >= limit:
                    break
        return sorted(claimed, key=lambda row: (row.lane, row.due_at, row.id))

    def _claim(
        self,
        waiting: str,
        since: ColumnElement[datetime],
        lane: int | None,
        now: datetime,
        limit: int,
        platform: str | None,
    ) -> Update:
        """Lock the rows first, in a materialised CTE, then lease them.

        PostgreSQL runs a locking `IN (SELECT ... LIMIT n)` subquery once per row of
        the outer scan when it plans a nested loop, skipping what the statement already
        changed each time, so the limit stops holding (its bug #15715, expected
        behaviour). A WITH query runs once. The UPDATE checks the row is still
        claimable, so no re-check under concurrent change can lease a row twice.
        """
        claimable = (_outbox.c.status == waiting) & (since <= now)
        if lane is not None:
            claimable &= _outbox.c.lane == lane
        if platform is not None:
            claimable &= _outbox.c.platform == platform
        due = (
            select(_outbox.c.id)
            .where(claimable)
            .order_by(since)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        return (
            update(_outbox)
            .where(_outbox.c.id.in_(select(due.c.id)), claimable)
            .values(
                status=SENDING,
                lease_owner=self.owner,
                lease_expires_at=now + self.lease,
                attempts=_outbox.c.attempts + 1,
            )
            .returning(*_CLAIMED_COLUMNS)
        )

    def sent(self, db: Connection, row: Claimed, now: datetime, *, late: bool) -> bool:
        """Record a delivery, inside the caller's transaction; False if the lease was lost."""
        values = {"status": SENT, "sent_at": now, "late": late, "last_error": "", **_RELEASED}
        return self._fenced(db, row, values)

    def retry(
        self,
        row: Claimed,
        now: datetime,
        error: str,
        *,
        final: bool = False,
    ) -> str:
        """Back off after a failed send (a 429 is no failure: it defers the row).

        Returns the row's new status: pending again, or failed after MAX_ATTEMPTS
        or at once if `final` (no retry could succeed).
        """
        if final or row.attempts >= MAX_ATTEMPTS:
            values = {"status": FAILED, "last_error": error[:500], **_RELEASED}
        else:
            wait = min(FIRST_RETRY * 2 ** (row.attempts - 1), LONGEST_RETRY)
            values = {"status": PENDING, "due_at": now + wait, "last_error": error[:500]}
            values |= _RELEASED
        with self.engine.begin() as db:
            self._fenced(db, row, values)
        return str(values["status"])

    def defer(self, row: Claimed, until: datetime, db: Connection | None = None) -> bool:
        """Not now (quiet hours, a pause, a rate limit): back to pending, not an attempt."""
        values = {"status": PENDING, "due_at": until, "attempts": row.attempts - 1, **_RELEASED}
        if db is not None:
            return self._fenced(db, row, values)
        with self.engine.begin() as own:
            return self._fenced(own, row, values)

    def drop(self, row: Claimed) -> None:
        """Nobody to deliver to any more (the member or group is gone)."""
        with self.engine.begin() as db:
            self._fenced(db, row, {"status": ReminderStatus.CANCELLED, **_RELEASED})

    def hand_back(self, rows: Iterable[Claimed]) -> int:
        """Claimed but not tried (their workspace had no room this tick): pending again as
        they were, due when they were, so the next claim takes them first."""
        ids = [row.id for row in rows]
        if not ids:
            return 0
        with self.engine.begin() as db:
            return int(db.execute(_HAND_BACK, {"owner": self.owner, "rows": ids}).rowcount)

    def release_all(self) -> int:
        """On shutdown: hand back every lease this worker holds, to be claimed at once."""
        release = (
            update(_outbox)
            .where(_outbox.c.status == SENDING, _outbox.c.lease_owner == self.owner)
            .values(status=PENDING, attempts=_outbox.c.attempts - 1, **_RELEASED)
        )
        with self.engine.begin() as db:
            return int(db.execute(release).rowcount)

    def _fenced(self, db: Connection, row: Claimed, values: Mapping[str, object]) -> bool:
        params = {f"v_{name}": value for name, value in values.items()}
        statement = _fenced_update(tuple(values))
        return db.execute(statement, {**params, "row": row.id, "owner": self.owner}).rowcount == 1


@cache
def _fenced_update(columns: tuple[str, ...]) -> Update:
    """An outcome's UPDATE, built once per set of columns: building it cost more than
    running it (benchmarks/README.md)."""
    return update(_outbox).where(_MINE).values({name: bindparam(f"v_{name}") for name in columns})
