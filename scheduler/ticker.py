"""APScheduler as the ticker, and nothing more: its job store stays in memory.

The reminders themselves live in the outbox (DESIGN section 6): APScheduler's
own persistent job stores cannot be shared between processes and drop
misfired jobs, so here it only calls the dispatcher every few seconds.
"""

from __future__ import annotations

from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.dispatcher import Dispatcher
from scheduler.steady import Steady

TICK_SECONDS = 1.0  # claims use indexes in order: an idle tick costs two quick selects


def start_ticker(dispatcher: Dispatcher, every: float = TICK_SECONDS) -> AsyncIOScheduler:
    """Tick on the running event loop; a slow tick is never overlapped or piled up."""
    ticker = AsyncIOScheduler(timezone=UTC)
    ticker.add_job(
        Steady(dispatcher.tick, every).tick,  # a failed tick is logged, then retried
        "interval",
        seconds=every,
        id="dispatch",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    ticker.start()
    return ticker
