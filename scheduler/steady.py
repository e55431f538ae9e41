"""Ticks that survive their failures: the database restarting must not stop reminders.

APScheduler logs a job's exception and runs it again at the next interval, every
second, each with a full traceback. `Steady` wraps the dispatcher's tick so a
failure is logged once in full, then briefly, with a pause that doubles while
ticks keep failing and resets on the first good one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from scheduler.rate_limit import Clock

log = logging.getLogger(__name__)
LONGEST_PAUSE = 30.0  # seconds between tries while ticks keep failing


class Steady:
    """Calls `tick` when due; a failing one is retried after `every` * 2**failures s."""

    def __init__(
        self,
        tick: Callable[[], Awaitable[object]],
        every: float,
        *,
        longest: float = LONGEST_PAUSE,
        clock: Clock = time.monotonic,
    ) -> None:
        self._tick = tick
        self.every = every
        self.longest = longest
        self.clock = clock
        self.failures = 0
        self._resume_at = 0.0

    async def tick(self) -> None:
        """A coroutine function, as APScheduler needs to run it on the event loop."""
        if self.clock() < self._resume_at:
            return
        try:
            await self._tick()
        except Exception as error:
            self.failures += 1
            pause = min(self.every * 2**self.failures, self.longest)
            self._resume_at = self.clock() + pause
            log.warning(
                "scheduler tick failed (%s: %s); trying again in %.0f s",
                type(error).__name__,
                str(error).partition("\n")[0],
                pause,
                exc_info=self.failures == 1,  # the whole story once, not every try
            )
            return
        if self.failures:
            log.warning("scheduler ticking again after %d failed tick(s)", self.failures)
            self.failures = 0
