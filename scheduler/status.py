"""What an operator asks of the scheduler: is it ticking, and is anything stuck?

Read by `bounceback status` and the /healthz endpoint; counts come from the
outbox's status index, so they stay cheap on a large table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from bot.reminders.arrival import LATE_AFTER
from bot.store.models import HEARTBEATS, REMINDERS
from scheduler.outbox import FAILED, PENDING, SENDING

SHOWN_WORKERS = 10  # the most recent heartbeats; older ones are workers long gone

_outbox = REMINDERS
_beats = HEARTBEATS


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    late: int  # pending, and due more than LATE_AFTER ago: the scheduler is behind or down
    sending: int
    failed: int
    ticks: list[tuple[str, datetime]]  # (worker, last tick), the most recent first


def outbox_status(engine: Engine, now: datetime) -> OutboxStatus:
    counted = select(_outbox.c.status, func.count()).where(
        _outbox.c.status.in_((PENDING, SENDING, FAILED))
    )
    late = select(func.count()).where(
        _outbox.c.status == PENDING, _outbox.c.due_at < now - LATE_AFTER
    )
    recent = (
        select(_beats.c.worker, _beats.c.last_tick_at)
        .order_by(_beats.c.last_tick_at.desc())
        .limit(SHOWN_WORKERS)
    )
    with engine.connect() as db:
        counts = {status: n for status, n in db.execute(counted.group_by(_outbox.c.status))}
        return OutboxStatus(
            pending=counts.get(PENDING, 0),
            late=int(db.scalar(late) or 0),
            sending=counts.get(SENDING, 0),
            failed=counts.get(FAILED, 0),
            ticks=[(worker, ticked) for worker, ticked in db.execute(recent)],
        )


def last_tick(engine: Engine, worker: str) -> datetime | None:
    """This worker's last heartbeat, beaten as each tick begins; raises if the database
    cannot be reached."""
    with engine.connect() as db:
        return db.scalar(select(_beats.c.last_tick_at).where(_beats.c.worker == worker))
