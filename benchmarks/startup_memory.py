"""Start-up time and idle resident memory of `bounceback run` with Slack and Discord
over 10,000 members and 100,000 reminders (issue 6: under 3 s, under 150 MB).

The database is seeded in bulk (untimed) through Bounceback's own migrations: members
of one Slack workspace and one Discord server in several time zones, their rejections,
wins, a few dialogues under way, both groups' rhythm, and the outbox a group would have
after some weeks: three quarters pending, due from one hour to twelve weeks ahead (so
nothing falls due while the benchmark watches), the rest due over the past four weeks
and closed (sent, done, skipped, cancelled, failed). A fake Slack Web API and a fake
Discord (REST and gateway) run in this script's event loop on 127.0.0.1
(tests/support/); `bounceback run`, the installed console script, runs as a child in
an empty folder (no developer's .env) with a bare environment: Slack in HTTP mode on a
free PORT, Discord with every shard, DATABASE_URL at the seeded database, LOG_LEVEL=INFO.

A run times, from just before the exec: /healthz answering 200, the fake Discord's
IDENTIFY, and the runner's READY line (the last of start-up). Then the process idles
`--idle` seconds (a tick a second), and VmRSS, VmHWM, RssAnon and RssFile are read from
/proc/PID/status; then SIGTERM, which must end it with 0. Runs on an empty, migrated
database, taken in turn with the seeded ones, show what the data adds. Run:

    .venv/bin/python benchmarks/startup_memory.py [--runs 3] [--idle 10]
        [--members 10000] [--reminders 100000] [--postgres]
        [--url postgresql+psycopg://... [--empty-url postgresql+psycopg://...]]

`--url` must name an empty scratch database to seed (refused if it has members; its
rows are left there), `--empty-url` another for the empty runs (none without it);
`--postgres` starts a throwaway server (tests/support/postgres.py) holding both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import Connection, Engine, Table, create_engine, func, insert, make_url, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support
from adapters.runner import HEALTH_PATH
from bot.rejection.stages import STAGES
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import Conversation, Group, MemberRow, Rejection, Reminder, Win
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_discord import GUILD_ID, FakeDiscord, FakeGuild
from tests.support.fake_slack import TEAM_ID, FakeSlack
from tests.support.postgres import running_postgres

TARGET_SECONDS = 3.0
TARGET_BYTES = 150_000_000  # "150 MB"; figures are printed in MiB
MIB = 1 << 20
STOP_TIMEOUT = 30.0
EMPTY_DATABASE = "bounceback_bench_empty"  # beside the seeded one, on --postgres
SLACK_SHARE = 0.7  # of members; the rest are on Discord
ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)
PLANS = (  # the kinds of one rejection's three follow-ups, in order
    ("send_note", "second_ask", "keep_in_touch"),
    ("send_note", "advice_meeting", "reconnect"),
    ("check_in", "second_ask", "keep_in_touch"),
)
CLOSED = ("sent",) * 8 + ("done",) * 6 + ("skipped",) * 2 + ("cancelled",) * 3 + ("failed",)
WIN_KINDS = ("feedback", "advice_meeting", "new_contact", "referral", "interview", "offer")
NOTE = (
    "Thank you for letting me know, and for the time you and the team gave me. I enjoyed "
    "learning about the work, and I would welcome any feedback that would help me next time."
)
DISCORD = ("discord", str(GUILD_ID))
GROUP_ZONE = "Europe/Berlin"
DISCORD_CHANNEL = GUILD_ID + 1  # the fake guild's first text channel
Row = dict[str, Any]
MILESTONES = {  # start-up's log lines, in order, and what each names
    "first log line (imports done, database open)": "",  # whichever line comes first
    "Slack served": "serving Slack",
    "Discord served": "serving Discord",
}
DELIVERED = re.compile(r"reminder \d+ delivered")  # the dispatcher's line for a send
CHUNK = 3_000  # rejections a batch, with their reminders and wins
_members, _groups, _rejections = MemberRow.__table__, Group.__table__, Rejection.__table__
_reminders, _wins, _conversations = Reminder.__table__, Win.__table__, Conversation.__table__


# ---- the database


@dataclass(frozen=True)
class Seeded:
    members: int
    rejections: int
    wins: int
    dialogues: int
    reminders: Counter[str]  # by status
    seconds: float


def seed(engine: Engine, members: int, reminders: int, now: datetime) -> Seeded:
    """Everything inserted in bulk, in chunks; a fixed random seed keeps runs comparable."""
    started = time.perf_counter()
    rng = random.Random(6)
    member_rows = [_member(rng, n, members, now) for n in range(members)]
    tenants = sorted({(row["platform"], row["workspace"]) for row in member_rows})
    history = _group_history(tenants, now)
    left = reminders - len(history)  # for the members' plans, three a rejection
    plans = -(-left // 3)
    statuses = Counter(row["status"] for row in history)
    wins = 0
    with engine.begin() as db:
        member_ids = _insert_returning(db, _members, member_rows)
        db.execute(insert(_groups), [_group(*tenant, now) for tenant in tenants])
        db.execute(insert(_reminders), history)
        for first in range(0, plans, CHUNK):
            owners = [rng.randrange(members) for _ in range(first, min(plans, first + CHUNK))]
            rejections = [_rejection(rng, member_rows[m], member_ids[m], now) for m in owners]
            rejection_ids = _insert_returning(db, _rejections, rejections)
            rows = [
                reminder
                for owner, rejection_id in zip(owners, rejection_ids, strict=True)
                for reminder in _plan(rng, member_rows[owner], member_ids[owner], rejection_id, now)
            ][:left]
            left -= len(rows)
            statuses.update(row["status"] for row in rows)
            db.execute(insert(_reminders), rows)
            won = [
                _win(rng, rejections[i], rejection_ids[i], now) for i in range(0, len(owners), 2)
            ]
            db.execute(insert(_wins), won)
            wins += len(won)
        talking = rng.sample(range(members), members // 50)
        db.execute(
            insert(_conversations),
            [_dialogue(rng, member_rows[m], member_ids[m], now) for m in talking],
        )
    return Seeded(members, plans, wins, len(talking), statuses, time.perf_counter() - started)


def _insert_returning(db: Connection, table: Table, rows: list[Row]) -> list[int]:
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.scalars(statement, rows).all())


def _member(rng: random.Random, n: int, members: int, now: datetime) -> Row:
    platform, workspace = ("slack", TEAM_ID) if n < members * SLACK_SHARE else DISCORD
    quiet = rng.random() < 0.2
    return {
        "platform": platform,
        "workspace": workspace,
        "user_id": f"U{n:08d}" if platform == "slack" else str(1_200_000_000_000_000_000 + n),
        "display_name": f"Member {n}",
        "timezone": rng.choice(ZONES),
        "timezone_chosen": rng.random() < 0.3,
        "quiet_from": clock_time(22) if quiet else None,
        "quiet_until": clock_time(7) if quiet else None,
        "paused_until": now + timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.02 else None,
        "unanswered": rng.choice((0, 0, 0, 1, 2)),
        "created_at": now - timedelta(days=rng.randrange(1, 365)),
    }


def _group(platform: str, workspace: str, now: datetime) -> Row:
    channel = "C0GROUP" if platform == "slack" else str(DISCORD_CHANNEL)
    return {
        "platform": platform,
        "workspace": workspace,
        "channel": channel,
        "timezone": GROUP_ZONE,
        "checkin_day": "mon",
        "checkin_at": clock_time(9),
        "digest_day": "fri",
        "digest_at": clock_time(16),
        "rhythm_on": True,
        "facilitators": [],
        "created_at": now - timedelta(days=200),
    }


def _group_history(tenants: list[tuple[str, str]], now: datetime) -> list[Row]:
    """Four weeks of check-ins and digests already posted."""
    rows = []
    for platform, workspace in tenants:
        for week in range(1, 5):
            for kind, prefix in (("group_checkin", "checkin"), ("group_digest", "digest")):
                due = now - timedelta(weeks=week)
                rows.append(
                    {
                        "platform": platform,
                        "workspace": workspace,
                        "kind": kind,
                        "due_at": due,
                        "local_due": _local(due, GROUP_ZONE),
                        "zone": GROUP_ZONE,
                        "status": "sent",
                        "idempotency_key": f"{prefix}:{platform}:{workspace}:{due.date()}",
                        "attempts": 1,
                        "created_at": due - timedelta(days=7),
                        "sent_at": due,
                    }
                )
    return rows


def _rejection(rng: random.Random, member: Row, member_id: int, now: datetime) -> Row:
    heard = now - timedelta(days=rng.randrange(1, 60))
    return {
        "platform": member["platform"],
        "workspace": member["workspace"],
        "member_id": member_id,
        "company": f"Company {rng.randrange(5000)}",
        "role": "Data Analyst",
        "stage": rng.choice(STAGES).value,
        "contact_name": rng.choice(("", "Jane Doe", "Sam Lee")),
        "contact_role": rng.choice(("", "hiring_manager", "recruiter")),
        "heard_on": heard.date(),
        "reason": "They chose someone with more experience in the domain",
        "category": "better_qualified",
        "mood": rng.choice(("low", "disappointed", "steady", "relieved")),
        "note": NOTE,
        "created_at": heard,
    }


def _plan(
    rng: random.Random, member: Row, member_id: int, rejection_id: int, now: datetime
) -> Iterator[Row]:
    """Three follow-ups, each due from four weeks ago to twelve weeks ahead."""
    offsets = sorted(rng.uniform(-4 * 7 * 24, 12 * 7 * 24) for _ in range(3))
    for kind, hours in zip(rng.choice(PLANS), offsets, strict=True):
        due = now + timedelta(hours=hours if hours < 0 else max(1.0, hours))
        status = "pending" if due > now else rng.choice(CLOSED)
        done = status != "pending"
        yield {
            "platform": member["platform"],
            "workspace": member["workspace"],
            "member_id": member_id,
            "rejection_id": rejection_id,
            "kind": kind,
            "due_at": due,
            "local_due": _local(due, member["timezone"]),
            "zone": member["timezone"],
            "status": status,
            "idempotency_key": f"plan:{rejection_id}:{kind}",
            "attempts": 8 if status == "failed" else int(done and status != "cancelled"),
            "last_error": "SlackApiError: channel_not_found" if status == "failed" else "",
            "nudge": rng.randrange(1, 4) if status in ("sent", "done", "skipped") else None,
            "created_at": now - timedelta(days=30),
            "sent_at": due if status in ("sent", "done", "skipped") else None,
            "closed_at": due + timedelta(days=1) if status not in ("pending", "sent") else None,
        }


def _local(utc: datetime, zone: str) -> datetime:
    """The wall-clock time in `zone` of a naive UTC time, as the outbox stores it."""
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _win(rng: random.Random, rejection: Row, rejection_id: int, now: datetime) -> Row:
    return {
        "platform": rejection["platform"],
        "workspace": rejection["workspace"],
        "member_id": rejection["member_id"],
        "rejection_id": rejection_id,
        "kind": rng.choice(WIN_KINDS),
        "description": "Coffee with a team lead, who offered to refer me next time",
        "shared": rng.random() < 0.3,
        "created_at": now - timedelta(days=rng.randrange(0, 60)),
    }


def _dialogue(rng: random.Random, member: Row, member_id: int, now: datetime) -> Row:
    return {
        "platform": member["platform"],
        "workspace": member["workspace"],
        "member_id": member_id,
        "dialogue": "rejection",
        "step": "stage",
        "data": {"company": "Acme", "mood": "steady"},
        "updated_at": now - timedelta(hours=rng.randrange(0, 48)),
    }


# ---- one run of `bounceback run`


class TimedFakeDiscord(FakeDiscord):
    """The fake Discord, noting when the first gateway IDENTIFY arrived."""

    def __init__(self) -> None:
        super().__init__(guilds=(FakeGuild(GUILD_ID, channels={DISCORD_CHANNEL: "general"}),))
        self.identified: float | None = None

    async def _identify(self, connection: Any, data: dict[str, Any]) -> None:
        if self.identified is None:
            self.identified = time.monotonic()
        await super()._identify(connection, data)


@dataclass(frozen=True)
class Run:
    ready: float  # seconds from just before the exec to the READY line
    healthy: float  # to /healthz answering 200
    identified: float  # to the fake Discord's IDENTIFY
    logged: dict[str, float]  # to each of MILESTONES, by the log's own clock (ms)
    start_cpu: float  # CPU seconds the process had used by READY
    idle_cpu: float  # its share of one CPU while idle
    memory: dict[str, int]  # VmRSS, VmHWM, RssAnon, RssFile: bytes
    delivered: int  # reminders sent while idle: none, if the outbox is as seeded
    code: int  # after SIGTERM


async def one_run(database_url: str, idle: float) -> Run:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        async with FakeSlack() as slack, TimedFakeDiscord() as discord:
            env = {
                "DATABASE_URL": database_url,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_MODE": "http",
                "SLACK_SIGNING_SECRET": "bench-signing-secret",
                "SLACK_API_URL": slack.api_url,
                "PORT": str(port),
                "DISCORD_TOKEN": "bench-bot-token",
                "DISCORD_API_URL": discord.api_base,
            }
            health = asyncio.create_task(_healthy_at(port))
            started, started_wall = time.monotonic(), time.time()
            try:
                async with bounceback_run(Path(folder), **env) as run:
                    ready = time.monotonic() - started
                    cpu_at_ready, idle_from = cpu_seconds(run.process.pid), time.monotonic()
                    healthy = await asyncio.wait_for(health, 5) - started
                    await discord.ready(1)  # IDENTIFY answered with READY: a live session
                    assert discord.identified is not None
                    identified = discord.identified - started
                    await asyncio.sleep(idle)
                    memory = resident(run.process.pid)
                    idle_cpu = (cpu_seconds(run.process.pid) - cpu_at_ready) / (
                        time.monotonic() - idle_from
                    )
                    delivered = len(DELIVERED.findall(run.log))
                    code = await run.stop(signal.SIGTERM, STOP_TIMEOUT)
                    if code != 0 or "Traceback" in run.log or " ERROR " in run.log:
                        print(
                            f"bounceback run exited {code}; it logged:\n{run.log}", file=sys.stderr
                        )
            finally:
                health.cancel()
    logged = _milestones(run.lines, started_wall)
    return Run(ready, healthy, identified, logged, cpu_at_ready, idle_cpu, memory, delivered, code)


def _milestones(lines: list[str], started: float) -> dict[str, float]:
    """Seconds from `started` (wall clock) to the first line naming each milestone."""
    found = {}
    for name, text in MILESTONES.items():
        line = next(line for line in lines if text in line)
        at = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()  # asctime
        found[name] = at - started
    return found


async def _healthy_at(port: int) -> float:
    """When GET /healthz first answers 200, polled every 10 ms from before the exec."""
    url = f"http://127.0.0.1:{port}{HEALTH_PATH}"
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as answer:
                    if answer.status == 200:
                        return time.monotonic()
            await asyncio.sleep(0.01)


def resident(pid: int) -> dict[str, int]:
    """The process's resident memory as the kernel counts it, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def cpu_seconds(pid: int) -> float:
    """User and system time of the process so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    user, system = stat[stat.rindex(")") + 2 :].split()[11:13]
    return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")


# ---- the benchmark


def report(label: str, result: Run, idle: float) -> None:
    memory = {name: value / MIB for name, value in result.memory.items()}
    logged = ", ".join(f"{name} {at:.2f}" for name, at in result.logged.items())
    print(
        f"  {label}: READY at {result.ready:.2f} s, {result.start_cpu:.2f} s of CPU ({logged}; "
        f"/healthz 200 at {result.healthy:.2f}, Discord IDENTIFY at {result.identified:.2f})\n"
        f"    after {idle:g} s idle: VmRSS {memory['VmRSS']:.1f} MiB (peak VmHWM "
        f"{memory['VmHWM']:.1f}; anon {memory['RssAnon']:.1f}, file {memory['RssFile']:.1f}), "
        f"CPU {result.idle_cpu:.1%}, {result.delivered} reminders delivered; "
        f"SIGTERM -> exit {result.code}",
        flush=True,
    )


def prepare(database_url: str) -> Engine:
    """Migrated, as `bounceback run` would leave it, and refused if it holds members."""
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as db:
        if db.execute(select(func.count()).select_from(MemberRow)).scalar_one():
            raise SystemExit("the database already has members: give an empty scratch database")
    return engine


async def alternate(
    seeded_url: str, empty_url: str | None, options: argparse.Namespace
) -> tuple[list[Run], list[Run]]:
    """Seeded and empty runs in turn, each round's order swapped, so a machine getting
    busier or quieter does not pass for the data's share."""
    full: list[Run] = []
    empty: list[Run] = []
    for number in range(1, options.runs + 1):
        turns = [("seeded", seeded_url, full)]
        if empty_url is not None:
            turns.insert(number % 2, ("empty", empty_url, empty))
        for label, url, results in turns:
            result = await one_run(url, options.idle)
            results.append(result)
            report(f"{label} {number}", result, options.idle)
    return full, empty


def measure(
    seeded_url: str, empty_url: str | None, options: argparse.Namespace
) -> tuple[list[Run], list[Run]]:
    engine = prepare(seeded_url)
    if empty_url is not None:
        prepare(empty_url).dispose()
    now = datetime.now(UTC).replace(tzinfo=None)  # the store's convention: naive UTC
    seeded = seed(engine, options.members, options.reminders, now)
    engine.dispose()
    statuses = ", ".join(f"{count:,} {status}" for status, count in seeded.reminders.most_common())
    print(
        f"seeded in {seeded.seconds:.1f} s: {seeded.members:,} members, {seeded.rejections:,} "
        f"rejections, {seeded.wins:,} wins, {seeded.dialogues:,} dialogues under way, "
        f"{seeded.reminders.total():,} reminders ({statuses}); the empty database is "
        + ("migrated, no rows" if empty_url else "not run (--url without --empty-url)"),
        flush=True,
    )
    return asyncio.run(alternate(seeded_url, empty_url, options))


def summary(full: list[Run], empty: list[Run]) -> None:
    worst_ready = max(run.ready for run in full)
    worst_rss = max(run.memory["VmRSS"] for run in full)
    worst_hwm = max(run.memory["VmHWM"] for run in full)
    ready_met = "met" if worst_ready < TARGET_SECONDS else "NOT met"
    rss_met = "met" if worst_rss < TARGET_BYTES else "NOT met"
    print(
        f"worst of {len(full)} seeded runs: READY at {worst_ready:.2f} s, "
        f"target < {TARGET_SECONDS:g} s {ready_met}"
    )
    print(
        f"  idle VmRSS {worst_rss / MIB:.1f} MiB ({worst_rss / 1e6:.1f} MB; peak VmHWM "
        f"{worst_hwm / MIB:.1f} MiB), target < {TARGET_BYTES / 1e6:g} MB "
        f"({TARGET_BYTES / MIB:.1f} MiB) {rss_met}"
    )
    if empty:
        rss = median(r.memory["VmRSS"] for r in full) - median(r.memory["VmRSS"] for r in empty)
        ready = median(r.ready for r in full) - median(r.ready for r in empty)
        cpu = median(r.start_cpu for r in full) - median(r.start_cpu for r in empty)
        print(
            f"  the data's share (medians, seeded - empty): {rss / MIB:+.1f} MiB, "
            f"{ready:+.2f} s to READY, {cpu:+.2f} s of CPU to READY"
        )
    codes = sorted({run.code for run in full + empty})
    print(f"  exit codes after SIGTERM: {codes} (0 expected)")


def median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


@contextlib.contextmanager
def databases(options: argparse.Namespace, folder: Path) -> Iterator[tuple[str, str | None]]:
    """The URLs of the database to seed and of the empty one to compare with."""
    if options.url:
        yield options.url, options.empty_url
    elif options.postgres:
        with running_postgres() as url:
            server = create_engine(url, isolation_level="AUTOCOMMIT")
            with server.connect() as db:
                db.exec_driver_sql(f"CREATE DATABASE {EMPTY_DATABASE}")
            server.dispose()
            yield url, make_url(url).set(database=EMPTY_DATABASE).render_as_string(False)
    else:
        yield sqlite_url(folder / "seeded.db"), sqlite_url(folder / "empty.db")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="starts on each database")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds idle before reading")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--reminders", type=int, default=100_000)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="an empty scratch database to seed, not a SQLite file")
    where.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--empty-url", help="with --url: another, left empty, to compare with")
    options = parser.parse_args()
    if options.empty_url and not options.url:
        parser.error("--empty-url goes with --url")
    with tempfile.TemporaryDirectory() as folder, databases(options, Path(folder)) as urls:
        backend = "SQLite (WAL)" if urls[0].startswith("sqlite") else "PostgreSQL"
        print(f"`bounceback run`, Slack (HTTP) and Discord against fakes on 127.0.0.1, {backend}")
        full, empty = measure(*urls, options)
    summary(full, empty)
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"this machine's Python: sum(range(1000)) takes {reference:.1f} µs (for comparison)")
    if any(run.code != 0 for run in empty + full):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
