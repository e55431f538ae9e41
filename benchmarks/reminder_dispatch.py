"""Schedule 100,000 reminders and dispatch them through a fake platform, against APScheduler.

One run, on a SQLite file in a temporary folder (WAL), measures:

1. schedule: each member's follow-up plan stored the way the `/rejected` dialogue
   stores it, `Repository.reminders.add(reminder_rows(...))`, one transaction per
   plan (as the dialogue commits its turn); 2 or 3 reminders a member, never more,
   because of the silence rule (after 3 unanswered the 4th becomes a pause offer);
2. unlimited dispatch: every reminder due, `Dispatcher.tick()` in a loop until the
   outbox is empty, `RateLimits.unlimited()`, a platform that accepts at once;
   then again with the member's side of delivery stubbed out (no reads, nothing
   recorded for the member): the outbox's own cost, the fair match for step 4;
3. limited dispatch: the outbox reset to all 100,000 pending, a platform bucket of
   50 messages/s on the real monotonic clock, ticking continuously (sleeping when a
   tick sent nothing: the dispatcher never sleeps); the achieved rate over a window
   after the initial burst, as a share of the allowed rate. `--limits default` uses
   Slack's DEFAULT_LIMITS instead (its 20/s workspace bucket is then the bound), and
   `--tick-every 5` ticks the way scheduler/ticker.py does;
4. the naive way: one APScheduler 3 `date` job per reminder in a `SQLAlchemyJobStore`
   (its own SQLite file, tuned like ours), added, then run; fewer of them (2,000),
   compared per reminder. Twice: jobs that only count (APScheduler's own cost), and
   jobs that each do the outbox's delivery for one reminder (`Delivery.prepare`, the
   send, `Delivery.record` with the row marked sent): the same work, done the naive way.

Run:

    .venv/bin/python benchmarks/reminder_dispatch.py [--reminders 100000] [--members 40000]
        [--window 30] [--rate 50] [--naive 2000] [--url postgresql+psycopg://...]
        [--limits default] [--tick-every 5] [--limited-only]

`--url` must name an empty scratch database (the script refuses one with members
in it, and leaves its rows there); the naive job store then goes into the same
database, in a table of its own that is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
import timeit
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from bot.playbook import load_playbook
from bot.rejection.plan import PlannedReminder, reminder_rows
from bot.reminders.arrival import SILENCE
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import Conversation, MemberRow, Rejection, Reminder
from bot.store.repository import Repository
from scheduler.dispatcher import BATCH, Dispatcher, Tally
from scheduler.outbox import Claimed, Outbox
from scheduler.rate_limit import DEFAULT_LIMITS, Limit, PlatformLimits, RateLimits

PLATFORM, WORKSPACE = "slack", "T1"
KINDS = ("send_note", "second_ask", "keep_in_touch")  # at most SILENCE a member
NAIVE_TABLE = "bench_apscheduler_jobs"
_members, _rejections = MemberRow.__table__, Rejection.__table__
_reminders, _places = Reminder.__table__, Conversation.__table__


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # the store's convention: naive UTC


@dataclass
class CountingTransport:
    """A platform that accepts every message at once and counts it (and its keys)."""

    platform: str = PLATFORM
    count: int = 0
    keys: set[str] = field(default_factory=set)

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        self.count += 1
        self.keys.add(key)


# Setup (not timed as scheduling): the members and the rejections their plans follow.


def add_members(engine: Engine, members: int, now: datetime) -> list[tuple[int, int]]:
    """(member id, rejection id) for each member, inserted in bulk."""
    tenant = {"platform": PLATFORM, "workspace": WORKSPACE}
    new_members = [
        {**tenant, "user_id": f"U{n:07d}", "display_name": f"Member {n}", "created_at": now}
        for n in range(members)
    ]
    with engine.begin() as db:
        ids = db.scalars(
            insert(_members).returning(_members.c.id, sort_by_parameter_order=True),
            new_members,
        ).all()
        rejections = [
            {
                **tenant,
                "member_id": member_id,
                "company": f"Company {n}",
                "role": "Data Analyst",
                "stage": "interview",
                "heard_on": now.date() - timedelta(days=5),
                "created_at": now,
            }
            for n, member_id in enumerate(ids)
        ]
        rejection_ids = db.scalars(
            insert(_rejections).returning(_rejections.c.id, sort_by_parameter_order=True),
            rejections,
        ).all()
    return list(zip(ids, rejection_ids, strict=True))


def plans(reminders: int, members: int, today: date) -> list[list[PlannedReminder]]:
    """Each member's plan, all of it already due: a day apart, minutes spread over members."""
    if not members <= reminders <= SILENCE * members:
        raise SystemExit(f"--reminders must be between --members and {SILENCE} x --members")
    each, extra = divmod(reminders, members)
    result = []
    for n in range(members):
        at = clock_time((n // 60) % 24, n % 60)
        count = each + (n < extra)
        result.append(
            [
                PlannedReminder(kind, today - timedelta(days=3 - j), at)
                for j, kind in enumerate(KINDS[:count])
            ]
        )
    return result


def schedule(
    engine: Engine, owners: list[tuple[int, int]], plan: list[list[PlannedReminder]]
) -> int:
    """The dialogue's way: find the member, store the plan's rows, commit; one plan at a time."""
    stored = 0
    for (member_id, rejection_id), items in zip(owners, plan, strict=True):
        with engine.begin() as db:
            repo = Repository.of_member(db, PLATFORM, WORKSPACE, member_id)
            assert repo is not None
            rows = reminder_rows(
                items, rejection_id=rejection_id, zone=repo.member.timezone, now=utc_now()
            )
            repo.reminders.add(rows)
            stored += len(rows)
    return stored


def reset(engine: Engine) -> None:
    """Back to the state right after scheduling: every reminder pending, nobody answered."""
    with engine.begin() as db:
        db.execute(
            update(_reminders).values(
                status="pending",
                attempts=0,
                lease_owner=None,
                lease_expires_at=None,
                last_error="",
                late=False,
                sent_at=None,
                nudge=None,
            )
        )
        db.execute(update(_members).values(unanswered=0))
        db.execute(delete(_places))


def statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as db:
        rows = db.execute(select(_reminders.c.status, func.count()).group_by(_reminders.c.status))
        return {status: count for status, count in rows}


def add(total: Tally, tally: Tally) -> None:
    for name in ("sent", "waiting", "dropped", "retried", "failed", "fenced", "handed_back"):
        setattr(total, name, getattr(total, name) + getattr(tally, name))


# Dispatch through the project's outbox


def dispatcher(engine: Engine, limits: RateLimits, transport: CountingTransport) -> Dispatcher:
    return Dispatcher(
        Outbox(engine, "bench-worker"),
        Delivery(engine, load_playbook()),
        {transport.platform: transport},
        limits,
        utc_now,
    )


class NoDelivery:
    """Delivery with the member's side taken out: no reads, nothing recorded for the member.

    What is left is the outbox's own work (claim, rate limits, send, the fenced `sent`),
    the fair match for a naive job that only counts.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def prepare(self, row: Claimed, now: datetime) -> Outgoing:
        return Outgoing(row.platform, row.workspace, [])

    def record(self, db: Connection, row: Claimed, sent: Outgoing, now: datetime) -> None:
        pass

    def release(self, row: Claimed) -> None:
        pass


async def drain(
    engine: Engine, batch: int, *, stub: bool = False
) -> tuple[float, Tally, CountingTransport]:
    """Tick until a tick finds nothing due; seconds taken."""
    transport = CountingTransport()
    worker = dispatcher(engine, RateLimits.unlimited(), transport)
    if stub:
        worker.delivery = NoDelivery(engine)  # type: ignore[assignment]
    total = Tally()
    started = time.perf_counter()
    while True:
        tally = await worker.tick(batch)
        add(total, tally)
        if not (tally.sent or tally.waiting or tally.dropped or tally.retried or tally.failed):
            break
    return time.perf_counter() - started, total, transport


@dataclass
class Window:
    sent: int
    seconds: float
    cpu: float
    ticks: int
    idle_ticks: int
    tally: Tally
    burst_sent: int


async def limited(
    engine: Engine,
    limits: RateLimits,
    rate: float,
    window: float,
    warmup: float,
    batch: int,
    every: float,
) -> Window:
    """Tick for warmup + window seconds; what was sent inside the window.

    every = 0: continuously, sleeping only after a tick that sent nothing; every > 0: one
    tick every that many seconds, as scheduler/ticker.py drives the dispatcher.
    """
    transport = CountingTransport()
    worker = dispatcher(engine, limits, transport)
    total = Tally()
    ticks = idle = 0
    started = time.monotonic()
    opens, closes = started + warmup, started + warmup + window
    at_open = cpu_open = seconds_open = None
    while True:
        now = time.monotonic()
        if at_open is None and now >= opens:
            at_open, cpu_open, seconds_open = transport.count, time.process_time(), now
        if now >= closes:
            break
        tally = await worker.tick(batch)
        ticks += 1
        add(total, tally)
        idle += not tally.sent
        if every:
            await asyncio.sleep(max(0.0, started + ticks * every - time.monotonic()))
        elif not tally.sent:
            # No tokens (or nothing due): the longest wait for one token. The bucket keeps
            # filling meanwhile (it is far from its burst), so sleeping never loses allowance.
            await asyncio.sleep(1 / rate)
    assert at_open is not None and cpu_open is not None and seconds_open is not None
    return Window(
        sent=transport.count - at_open,
        seconds=now - seconds_open,
        cpu=time.process_time() - cpu_open,
        ticks=ticks,
        idle_ticks=idle,
        tally=total,
        burst_sent=at_open,
    )


# The naive way: one APScheduler job per reminder, in its SQLAlchemy job store

_ran: Counter[int] = Counter()
_ran_lock = threading.Lock()
_all_ran = threading.Event()
_expected = 0


def remind(reminder_id: int) -> None:
    """The naive job: note that this reminder ran (module level, so a job store can name it)."""
    with _ran_lock:
        _ran[reminder_id] += 1
        if len(_ran) == _expected:
            _all_ran.set()


@dataclass
class NaiveDelivery:
    """What the delivering naive job needs: the project's delivery, on the outbox's database."""

    engine: Engine
    delivery: Delivery
    transport: CountingTransport


_delivering: NaiveDelivery | None = None
_DUE = select(*(_reminders.c[name] for name in Claimed.__dataclass_fields__))


def deliver(reminder_id: int) -> None:
    """The naive job doing the outbox's work: the same `Delivery.prepare`, send and
    `Delivery.record` with the row marked sent, one reminder per job, no lease."""
    assert _delivering is not None
    engine, delivery, transport = _delivering.engine, _delivering.delivery, _delivering.transport
    with engine.connect() as db:
        row = Claimed(*db.execute(_DUE.where(_reminders.c.id == reminder_id)).one())
    now = utc_now()
    prepared = delivery.prepare(row, now)
    assert isinstance(prepared, Outgoing)
    asyncio.run(transport.send(prepared, key=row.delivery_key))
    with engine.begin() as db:
        sent = update(_reminders).where(_reminders.c.id == row.id)
        db.execute(sent.values(status="sent", sent_at=now, late=prepared.late))
        delivery.record(db, row, prepared, now)
    remind(reminder_id)


@dataclass
class Naive:
    jobs: int
    schedule_seconds: float
    dispatch_seconds: float
    ran_once: int
    ran_twice_or_more: int
    left_in_store: int


def naive(url: str, jobs: int, timeout: float, job: Callable[[int], None] = remind) -> Naive:
    global _expected
    _ran.clear()
    _all_ran.clear()
    _expected = jobs
    engine = make_engine(url)  # WAL and synchronous=NORMAL on SQLite, as the outbox gets
    store = SQLAlchemyJobStore(engine=engine, tablename=NAIVE_TABLE)
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        # APScheduler drops a job that is more than 1 s late by default: never here.
        job_defaults={"misfire_grace_time": None, "coalesce": False},
        timezone=UTC,
    )
    scheduler.start(paused=True)  # jobs go straight into the store, none run yet
    due = datetime.now(UTC) - timedelta(minutes=1)
    started = time.perf_counter()
    for reminder_id in range(1, jobs + 1):
        scheduler.add_job(job, "date", run_date=due, args=[reminder_id], id=f"plan:{reminder_id}")
    scheduled = time.perf_counter()
    scheduler.resume()
    finished = _all_ran.wait(timeout)
    dispatched = time.perf_counter()
    scheduler.shutdown(wait=True)
    if not finished:
        print(f"naive: only {len(_ran)} of {jobs} jobs ran within {timeout:.0f} s")
    with engine.begin() as db:
        left = db.execute(select(func.count()).select_from(store.jobs_t)).scalar_one()
        store.jobs_t.drop(db)
    engine.dispose()
    return Naive(
        jobs=jobs,
        schedule_seconds=scheduled - started,
        dispatch_seconds=dispatched - scheduled,
        ran_once=sum(1 for count in _ran.values() if count == 1),
        ran_twice_or_more=sum(1 for count in _ran.values() if count > 1),
        left_in_store=left,
    )


# The run


def per(seconds: float, count: int) -> str:
    each = seconds / count * 1e6
    return f"{count:,} in {seconds:.2f} s = {count / seconds:,.0f}/s, {each:,.0f} µs each"


def run(options: argparse.Namespace, folder: Path) -> None:
    url = options.url or sqlite_url(folder / "outbox.db")
    naive_url = options.naive_url or options.url or sqlite_url(folder / "apscheduler.db")
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as db:
        if db.execute(select(func.count()).select_from(_members)).scalar_one():
            raise SystemExit(f"{url} already has members: give an empty scratch database")
    backend = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite (WAL)"
    total = options.reminders
    print(
        f"reminders: {total:,} for {options.members:,} members (at most {SILENCE} each), {backend}"
    )

    started = time.perf_counter()
    owners = add_members(engine, options.members, utc_now())
    setup = time.perf_counter() - started
    print(f"setup: members and their rejections inserted in bulk in {setup:.2f} s")
    plan = plans(total, options.members, utc_now().date())
    started = time.perf_counter()
    stored = schedule(engine, owners, plan)
    scheduled = time.perf_counter() - started
    assert stored == total == statuses(engine)["pending"]
    print(
        f"schedule: {per(scheduled, stored)} "
        "(Repository.reminders.add(reminder_rows(...)), one transaction per member's plan)"
    )

    if not options.limited_only:
        drained, tally, transport = asyncio.run(drain(engine, options.batch))
        after = statuses(engine)
        once = transport.count == len(transport.keys) == tally.sent == total
        check = "each sent once, every row sent" if once and after == {"sent": total} else after
        print(f"dispatch, no limit: {per(drained, tally.sent)} (batch {options.batch}; {check})")

        reset(engine)
        stub_drained, stub_tally, _ = asyncio.run(drain(engine, options.batch, stub=True))
        after = statuses(engine)
        check = "every row sent" if after == {"sent": total} == {"sent": stub_tally.sent} else after
        stubbed = per(stub_drained, total)
        print(f"dispatch, no limit, delivery stubbed (the outbox's own work): {stubbed} ({check})")
        reset(engine)

    slack = DEFAULT_LIMITS[PLATFORM]
    if options.limits == "default":
        assert slack.platform is not None and slack.workspace is not None
        limits, rate = RateLimits(DEFAULT_LIMITS), slack.platform.rate
        allowed = min(rate, slack.workspace.rate)  # one workspace: its bucket is the bound
        buckets = f"DEFAULT_LIMITS (platform {rate:g}/s, workspace {allowed:g}/s, channel 1/s)"
    else:
        limits = RateLimits({PLATFORM: PlatformLimits(platform=Limit(options.rate, options.rate))})
        allowed = rate = options.rate
        buckets = f"platform bucket {rate:g}/s, burst {rate:g}"
    every = options.tick_every
    window = asyncio.run(
        limited(engine, limits, rate, options.window, options.warmup, options.batch, every)
    )
    achieved = window.sent / window.seconds
    print(
        f"dispatch, {buckets}: {window.sent:,} sent in a {window.seconds:.2f} s window = "
        f"{achieved:.2f} messages/s = {achieved / allowed:.1%} of {allowed:g}/s (target >= 95%)"
    )
    print(
        f"  {f'a tick every {every:g} s' if every else 'ticking continuously'}, "
        f"{total:,} rows in the outbox; {options.warmup:g} s warm-up first "
        f"({window.burst_sent} sent, the burst included); {window.ticks:,} ticks, "
        f"{window.idle_ticks:,} sent nothing; deferred {window.tally.waiting:,}, failed "
        f"{window.tally.failed + window.tally.retried}; CPU {window.cpu / window.seconds:.0%} "
        "of the window"
    )

    if options.limited_only:
        engine.dispose()
        return
    reset(engine)
    result = naive(naive_url, options.naive, options.naive_timeout)
    once = result.ran_once == result.jobs and not result.ran_twice_or_more
    store = "the same database" if naive_url == url else "its own SQLite file (WAL)"
    print(
        f"naive: {result.jobs:,} APScheduler date jobs that only count, SQLAlchemyJobStore on "
        f"{store}: added {per(result.schedule_seconds, result.jobs)}; "
        f"ran {per(result.dispatch_seconds, result.jobs)}"
    )
    print(
        f"  {'each ran exactly once' if once else 'CHECK FAILED'}: {result.ran_once:,} once, "
        f"{result.ran_twice_or_more} more than once, {result.left_in_store} left in the store"
    )

    global _delivering
    transport = CountingTransport()
    _delivering = NaiveDelivery(engine, Delivery(engine, load_playbook()), transport)
    delivering = naive(naive_url, options.naive, options.naive_timeout, job=deliver)
    engine.dispose()
    once = delivering.ran_once == delivering.jobs == transport.count == len(transport.keys)
    print(
        f"naive, delivering: {delivering.jobs:,} APScheduler date jobs, each running the "
        f"outbox's delivery for one reminder (prepare, send, record): added "
        f"{per(delivering.schedule_seconds, delivering.jobs)}; "
        f"ran {per(delivering.dispatch_seconds, delivering.jobs)}; "
        f"{'each delivered once' if once else 'CHECK FAILED'}"
    )

    def ratio(
        naive_seconds: float, ours_seconds: float, ours_count: int, jobs: int = result.jobs
    ) -> str:
        return f"{(naive_seconds / jobs) / (ours_seconds / ours_count):.2f}x"

    naive_both = result.schedule_seconds + result.dispatch_seconds
    print(
        f"speed-up, naive time per reminder / outbox time per reminder ({result.jobs:,} vs "
        f"{total:,}): schedule + dispatch {ratio(naive_both, scheduled + drained, total)} "
        "(target >= 50x); "
        f"schedule {ratio(result.schedule_seconds, scheduled, total)}; "
        f"dispatch {ratio(result.dispatch_seconds, drained, total)}"
    )
    print(
        "  with the outbox's delivery stubbed (neither side does member work): schedule + dispatch "
        f"{ratio(naive_both, scheduled + stub_drained, total)}; "
        f"dispatch {ratio(result.dispatch_seconds, stub_drained, total)}"
    )
    delivering_both = delivering.schedule_seconds + delivering.dispatch_seconds
    print(
        "  against the delivering naive jobs (both sides do the same member work): schedule + "
        f"dispatch {ratio(delivering_both, scheduled + drained, total, delivering.jobs)}; "
        f"dispatch {ratio(delivering.dispatch_seconds, drained, total, delivering.jobs)}"
    )
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"this machine's Python: sum(range(1000)) takes {reference:.1f} µs (for comparison)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=40_000)
    parser.add_argument("--rate", type=float, default=50, help="messages/s for the limited run")
    parser.add_argument("--window", type=float, default=30, help="seconds measured at the limit")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before the window")
    parser.add_argument(
        "--limits",
        choices=("platform", "default"),
        default="platform",
        help="the limited run's buckets: a platform bucket of --rate, or Slack's DEFAULT_LIMITS",
    )
    parser.add_argument(
        "--tick-every",
        type=float,
        default=0,
        help="limited run: tick every this many seconds (scheduler/ticker.py: 5) instead of "
        "continuously",
    )
    parser.add_argument(
        "--limited-only",
        action="store_true",
        help="schedule, then only the limited run (for trying --limits and --tick-every)",
    )
    parser.add_argument("--batch", type=int, default=BATCH, help="rows claimed per tick at most")
    parser.add_argument("--naive", type=int, default=2_000, help="APScheduler jobs")
    parser.add_argument("--naive-timeout", type=float, default=600)
    parser.add_argument("--url", help="a database URL instead of a SQLite file")
    parser.add_argument("--naive-url", help="the job store's URL (default: beside the outbox)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(options, Path(folder))
