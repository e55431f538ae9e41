"""APScheduler as the ticker, and nothing more: its job store stays in memory.

The reminders themselves live in the outbox (DESIGN section 6): APScheduler's
own persistent job stores cannot be shared between processes and drop
misfired jobs, so here it only calls the dispatcher every few seconds, and
records each finished tick as the worker's heartbeat. The heartbeats also say how
many workers are alive, and so what share of the bot's rate limits is each one's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine, delete, func, insert, select, update

from bot.store.models import HEARTBEATS
from scheduler.dispatcher import Dispatcher
from scheduler.steady import Steady

TICK_SECONDS = 1.0  # claims use indexes in order: an idle tick costs two quick selects
HEARTBEATS_KEPT = timedelta(days=30)
ALIVE = timedelta(seconds=10)  # a worker that beat this recently shares the bot's limits

# APScheduler's executor logs two lines at INFO for every run of every job: once a second,
# they would bury what happened. A failed tick is logged by Steady, which the ticker runs.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
_beats = HEARTBEATS


class Ticker:
    """Ticks on the running event loop; a slow tick is never overlapped or piled up,
    and `stop` lets the tick under way finish rather than cut a send in half."""

    def __init__(self, dispatcher: Dispatcher, every: float = TICK_SECONDS) -> None:
        self.dispatcher = dispatcher
        self.every = every
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._steady = Steady(self._beat, every)  # a failed tick is logged, then retried
        self._current: asyncio.Task[None] | None = None

    @property
    def worker(self) -> str:
        return self.dispatcher.outbox.owner

    def start(self) -> Ticker:
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.every,
            id="dispatch",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),  # the first tick (and heartbeat) at once
        )
        self._scheduler.start()
        return self

    async def stop(self) -> None:
        """No further tick; the one under way, if any, completes, and the sends it started
        are answered and recorded."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._current is not None and not self._current.done():
            await asyncio.wait({self._current})
        await self.dispatcher.settled()

    async def _tick(self) -> None:
        """APScheduler's job starts a tick, unless one is under way, and returns: a long
        tick (a backlog) is never overlapped, APScheduler does not log each run it
        would skip, and its shutdown has no job to cancel; `stop` waits for the tick."""
        if self._current is None or self._current.done():
            self._current = asyncio.create_task(self._steady.tick(), name="scheduler-tick")

    async def _beat(self) -> None:
        """A heartbeat and a claim; again at once while claims come back full, so a
        backlog goes out at the limits' pace, not the interval's. The sends go on in the
        background: the next claim books the turns after them."""
        full = True
        while full:
            engine, now = self.dispatcher.outbox.engine, self.dispatcher.clock()
            alive = await asyncio.to_thread(record_tick, engine, self.worker, now)  # off the loop
            self.dispatcher.limits.share(alive)
            full = (await self.dispatcher.start()).full


def record_tick(engine: Engine, worker: str, at: datetime) -> int:
    """Upsert the worker's heartbeat and return how many workers are alive (this one
    too); only this worker writes its row, so no race.

    A worker's name is new at every start, so its first beat also clears the rows of
    workers silent for HEARTBEATS_KEPT: processes long gone.
    """
    with engine.begin() as db:
        beat = update(_beats).where(_beats.c.worker == worker).values(last_tick_at=at)
        if db.execute(beat).rowcount == 0:
            db.execute(delete(_beats).where(_beats.c.last_tick_at < at - HEARTBEATS_KEPT))
            db.execute(insert(_beats).values(worker=worker, last_tick_at=at))
        alive = select(func.count()).where(_beats.c.last_tick_at >= at - ALIVE)
        return int(db.scalar(alive) or 1)
