"""The ticker drives the dispatcher on the event loop, with no persistent job store."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES
from sqlalchemy import func, select

from bot.reminders.delivery import Outgoing
from bot.store.models import Reminder
from scheduler.dispatcher import Tally
from scheduler.outbox import SENDING
from scheduler.status import last_tick, outbox_status
from scheduler.ticker import ALIVE, HEARTBEATS_KEPT, Ticker, record_tick
from tests.helpers import FIRST_DUE, PLAN
from tests.support.transport import FakeTransport


@dataclass
class SignallingTransport(FakeTransport):
    """Says when a message arrives; holds the send until `go` is set, if it is not."""

    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        self.arrived.set()
        await self.go.wait()
        await super().send(message, key=key)


def leased(engine) -> int:
    with engine.connect() as db:
        return db.scalar(select(func.count()).where(Reminder.status == SENDING))


async def tick_until_a_message(dispatcher, transport: SignallingTransport) -> None:
    """The ticker, ticking every 10 ms, until a message reaches `transport`; then stopped."""
    ticker = Ticker(dispatcher, every=0.01).start()
    try:
        await asyncio.wait_for(transport.arrived.wait(), timeout=30)
    finally:
        await ticker.stop()


def test_a_due_reminder_is_delivered_by_the_ticker_alone_and_the_tick_recorded(
    chat, dispatcher, clock, engine
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    transport = SignallingTransport("slack")
    transport.go.set()
    dispatcher.transports = {"slack": transport}
    assert last_tick(engine, "test-worker") is None

    asyncio.run(tick_until_a_message(dispatcher, transport))
    assert len(transport.sent) == 1
    assert last_tick(engine, "test-worker") == FIRST_DUE
    assert outbox_status(engine, FIRST_DUE).ticks == [("test-worker", FIRST_DUE)]


def test_stop_lets_the_send_under_way_finish_and_be_recorded(
    chat, dispatcher, clock, engine
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    transport = SignallingTransport("slack")
    dispatcher.transports = {"slack": transport}

    async def run() -> None:
        ticker = Ticker(dispatcher, every=0.01).start()
        await asyncio.wait_for(transport.arrived.wait(), timeout=30)
        assert leased(engine) == 1
        stopping = asyncio.create_task(ticker.stop())
        await asyncio.sleep(0)  # one turn of the loop: the scheduler is shut down
        assert not stopping.done()  # waiting for the send
        transport.go.set()
        await asyncio.wait_for(stopping, timeout=30)

    asyncio.run(run())
    assert len(transport.sent) == 1
    assert leased(engine) == 0
    assert outbox_status(engine, FIRST_DUE).pending > 0  # the later follow-ups wait


def test_a_new_worker_clears_the_heartbeats_of_workers_long_silent(engine) -> None:
    now = FIRST_DUE
    record_tick(engine, "gone-long-ago", now - HEARTBEATS_KEPT - timedelta(minutes=1))
    record_tick(engine, "stopped-last-week", now - timedelta(days=7))
    record_tick(engine, "running", now - timedelta(seconds=1))
    record_tick(engine, "just-started", now)
    assert [worker for worker, _ in outbox_status(engine, now).ticks] == [
        "just-started",
        "running",
        "stopped-last-week",
    ]
    assert last_tick(engine, "gone-long-ago") is None


def test_each_worker_alive_takes_an_equal_share_of_the_limits(
    chat, dispatcher, clock, engine
) -> None:
    """Workers of one bot count each other by their heartbeats: one that beat within
    ALIVE shares the limits, one silent for longer is gone."""
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    record_tick(engine, "the-other-one", FIRST_DUE - ALIVE)
    record_tick(engine, "long-gone", FIRST_DUE - ALIVE - timedelta(seconds=1))
    transport = SignallingTransport("slack")
    transport.go.set()
    dispatcher.transports = {"slack": transport}

    asyncio.run(tick_until_a_message(dispatcher, transport))
    assert dispatcher.limits.workers == 2
    assert record_tick(engine, "the-other-one", FIRST_DUE + ALIVE) == 2  # this one's beat


def test_a_slow_claim_is_neither_overlapped_nor_logged_as_missed_runs(
    chat, dispatcher, clock, caplog
) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    claims = 0
    claiming, go = asyncio.Event(), asyncio.Event()
    start = dispatcher.start

    async def slow() -> Tally:
        nonlocal claims
        claims += 1
        claiming.set()
        await go.wait()  # as a claim stuck on a busy database would
        return await start()

    dispatcher.start = slow

    async def run() -> None:
        ticker = Ticker(dispatcher, every=0.01)
        fired = asyncio.Semaphore(0)
        ticker._scheduler.add_listener(
            lambda _: fired.release(), EVENT_JOB_EXECUTED | EVENT_JOB_MAX_INSTANCES
        )
        ticker.start()
        try:
            await asyncio.wait_for(claiming.wait(), timeout=30)
            for _ in range(3):  # the job's time comes three more times during the claim
                await asyncio.wait_for(fired.acquire(), timeout=30)
            assert claims == 1
        finally:
            go.set()
            await ticker.stop()

    asyncio.run(run())
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_the_next_claim_does_not_wait_for_the_sends_of_the_last(
    chat, dispatcher, clock, engine
) -> None:
    """A platform takes its time to answer; meanwhile the ticker claims again (and beats),
    and the send still held is not claimed twice."""
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    transport = SignallingTransport("slack")  # holds the send until `go`
    dispatcher.transports = {"slack": transport}
    claims = 0
    second = asyncio.Event()
    start = dispatcher.start

    async def counted() -> Tally:
        nonlocal claims
        claims += 1
        if claims == 2:
            second.set()
        return await start()

    dispatcher.start = counted

    async def run() -> None:
        ticker = Ticker(dispatcher, every=0.01).start()
        try:
            await asyncio.wait_for(transport.arrived.wait(), timeout=30)
            await asyncio.wait_for(second.wait(), timeout=30)
            assert leased(engine) == 1 and not transport.sent
        finally:
            transport.go.set()
            await ticker.stop()

    asyncio.run(run())
    assert len(transport.sent) == 1
    assert last_tick(engine, "test-worker") == FIRST_DUE


def test_a_full_claim_is_followed_by_the_next_tick_at_once(chat, dispatcher, clock) -> None:
    """A backlog goes at the limits' pace, not the interval's: the hour between ticks
    never comes, and the third tick runs all the same, after two full claims."""
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    ticks = 0
    third = asyncio.Event()
    start = dispatcher.start

    async def counted() -> Tally:
        nonlocal ticks
        ticks += 1
        tally = await start()
        tally.full = ticks < 3  # as if the first two claims came back as large as asked
        if ticks == 3:
            third.set()
        return tally

    dispatcher.start = counted

    async def run() -> None:
        ticker = Ticker(dispatcher, every=3600).start()
        try:
            await asyncio.wait_for(third.wait(), timeout=30)
        finally:
            await ticker.stop()

    asyncio.run(run())
    assert ticks == 3
