"""Two `bounceback run` processes on one PostgreSQL, one Discord bot: the rate together.

Issue 16's fourth figure: N processes of one bot (`--processes`, 2 by default) must
together send at least 95% of Discord's 50 requests a second and never more, draw no
429, and deliver every reminder exactly once. Each process is `bounceback run` itself
(tests/support/bounceback_run.py), Discord only, on one throwaway PostgreSQL server
(tests/support/postgres.py), with one of N shards (DISCORD_SHARD_IDS of
DISCORD_SHARD_COUNT=N) and one guild per shard, as tests/reliability/test_two_processes.py
runs them. The outbox is claimed by platform, not by shard, so every process claims from
all the guilds' reminders. Once all are serving, `--reminders` are made due at once, one
per member, spread over the guilds (tests/reliability/support.py `due_reminders`): each
is a DM, and the member's DM channel is opened at their first (bot/conversation/
dm_channels.py). The members have told the bot of a rejection in their DM, so it knows
each DM channel and a reminder is one request; with `--new-members` it knows none, and
each first reminder opens the DM, a request of its own.

The fake Discord (tests/support/fake_discord) answers each message after `--latency`
seconds and enforces the bot's global limit (`--limit` a second, 0 for none) with a
global 429, counted over a sliding second by default (`--window fixed`: per wall-clock
second) and over every bot request, as Discord counts (`--counts messages`: only the
messages). It notes when each call arrived; from that:

- the rate delivered over the steady window: from `--skip` seconds after the first
  message to the last, messages let through / its length, and as a share of 50/s;
- the busiest wall-clock second and the busiest one-second span (sliding), for
  messages and for all bot requests, and how many wall-clock seconds held over 50;
- the 429s the fake answered (for messages, for DM channels);
- what members saw: each reminder's messages, told by their nonce (delivered once,
  twice or more, never; messages with an unknown nonce), and how many resends the
  nonce answered with the first message instead;
- the time from the reminders falling due until the last first arrived;
- each process's share (its "reminder N delivered" lines), its warnings and CPU time;
- the outbox afterwards: rows by status, rows that took more than one attempt.

It prints a row for benchmarks/README.md. Run (PostgreSQL's server binaries needed:
scripts/ensure-postgres):

    .venv/bin/python benchmarks/two_processes.py [--reminders 6000] [--processes 2]
        [--latency 0.1] [--limit 50] [--window sliding|fixed] [--counts requests|messages]
        [--skip 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
import timeit
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support
from adapters.discord.transport import nonce_for
from bot.store.database import make_engine, upgrade
from bot.store.models import Reminder
from tests.reliability.support import due_reminders
from tests.support.bounceback_run import BouncebackRun, bounceback_run
from tests.support.fake_discord import Call, FakeDiscord, GlobalLimit
from tests.support.postgres import running_postgres

ALLOWED = 50  # Discord's global limit: requests a second per bot
MESSAGES = re.compile(r"/channels/\d+/messages")
DM_CHANNELS = "/users/@me/channels"
DELIVERED = re.compile(r"reminder (\d+) delivered")
PARTS = 3  # reply parts whose nonces are told apart (a reminder has one, a pause offer two)
REPO = Path(__file__).resolve().parents[1]


def guild_ids(shards: int) -> list[int]:
    """One guild per shard: a snowflake k << 22 is on shard k % shards."""
    return [(1000 * shards + shard) << 22 for shard in range(shards)]


def settings(url: str, discord: FakeDiscord, shard: int, shards: int) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DISCORD_TOKEN": "fake-bot-token",
        "DISCORD_API_URL": discord.api_base,
        "DISCORD_SHARD_COUNT": str(shards),
        "DISCORD_SHARD_IDS": str(shard),
    }


def is_message(call: Call) -> bool:
    return call.method == "POST" and bool(MESSAGES.fullmatch(call.path))


class Seen:
    """The reminders' first arrivals, read from the fake's calls as they come in."""

    def __init__(self, discord: FakeDiscord, keys: set[str]) -> None:
        self.calls = discord.calls
        self.by_nonce = {nonce_for(key, part): key for key in keys for part in range(PARTS)}
        self.first: dict[str, float] = {}
        self._read = 0

    def update(self) -> int:
        new = self.calls[self._read :]
        self._read += len(new)
        for call in new:
            if call.status == 200 and is_message(call):
                key = self.by_nonce.get(str((call.json or {}).get("nonce")))
                if key is not None:
                    self.first.setdefault(key, call.received_at)
        return len(self.first)


def busiest_span(times: Sequence[float], span: float = 1.0) -> int:
    """The most of the sorted `times` within any `span` seconds (a sliding window)."""
    return max((bisect_left(times, t + span) - i for i, t in enumerate(times)), default=0)


def cpu_seconds(pid: int) -> float:
    """User and system time of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = " +changes" if git("status", "--porcelain") else ""
    return git("rev-parse", "--short", "HEAD") + changed


@dataclass
class Run:
    """What one run left behind, for the figures."""

    calls: list[Call]
    messages: list[dict[str, object]]  # every message the fake stored
    keys: set[str]
    due_at: float  # wall clock: when the reminders were made due
    first: dict[str, float]
    logs: list[str]
    cpu: list[float]
    codes: list[int]
    rows: dict[str, int]  # the outbox's rows by status
    retried: int  # rows that took more than one attempt


async def run_once(options: argparse.Namespace, url: str, engine: Engine) -> Run:
    shards = options.processes
    guilds = guild_ids(shards)
    limit = None
    if options.limit:
        limit = GlobalLimit(options.limit, window=options.window, counts=options.counts)
    discord = FakeDiscord(guilds=guilds, answer_delay=options.latency, global_limit=limit)
    deadline = 60 + options.reminders / 10  # only stops a run that hangs: 10/s at worst
    with tempfile.TemporaryDirectory() as folder:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(discord)
            runs: list[BouncebackRun] = []
            for shard in range(shards):
                home = Path(folder) / f"process-{shard}"
                home.mkdir()
                env = settings(url, discord, shard, shards)
                runs.append(await stack.enter_async_context(bounceback_run(home, **env)))
            started = time.monotonic()
            known = None if options.new_members else lambda user: str(discord.dm_channel_of(user))
            keys = due_reminders(
                engine,
                options.reminders,
                platform="discord",
                workspaces=tuple(map(str, guilds)),
                dm_channel=known,
            )
            due_at = time.time()
            print(f"{shards} processes serving; {len(keys)} reminders due", flush=True)
            seen = Seen(discord, keys)
            while seen.update() < len(keys):
                if time.monotonic() - started > deadline:
                    print(f"gave up after {deadline:.0f} s: {len(seen.first)} of {len(keys)}")
                    break
                if not all(run.alive for run in runs):
                    print("a process ended early")
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(options.settle)  # a late second send would show by now
            cpu = [cpu_seconds(run.process.pid) if run.alive else 0.0 for run in runs]
            codes = list(await asyncio.gather(*(run.stop() for run in runs)))
    with engine.connect() as db:
        by_status = db.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        ).all()
        retried = db.scalar(select(func.count()).where(Reminder.attempts > 1)) or 0
    stored = [m for channel in discord.messages.values() for m in channel]
    return Run(
        calls=list(discord.calls),
        messages=stored,
        keys=keys,
        due_at=due_at,
        first=seen.first,
        logs=[run.log for run in runs],
        cpu=cpu,
        codes=codes,
        rows={str(status): count for status, count in by_status},
        retried=retried,
    )


def report(options: argparse.Namespace, run: Run) -> None:
    counted = GlobalLimit(counts="requests").applies  # what Discord counts, whatever the fake does
    let_through = [c for c in run.calls if c.status != 429]
    messages = sorted(c.received_at for c in let_through if is_message(c) and c.status == 200)
    requests = sorted(c.received_at for c in let_through if counted(c))
    limited = [c for c in run.calls if c.status == 429]
    if not messages:
        print("no message reached the fake")
        return

    first, last = messages[0], messages[-1]
    start = first + options.skip
    steady = [t for t in messages if t >= start]
    length = last - start
    rate = (len(steady) - 1) / length if length > 0 and len(steady) > 1 else float("nan")
    per_second = Counter(int(t) for t in messages)
    requests_per_second = Counter(int(t) for t in requests)
    over = sum(1 for n in per_second.values() if n > ALLOWED)
    requests_over = sum(1 for n in requests_per_second.values() if n > ALLOWED)

    by_nonce = {nonce_for(key, part): key for key in run.keys for part in range(PARTS)}
    shown = Counter(by_nonce.get(str(m.get("nonce")), "?") for m in run.messages)
    strays = shown.pop("?", 0)
    twice = sum(1 for n in shown.values() if n > 1)
    missing = len(run.keys - shown.keys())
    once = len(run.keys) - twice - missing
    answered = sum(
        1
        for c in let_through
        if is_message(c) and c.status == 200 and (c.json or {}).get("nonce") in by_nonce
    )
    resends = answered - sum(shown.values())
    all_out = max(run.first.values()) - run.due_at if run.first else float("nan")

    shares = [len(set(DELIVERED.findall(log))) for log in run.logs]
    warnings = [log.count(" WARNING ") for log in run.logs]
    troubles = [("Traceback" in log) or (" ERROR " in log) for log in run.logs]
    limited_messages = sum(1 for c in limited if is_message(c))
    limited_dms = sum(1 for c in limited if c.path == DM_CHANNELS)

    limit = (
        f"global limit {options.limit}/s, {options.window} window, counting {options.counts}"
        if options.limit
        else "no global limit"
    )
    print(
        f"{options.processes} processes, {len(run.keys)} reminders, latency "
        f"{options.latency * 1000:.0f} ms, {limit}"
    )
    print(
        f"steady window (from {options.skip:.0f} s after the first message to the last, "
        f"{length:.1f} s): {rate:.1f} messages/s = {rate / ALLOWED:.1%} of {ALLOWED}/s"
    )
    print(
        f"busiest wall-clock second: {max(per_second.values())} messages, "
        f"{max(requests_per_second.values(), default=0)} requests; busiest 1-s span: "
        f"{busiest_span(messages)} messages, {busiest_span(requests)} requests"
    )
    print(
        f"wall-clock seconds above {ALLOWED}: {over} of {len(per_second)} for messages, "
        f"{requests_over} of {len(requests_per_second)} for requests"
    )
    print(
        f"429s answered: {len(limited)} ({limited_messages} to messages, {limited_dms} to "
        f"DM channels, {len(limited) - limited_messages - limited_dms} other)"
    )
    print(
        f"members saw: {once} reminders once, {twice} twice or more, {missing} not by the end; "
        f"{strays} messages of no reminder; {resends} resends answered by their nonce"
    )
    print(f"all out {all_out:.1f} s after they fell due")
    for number, (share, warned, trouble, cpu, code) in enumerate(
        zip(shares, warnings, troubles, run.cpu, run.codes, strict=True)
    ):
        print(
            f"process {number}: delivered {share}, {warned} warnings logged, "
            f"CPU {cpu:.1f} s, exit {code}{', ERROR or Traceback logged' if trouble else ''}"
        )
    print(f"outbox afterwards: {run.rows}; {run.retried} rows took more than one attempt")
    kinds = Counter(
        re.sub(r"\d+(\.\d+)?", "#", line.split(" WARNING ", 1)[1].strip())[:110]
        for log in run.logs
        for line in log.splitlines()
        if " WARNING " in line
    )
    for kind, count in kinds.most_common(options.warnings):
        print(f"  {count} x WARNING {kind}")
    print()
    print(
        "| date | commit | processes | reminders | latency | steady rate | busiest second "
        "| seconds > 50 | 429s | once / twice / never | all out | per process |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {date.today()} | {commit()} | {options.processes} | {len(run.keys):,} "
        f"| {options.latency * 1000:.0f} ms | {rate:.1f}/s = {rate / ALLOWED:.1%} "
        f"| {max(per_second.values())} msgs, {max(requests_per_second.values(), default=0)} req "
        f"| {over} msgs, {requests_over} req | {len(limited)} "
        f"| {once:,} / {twice} / {missing} | {all_out:.1f} s "
        f"| {' / '.join(f'{share:,}' for share in shares)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=6_000, help="due at once, one a member")
    parser.add_argument("--processes", type=int, default=2, help="of one bot, a shard each")
    parser.add_argument(
        "--new-members", action="store_true", help="no DM channel known: each first opens one"
    )
    parser.add_argument("--latency", type=float, default=0.1, help="seconds to answer a message")
    parser.add_argument("--limit", type=int, default=ALLOWED, help="global limit a second; 0: none")
    parser.add_argument("--window", choices=("sliding", "fixed"), default="sliding")
    parser.add_argument("--counts", choices=("requests", "messages"), default="requests")
    parser.add_argument("--skip", type=float, default=5.0, help="seconds before the steady window")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds watched after all out")
    parser.add_argument("--warnings", type=int, default=4, help="kinds of warning logged, shown")
    options = parser.parse_args()
    if options.processes < 1 or options.reminders < 1:
        parser.error("--processes and --reminders must be at least 1")
    reference = timeit.timeit("sum(range(1000))", number=10_000) / 10_000 * 1e6
    print(f"reference: sum(range(1000)) takes {reference:.1f} µs here")
    with running_postgres() as url:
        engine = make_engine(url)
        upgrade(engine)
        try:
            run = asyncio.run(run_once(options, url, engine))
        finally:
            engine.dispose()
    report(options, run)


if __name__ == "__main__":
    main()
