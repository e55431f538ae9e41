"""Claim what is due, deliver it, record the outcome: the scheduler's work.

Claims are sized to what the rate limits let go within the next AHEAD
seconds, and each row books its turn with the limits before it is sent: it
waits for that turn in memory, so the sends keep the limits' pace without
a second of slack or of excess. A row whose turn is further off (its Slack
channel's bucket is behind) is handed back with the time it may go, not
held on its lease. Failures back off in the outbox.

A claim's rows go out together, as many awaiting an answer at once as
IN_FLIGHT allows (and WORKSPACE_IN_FLIGHT for one workspace): a platform
takes 50-300 ms to answer, and one send at a time would cap a bot at a few
messages a second. The ticker claims again as soon as a claim's rows have
booked their turns, while they are still being answered, so claims follow
each other without a gap. A member's own rows still go out one after
another, in the order they fell due, whichever claims they came in.

The database work runs in worker threads: the dispatcher shares its event
loop with the platforms, and a backlog of reminders must not hold Slack's
acks or Discord's heartbeats back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.checkins.planning import plan_member_checkins
from bot.group.rhythm import plan_group_posts
from bot.reminders.arrival import HELD_FOR, Wait
from bot.reminders.delivery import Delivery, Outgoing
from scheduler.outbox import FAILED, Claimed, Outbox
from scheduler.rate_limit import RateLimits
from scheduler.transport import RateLimited, Transport, Undeliverable

log = logging.getLogger(__name__)
BATCH = 1000  # rows claimed, per platform, and held in memory until settled, at most
# Sends awaiting a platform's answer at once, per platform: 100 Slack workspaces may take
# 2,000 a second, answered in 50-300 ms.
IN_FLIGHT = 256
WORKSPACE_IN_FLIGHT = 8  # of those, for one workspace: its limits are its own
AHEAD = 2.0  # seconds of sends a claim holds and a row may wait in memory for its turn
PLAN_EVERY = timedelta(minutes=10)  # how often the groups' posts and check-ins are planned


Outcome = Literal["sent", "waiting", "dropped", "retried", "failed", "fenced"]
Ready = tuple[Outgoing, datetime, float]  # the message, when it was prepared, secs to its turn


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
    full: bool = False  # a claim came back as large as asked: more may be due at once

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


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
        self._claiming = asyncio.Lock()
        self._stopping = False
        self._stopped = asyncio.Event()  # wakes the rows waiting for their turn
        self._sending: set[asyncio.Task[None]] = set()
        self._held: Counter[str] = Counter()  # per platform: claimed rows not yet settled
        self._latest: dict[tuple[object, ...], asyncio.Task[None]] = {}  # each member's
        self._in_flight: dict[tuple[str, ...], asyncio.Semaphore] = {}
        self._failure: BaseException | None = None

    async def tick(self, batch: int = BATCH) -> Tally:
        """One claim per platform, delivered in full: every send answered and recorded."""
        tally = await self.start(batch)
        await self.settled()
        return tally

    async def start(self, batch: int = BATCH) -> Tally:
        """Claim what is due and book each row its turn; the sends go on after this returns,
        so the next claim can book the turns that follow while these are answered, and no
        platform's answer time opens a gap between claims. Raises what a send of an
        earlier claim failed with, as a failed tick."""
        tally = Tally()
        async with self._claiming:
            self._raise_failure()
            if self._stopping:
                return tally
            await asyncio.to_thread(self._plan)
            for platform, transport in self.transports.items():
                room = min(
                    batch - self._held[platform], self.limits.available(platform, within=AHEAD)
                )
                claimed = await asyncio.to_thread(self.outbox.claim, self.clock(), room, platform)
                now, later = self._fitting(platform, claimed)
                tally.full |= room > 0 and len(claimed) == room and bool(now)
                tally.handed_back += await asyncio.to_thread(self.outbox.hand_back, later)
                await asyncio.gather(*(self._launch(row, transport, tally) for row in now))
        return tally

    async def settled(self) -> None:
        """Wait until every send started so far is answered and recorded."""
        while self._sending:
            await asyncio.wait(set(self._sending))
        self._raise_failure()

    async def stop(self) -> int:
        """On shutdown: let the sends in flight finish and be recorded, try no more, and
        hand back the rest of the claims. Handed back while in flight, a sent row would
        be claimed as never tried, and sent again without looking first."""
        self._stopping = True
        self._stopped.set()
        async with self._claiming:
            while self._sending:
                await asyncio.wait(set(self._sending))
            return await asyncio.to_thread(self.outbox.release_all)

    def _launch(self, row: Claimed, transport: Transport, tally: Tally) -> asyncio.Future[None]:
        """Start a row's delivery, after its member's previous one, whichever claim that
        came from; the future is done once the row has booked its turn (or is queued
        behind its member's), so the claim can be followed by the next."""
        booked = asyncio.get_running_loop().create_future()
        member = (row.platform, row.workspace, row.member_id or ("row", row.id))
        previous = self._latest.get(member)
        task = asyncio.create_task(self._in_turn(row, transport, tally, booked, previous))
        self._latest[member] = task
        self._sending.add(task)
        self._held[row.platform] += 1
        task.add_done_callback(lambda done: self._settle(row, member, done))
        if previous is not None:
            booked.set_result(None)
        return booked

    def _settle(self, row: Claimed, member: tuple[object, ...], task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._held[row.platform] -= 1
        if self._latest.get(member) is task:
            del self._latest[member]
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()

    def _raise_failure(self) -> None:
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    async def _in_turn(
        self,
        row: Claimed,
        transport: Transport,
        tally: Tally,
        booked: asyncio.Future[None],
        previous: asyncio.Task[None] | None,
    ) -> None:
        """After the member's previous row: prepare (booking the turn), then deliver."""
        try:
            if previous is not None:
                await asyncio.wait({previous})
            if self._stopping:
                return
            ready = await asyncio.to_thread(self._prepare, row)
        finally:
            if not booked.done():  # one queued behind its member's row counted as booked
                booked.set_result(None)
        await self._deliver(row, transport, tally, ready)

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
                left = self.limits.available_in(platform, row.workspace, within=AHEAD)
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

    async def _deliver(
        self, row: Claimed, transport: Transport, tally: Tally, ready: Ready | Outcome
    ) -> None:
        """Wait for a prepared row's turn, send and record it, counting the outcome in the
        tally; the database work runs in a thread."""
        if isinstance(ready, str):
            tally.add(ready)
            return
        prepared, now, turn = ready
        if turn and await self._stopped_before(turn):
            await asyncio.to_thread(self.delivery.release, row)  # handed back by `stop`
            return
        try:
            key = row.delivery_key + (":pause-offer" if prepared.offers_pause else "")
            async with self._slot(row.platform, row.workspace), self._slot(row.platform):
                await transport.send(prepared, key=key, resend=row.attempts > 1)
        except RateLimited as limited:
            self.limits.hold(
                row.platform, row.workspace, prepared.route, limited.retry_after, limited.scope
            )
            outcome = await asyncio.to_thread(self._limited, row, limited)
        except Undeliverable as refused:
            outcome = await asyncio.to_thread(self._not_sent, row, now, str(refused), final=True)
        except Exception as error:  # any platform failure is retried, never fatal
            outcome = await asyncio.to_thread(
                self._not_sent, row, now, f"{type(error).__name__}: {error}"
            )
        else:
            outcome = await asyncio.to_thread(self._record, row, prepared)
        tally.add(outcome)

    def _slot(self, platform: str, workspace: str | None = None) -> asyncio.Semaphore:
        """The cap on sends awaiting an answer: a platform's, or one workspace's share."""
        key = (platform,) if workspace is None else (platform, workspace)
        slot = self._in_flight.get(key)
        if slot is None:
            cap = IN_FLIGHT if workspace is None else WORKSPACE_IN_FLIGHT
            slot = self._in_flight[key] = asyncio.Semaphore(cap)
        return slot

    async def _stopped_before(self, seconds: float) -> bool:
        """Wait for a booked turn; whether `stop` came first."""
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except TimeoutError:
            return False
        return True

    def _prepare(self, row: Claimed) -> Ready | Outcome:
        """The message to send, the time it was prepared and the seconds until its turn;
        or the tally's name for the row dropped (nobody to send to) or deferred (quiet
        hours, a pause, a turn too far off)."""
        now = self.clock()
        prepared = self.delivery.prepare(row, now)
        if prepared is None:
            self.outbox.drop(row)
            return "dropped"
        if isinstance(prepared, Wait):
            self.outbox.defer(row, prepared.until)
            return "waiting"
        turn = self.limits.reserve(
            row.platform, row.workspace, prepared.route, within=AHEAD, requests=prepared.requests
        )
        if turn > AHEAD:
            self.delivery.release(row)
            self.outbox.defer(row, now + timedelta(seconds=turn))
            return "waiting"
        return prepared, now, turn

    def _limited(self, row: Claimed, limited: RateLimited) -> Outcome:
        """A 429 is no fault of the row's: it waits as long as the platform said, and the
        try does not count towards the ones that fail it."""
        self.delivery.release(row)
        self.outbox.defer(row, self.clock() + timedelta(seconds=limited.retry_after))
        log.warning("reminder %s waits: %s", row.id, limited)
        return "retried"

    def _not_sent(self, row: Claimed, now: datetime, error: str, *, final: bool = False) -> Outcome:
        """The member's side let go, the row backed off (or failed, if `final`)."""
        self.delivery.release(row)
        status = self.outbox.retry(row, now, error, final=final)
        log.warning("reminder %s not delivered (%s): %s", row.id, status, error)
        return "failed" if status == FAILED else "retried"

    def _record(self, row: Claimed, sent: Outgoing) -> Outcome:
        """The outcome and the member's side of it, saved together: or neither, if fenced."""
        now = self.clock()
        with self.outbox.engine.begin() as db:
            if sent.offers_pause:  # the reminder itself waits for the answer
                recorded = self.outbox.defer(row, now + HELD_FOR, db)
            else:
                recorded = self.outbox.sent(db, row, now, late=sent.late)
            if not recorded:
                return "fenced"
            self.delivery.record(db, row, sent, now)
        log.info("reminder %s delivered%s", row.id, " (late)" if sent.late else "")
        return "sent"
