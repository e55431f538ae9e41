"""Several worker processes on one PostgreSQL outbox: each reminder delivered once, none lost.

Each worker is a separate process (tests/support/worker.py) running the real outbox,
delivery and dispatcher on the real clock, and delivering to a "platform" that is an
append-only log file shared by all of them: one line `key<TAB>owner` per message the
platform accepted. Like Discord with enforce_nonce, the platform deduplicates on the
key, so what a member sees is the set of distinct keys in the log; a key logged twice
was sent twice but shown once.

No fixed sleeps: the tests wait on the processes, and on the clock only for a lease
to run out, polling with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text

from bot.conversation.core import utc_now
from bot.playbook import Playbook
from bot.reminders.arrival import SILENCE
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.models import Base, MemberRow, Reminder
from bot.store.repository import Repository
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import SENDING, SENT, Outbox
from scheduler.rate_limit import RateLimits

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 300.0  # seconds; a run takes a few, this only stops a hung worker
KINDS = ("send_note", "second_ask", "keep_in_touch", "check_in")


@pytest.fixture
def database(postgres_engine: Engine) -> Iterator[Engine]:
    """The session's PostgreSQL, emptied before and after."""
    _truncate(postgres_engine)
    yield postgres_engine
    _truncate(postgres_engine)


def _truncate(engine: Engine) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as db:
        db.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def add_due_reminders(
    engine: Engine, rows: int, *, members: int | None = None, unanswered: int = 0
) -> set[str]:
    """`rows` due reminders spread over members; the delivery keys the platform should see.

    The silence rule holds a member's reminders once three in a row go unanswered (a
    pause offer goes out instead of the fourth), so no member here gets more than
    SILENCE of them: reminder i belongs to member i % members, with members =
    ceil(rows / SILENCE) unless given (for 10,000 rows: 3,334 members, 2 or 3 each).
    Nobody has quiet hours or a pause, and by default no unanswered reminders, so every
    row is sendable now.
    """
    members = members or -(-rows // SILENCE)
    now = utc_now()
    due = now.replace(second=0, microsecond=0) - timedelta(minutes=5)  # due, and not late
    with engine.begin() as db:
        ids = db.scalars(
            insert(MemberRow).returning(MemberRow.id),
            [
                {
                    "platform": "slack",
                    "workspace": "T1",
                    "user_id": f"U{number}",
                    "display_name": f"Member {number}",
                    "timezone": "UTC",
                    "unanswered": unanswered,
                    "created_at": now,
                }
                for number in range(members)
            ],
        ).all()
        db.execute(
            insert(Reminder),
            [
                {
                    "platform": "slack",
                    "workspace": "T1",
                    "member_id": ids[number % members],
                    "rejection_id": None,
                    "kind": KINDS[number % len(KINDS)],
                    "due_at": due,
                    "local_due": due,
                    "zone": "UTC",
                    "idempotency_key": f"load:{number}",
                    "created_at": now,
                }
                for number in range(rows)
            ],
        )
    return {f"load:{number}@{due:%Y-%m-%dT%H:%M}" for number in range(rows)}


@dataclass
class Worker:
    owner: str
    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    @classmethod
    def start(cls, engine: Engine, owner: str, log: Path, *options: str) -> Worker:
        url = engine.url.render_as_string(hide_password=False)
        out, err = log.with_name(f"{owner}.out"), log.with_name(f"{owner}.err")
        command = [sys.executable, "-m", "tests.support.worker"]
        command += ["--url", url, "--owner", owner, "--log", str(log), *options]
        with out.open("wb") as stdout, err.open("wb") as stderr:  # files: no pipe to fill up
            process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
            )
        return cls(owner, process, out, err)

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"worker {self.owner} still running after {WORKER_TIMEOUT:.0f} s")

    def finished(self) -> dict[str, object]:
        """Wait for a clean exit; what the worker says it did."""
        returncode = self.wait()
        assert returncode == 0, f"{self.owner} exited {returncode}:\n{self.err.read_text()}"
        return json.loads(self.out.read_text())


def platform_log(log: Path) -> list[tuple[str, str]]:
    """Every message the platform accepted, in order: (key, owner)."""
    lines = log.read_text().splitlines()
    return [tuple(line.split("\t")) for line in lines]  # type: ignore[misc]


def outbox(engine: Engine) -> dict[str, tuple[str, int, str | None, datetime | None]]:
    """Each row's (status, attempts, lease owner, lease expiry), by idempotency key."""
    columns = (
        Reminder.idempotency_key,
        Reminder.status,
        Reminder.attempts,
        Reminder.lease_owner,
        Reminder.lease_expires_at,
    )
    with engine.connect() as db:
        return {key: tuple(rest) for key, *rest in db.execute(select(*columns))}


def member_id(engine: Engine) -> int:
    with engine.connect() as db:
        return db.execute(select(MemberRow.id)).scalar_one()


def unanswered_total(engine: Engine) -> int:
    with engine.connect() as db:
        return int(db.scalar(select(func.sum(MemberRow.unanswered))))


def key_of(delivery_key: str) -> str:
    return delivery_key.partition("@")[0]


def test_three_workers_deliver_ten_thousand_due_reminders_each_exactly_once(
    database: Engine, tmp_path: Path
) -> None:
    expected = add_due_reminders(database, 10_000)
    log = tmp_path / "platform.log"
    workers = [Worker.start(database, f"worker-{n}", log) for n in range(3)]
    tallies = [worker.finished() for worker in workers]

    delivered = platform_log(log)
    sends = Counter(key for key, _ in delivered)
    assert len(delivered) == 10_000, tallies  # what each worker did says why, if not
    assert set(sends) == expected  # none lost
    assert sends.most_common(1)[0][1] == 1  # none sent twice, not even deduplicated
    shares = Counter(owner for _, owner in delivered)
    assert sorted(shares) == [worker.owner for worker in workers], shares  # all three worked
    assert [tally["sent"] for tally in tallies] == [shares[w.owner] for w in workers]
    assert all(tally["fenced"] == tally["retried"] == tally["failed"] == 0 for tally in tallies)

    rows = outbox(database)
    assert Counter(status for status, *_ in rows.values()) == {SENT: 10_000}
    assert {(attempts, owner, expiry) for _, attempts, owner, expiry in rows.values()} == {
        (1, None, None)  # one claim each, and no lease left behind
    }


def test_a_worker_killed_mid_batch_loses_nothing_and_its_rows_are_delivered_once(
    database: Engine, tmp_path: Path
) -> None:
    """2,000 rows: enough for the doomed worker to reach its 300th send, and quick.

    It claims 40 at a time under a 3 s lease and is killed on its 300th send, accepted
    by the platform but not yet recorded, as may be the other sends in flight beside it;
    it still holds those and the rows of its claim never sent. The survivors (2-minute
    leases, the default) cannot take those rows until the lease runs out, and stop when
    nothing is claimable. A sweeper started once the lease has run out delivers them: the
    unsent ones for the first time, the unrecorded ones again, under the same key, which
    the platform drops.
    """
    expected = add_due_reminders(database, 2_000)
    log = tmp_path / "platform.log"
    options = ("--lease-seconds", "3", "--batch", "40", "--die-after", "300")
    doomed = Worker.start(database, "doomed", log, *options)
    # As small claims as the doomed one's, or a survivor's first claim (a thousand rows)
    # could leave it fewer than 300 to send.
    survivors = [Worker.start(database, f"survivor-{n}", log, "--batch", "40") for n in range(2)]

    assert doomed.wait() == -9, doomed.err.read_text()  # SIGKILL
    held = {key: row for key, row in outbox(database).items() if row[2] == doomed.owner}
    tallies = [worker.finished() for worker in survivors]

    by_doomed = [key for key, owner in platform_log(log) if owner == doomed.owner]
    assert len(by_doomed) == 300
    unrecorded = by_doomed[-1]
    assert {status for status, *_ in held.values()} == {SENDING}  # its claim, mid-batch
    assert key_of(unrecorded) in held and len(held) <= 40  # at most a batch in memory
    unrecorded_ones = {key for key in by_doomed if key_of(key) in held}

    expiry = max(lease_expires_at for *_, lease_expires_at in held.values())
    deadline = time.monotonic() + 30
    while utc_now() <= expiry:  # the outbox reclaims a lease once it has expired
        assert time.monotonic() < deadline, "the lease never ran out"
        time.sleep(0.05)
    sweeper = Worker.start(database, "sweeper", log)
    tallies.append(sweeper.finished())

    delivered = platform_log(log)
    sends = Counter(key for key, _ in delivered)
    assert set(sends) == expected  # the platform shows each reminder once: none lost
    assert {key for key, count in sends.items() if count > 1} == unrecorded_ones
    for key in unrecorded_ones:
        resent = [owner for sent, owner in delivered if sent == key]
        assert len(resent) == 2 and resent[0] == doomed.owner != resent[1]  # deduplicated
    assert all(tally["fenced"] == tally["retried"] == tally["failed"] == 0 for tally in tallies)

    rows = outbox(database)
    assert Counter(status for status, *_ in rows.values()) == {SENT: 2_000}
    assert {key for key, (_, attempts, *_) in rows.items() if attempts == 2} == set(held)
    assert {attempts for _, attempts, *_ in rows.values()} == {1, 2}
    assert all(owner is None and expiry is None for *_, owner, expiry in rows.values())


# Two workers and one member: the silence rule across processes.


@dataclass
class MeetingPlatform:
    """Holds each send until the barrier's parties are all mid-send: workers side by side."""

    barrier: asyncio.Barrier
    sent: list[Outgoing]
    platform: str = "slack"

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        self.sent.append(message)
        await self.barrier.wait()


def test_two_workers_never_send_more_than_silence_reminders_in_a_row(
    database: Engine, playbook: Playbook
) -> None:
    add_due_reminders(database, 2, members=1, unanswered=SILENCE - 1)
    sent: list[Outgoing] = []

    async def two_workers_at_once() -> None:
        platform = MeetingPlatform(asyncio.Barrier(2), sent)
        workers = [
            Dispatcher(
                Outbox(database, owner),
                Delivery(database, playbook),
                {"slack": platform},
                RateLimits.unlimited(),
                utc_now,
            )
            for owner in ("worker-a", "worker-b")
        ]
        await asyncio.gather(*(worker.tick(batch=1) for worker in workers))

    asyncio.run(two_workers_at_once())
    assert len(sent) == 2  # each worker delivered one row, both prepared before either recorded
    reminders = [message for message in sent if not message.offers_pause]
    assert SILENCE - 1 + len(reminders) <= SILENCE  # the third, then the pause offer


def test_two_workers_reserving_one_members_attention_at_once_count_both(
    database: Engine,
) -> None:
    add_due_reminders(database, 2, members=1)
    counts: list[int | None] = []
    with database.connect() as db:
        first_id, second_id = db.scalars(select(Reminder.id).order_by(Reminder.id)).all()

    def reserve(db, reminder_id: int) -> None:  # what Delivery.prepare does before a send
        repo = Repository.of_member(db, "slack", "T1", member_id(database))
        assert repo is not None
        counts.append(repo.reserve_nudge(reminder_id, most=SILENCE))

    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with database.connect() as a, database.connect() as b, database.connect() as watch:
        a.begin()
        reserve(a, first_id)  # counted 0 -> 1, not yet committed
        b.begin()
        other = threading.Thread(target=reserve, args=(b, second_id))
        other.start()  # waits on the member row that `a` updated, then counts on from it
        deadline = time.monotonic() + 30
        while not watch.scalar(waiting):
            assert other.is_alive(), "the second reservation never waited for the first"
            assert time.monotonic() < deadline, "the second reservation is stuck"
            time.sleep(0.01)
        a.commit()
        other.join(timeout=30)
        b.commit()
    assert counts == [1, 2]
    assert unanswered_total(database) == 2
