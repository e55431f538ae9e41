"""Claim what is due, deliver it, record the outcome: one tick of the scheduler.

Claims are sized to what the rate limits allow, so rows are never leased
only to sit waiting; a row that finds its channel's bucket empty is handed
back with the time it may go, not held. Failures back off in the outbox.

The database work runs in a worker thread: the tick shares its event loop with
the platforms, and a backlog of reminders must not hold Slack's acks or
Discord's heartbeats back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.checkins.planning import plan_member_checkins
from bot.group.rhythm import plan_group_posts
from bot.reminders.arrival import HELD_FOR, Wait
from bot.reminders.delivery import Delivery, Outgoing
from scheduler.outbox import FAILED, Claimed, Outbox
from scheduler.rate_limit import RateLimits
from scheduler.transport import RateLimited, Transport, Undeliverable

log = logging.getLogger(__name__)
BATCH = 200
PLAN_EVERY = timedelta(minutes=10)  # how often the groups' posts and check-ins are planned


@dataclass
class Tally:
    """What one tick did, for logs, tests and benchmarks."""

    sent: int = 0
    waiting: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0
    fenced: int = 0  # sent, but our lease had expired and another worker took the row
    handed_back: int = 0  # claimed, but their workspace had no room this tick


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        delivery: Delivery,
        transports: Mapping[str, Transport],
        limits: RateLimits,
        clock: Callable[[], datetime],
    ) -> None:
        self.outbox = outbox
        self.delivery = delivery
        self.transports = transports
        self.limits = limits
        self.clock = clock
        self.planned_at: datetime | None = None
        self._ticking = asyncio.Lock()
        self._stopping = False

    async def tick(self, batch: int = BATCH) -> Tally:
        tally = Tally()
        async with self._ticking:
            if self._stopping:
                return tally
            await asyncio.to_thread(self._plan)
            for platform, transport in self.transports.items():
                room = min(batch, self.limits.available(platform))
                claimed = await asyncio.to_thread(self.outbox.claim, self.clock(), room, platform)
                now, later = self._fitting(platform, claimed)
                tally.handed_back += await asyncio.to_thread(self.outbox.hand_back, later)
                for row in now:
                    if self._stopping:
                        break
                    await self._deliver(row, transport, tally)
        return tally

    async def stop(self) -> int:
        """On shutdown: let the send in flight finish and be recorded, try no more, and
        hand back the rest of the claim. Handed back while in flight, a sent row would
        be claimed as never tried, and sent again without looking first."""
        self._stopping = True
        async with self._ticking:
            return await asyncio.to_thread(self.outbox.release_all)

    def _fitting(self, platform: str, rows: list[Claimed]) -> tuple[list[Claimed], list[Claimed]]:
        """The rows each workspace's limit lets go now, and the rest: a claim is sized by
        the platform's limit, and one busy workspace must not make rows wait a whole
        deferral, nor cost a prepare and a release each."""
        room: dict[str, int] = {}
        now: list[Claimed] = []
        later: list[Claimed] = []
        for row in rows:
            left = room.get(row.workspace)
            if left is None:
                left = self.limits.available_in(platform, row.workspace)
            (now if left > 0 else later).append(row)
            room[row.workspace] = left - 1
        return now, later

    def _plan(self) -> None:
        """The groups' posts and their members' check-ins: every instance may plan them,
        and the rows' keys make each one exist once."""
        now = self.clock()
        if self.planned_at is not None and now - self.planned_at < PLAN_EVERY:
            return
        with self.outbox.engine.begin() as db:
            plan_group_posts(db, now)
            plan_member_checkins(db, now)
        self.planned_at = now

    async def _deliver(self, row: Claimed, transport: Transport, tally: Tally) -> None:
        ready = await asyncio.to_thread(self._prepare, row, tally)
        if ready is None:
            return
        prepared, now = ready
        try:
            key = row.delivery_key + (":pause-offer" if prepared.offers_pause else "")
            await transport.send(prepared, key=key, resend=row.attempts > 1)
        except RateLimited as limited:
            await asyncio.to_thread(
                self._not_sent, row, now, str(limited), tally, after=limited.retry_after
            )
        except Undeliverable as refused:
            await asyncio.to_thread(self._not_sent, row, now, str(refused), tally, final=True)
        except Exception as error:  # any platform failure is retried, never fatal
            await asyncio.to_thread(
                self._not_sent, row, now, f"{type(error).__name__}: {error}", tally
            )
        else:
            await asyncio.to_thread(self._record, row, prepared, tally)

    def _prepare(self, row: Claimed, tally: Tally) -> tuple[Outgoing, datetime] | None:
        """The message to send now, with the time it was prepared; or None, the row
        dropped (nobody to send to) or deferred (quiet hours, a pause, a rate limit)."""
        now = self.clock()
        prepared = self.delivery.prepare(row, now)
        if prepared is None:
            self.outbox.drop(row)
            tally.dropped += 1
            return None
        if isinstance(prepared, Wait):
            self.outbox.defer(row, prepared.until)
            tally.waiting += 1
            return None
        wait = self.limits.reserve(row.platform, row.workspace, prepared.route)
        if wait > 0:
            self.delivery.release(row)
            self.outbox.defer(row, now + timedelta(seconds=wait))
            tally.waiting += 1
            return None
        return prepared, now

    def _not_sent(
        self,
        row: Claimed,
        now: datetime,
        error: str,
        tally: Tally,
        after: float | None = None,
        *,
        final: bool = False,
    ) -> None:
        """The member's side let go, the row backed off (or failed, if `final`)."""
        self.delivery.release(row)
        status = self.outbox.retry(row, now, error, after, final=final)
        log.warning("reminder %s not delivered (%s): %s", row.id, status, error)
        if status == FAILED:
            tally.failed += 1
        else:
            tally.retried += 1

    def _record(self, row: Claimed, sent: Outgoing, tally: Tally) -> None:
        """The outcome and the member's side of it, saved together: or neither, if fenced."""
        now = self.clock()
        with self.outbox.engine.begin() as db:
            if sent.offers_pause:  # the reminder itself waits for the answer
                recorded = self.outbox.defer(row, now + HELD_FOR, db)
            else:
                recorded = self.outbox.sent(db, row, now, late=sent.late)
            if recorded:
                self.delivery.record(db, row, sent, now)
                tally.sent += 1
                log.info("reminder %s delivered%s", row.id, " (late)" if sent.late else "")
            else:
                tally.fenced += 1
