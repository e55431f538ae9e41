"""Signed slash commands fired all at once at the Slack app over HTTP: time to the ack.

Slack gives an app 3 s to answer a slash command's HTTP request (the ack);
Bounceback's listeners ack first and do the core's work after. A fake Slack
Web API (tests/support/fake_slack.py) runs on 127.0.0.1; the app is
`bounceback run` itself, in its own process, configured as for production in
HTTP mode (SLACK_MODE=http, SLACK_SIGNING_SECRET, PORT, SLACK_API_URL at the
fake, DATABASE_URL a SQLite file in a temporary folder): Bolt's AsyncApp served
by aiohttp through `SlackService`, with the runner's scheduler ticker and the SQLite
checkpointer running. `--same-process` runs that `Runner` in this script's
event loop instead, beside the fake, as the test harness does. The client
sending the commands has a process of its own (so the fake's work after the
acks does not hold up its reading them).

Each round signs `--requests` slash commands from `--members` distinct members
of one workspace (`/rejected Acme`, which starts a dialogue and writes, on half
of them; `/stats` and `/help` on a quarter each, rotating from round to round),
POSTs them at once (`asyncio.gather`, one aiohttp session a round with no
connection limit, so 200 connections are opened: nothing is reused) and
times each from the send to the HTTP response, the ack. The second figure is
the work after the ack: when the last Web API call answering the round's
commands (ephemeral replies, `conversations.open`, the DMs that start the
dialogue) reached the fake, counted from the first send. Run:

    .venv/bin/python benchmarks/slack_ack.py [--rounds 3] [--requests 200] [--members 200]
        [--same-process] [--url postgresql+psycopg://...] [--profile FILE]

`--url` must name an empty scratch database (refused if it has members; its
rows are left there). `--profile FILE` runs the app under cProfile and writes
its stats (the event loop's thread only) to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import timeit
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support
from adapters.runner import Runner
from adapters.slack.app import EVENTS_PATH
from adapters.slack.service import SlackService
from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.playbook import load_playbook
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import MemberRow
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_slack import Call, FakeSlack, signed_headers, slash_body
from tests.support.slack_http import SlackHttp

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
COMMANDS = (("rejected", "Acme"), ("rejected", "Acme"), ("stats", ""), ("help", ""))
TARGET_MS = 300
SLACK_LIMIT_MS = 3000
QUIET = 0.5


class TimedFakeSlack(FakeSlack):
    """The fake Slack, noting when each Web API call arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: list[int] = []  # monotonic_ns (one clock for all processes)

    async def _record(self, call: Call) -> None:
        self.arrived.append(time.monotonic_ns())
        await super()._record(call)


@dataclass
class Round:
    acks_ms: list[float]
    statuses: Counter[int]
    followups_ms: float
    calls: Counter[str]
    failed_calls: int
    kinds: Counter[str] = field(default_factory=Counter)


# ---- the app under test


@contextlib.asynccontextmanager
async def app_process(
    slack: FakeSlack, database_url: str, profile: str | None
) -> AsyncIterator[str]:
    """`bounceback run` in HTTP mode in a child process; yields the events URL."""
    app = SlackHttp(free_port(), SECRET)
    profiler = (
        [sys.executable, "-m", "cProfile", "-o", str(Path(profile).resolve())] if profile else []
    )
    with tempfile.TemporaryDirectory() as cwd:  # no developer's .env is read
        async with bounceback_run(
            Path(cwd),
            launcher=profiler,
            DATABASE_URL=database_url,
            **app.settings(slack, TOKEN),
        ) as child:
            yield app.url
            await child.stop(signal.SIGINT)  # as Ctrl-C: leases handed back, stats written
        problems = [line for line in child.lines if "ERROR" in line or "Exception" in line]
        if problems:
            print("bounceback run logged:\n" + child.log, file=sys.stderr)


@contextlib.asynccontextmanager
async def app_in_loop(api_url: str, database_url: str) -> AsyncIterator[str]:
    """The `Runner` of `bounceback run`, in this event loop."""
    settings = Settings(
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_mode="http",
        slack_api_url=api_url,
        port=0,
    )
    engine = make_engine(settings.database)
    upgrade(engine)
    core = Bounceback(engine, load_playbook(), settings)
    runner = Runner(core, settings, f"bench:{os.getpid()}")
    await runner.start()
    try:
        slack = next(s for s in runner.services if isinstance(s, SlackService))
        yield f"http://127.0.0.1:{slack.port}{EVENTS_PATH}"
    finally:
        await runner.stop()
        engine.dispose()


# ---- one round


def user_id(number: int) -> str:
    return f"UB{number:05d}"


async def one_round(
    slack: TimedFakeSlack,
    client: Executor,
    url: str,
    number: int,
    requests: int,
    members: int,
    timeout: float,
) -> Round:
    planned = []
    for index in range(requests):
        name, text = COMMANDS[(index + number) % len(COMMANDS)]
        user = user_id(index % members)
        body = slash_body(f"/{name}", text, user_id=user, user_name=user.lower())
        planned.append((name, user, body, signed_headers(SECRET, body)))
    # What shows a command fully answered: an ephemeral reply to its member in the
    # channel, and for /rejected also the dialogue's first question (with buttons) in the
    # member's DM, the last thing the listener posts.
    waiting = Counter((user, "ephemeral") for _, user, _, _ in planned)
    waiting += Counter((user, "question") for name, user, _, _ in planned if name == "rejected")
    first_call = len(slack.calls)
    seen = first_call

    def answered() -> bool:
        nonlocal seen
        for call in slack.calls[seen:]:
            key = _answer_key(call)
            if key is not None and waiting[key] > 0:
                waiting[key] -= 1
                if not waiting[key]:
                    del waiting[key]
        seen = len(slack.calls)
        return not waiting

    loop = asyncio.get_running_loop()
    requests = [(body, headers) for _, _, body, headers in planned]
    started, results = await loop.run_in_executor(client, fire, url, requests)
    await slack.wait_until(answered, timeout)
    while True:  # then until the fake has been quiet for QUIET s: stragglers count too
        count = len(slack.calls)
        await asyncio.sleep(QUIET)
        if len(slack.calls) == count:
            break
    calls = slack.calls[first_call:]
    last = max(slack.arrived[first_call:], default=started)
    return Round(
        acks_ms=sorted(ns / 1e6 for _, ns in results),
        statuses=Counter(status for status, _ in results),
        followups_ms=(last - started) / 1e6,
        calls=Counter(call.method for call in calls),
        failed_calls=sum(1 for call in calls if call.status != 200 or call.error),
        kinds=Counter(name for name, _, _, _ in planned),
    )


def fire(
    url: str, requests: list[tuple[bytes, dict[str, str]]]
) -> tuple[int, list[tuple[int, int]]]:
    """In the client's own process: POST every request at once; (status, ns to the ack) each."""
    return asyncio.run(_fire(url, requests))


async def _fire(
    url: str, requests: list[tuple[bytes, dict[str, str]]]
) -> tuple[int, list[tuple[int, int]]]:
    async def send(session: aiohttp.ClientSession, body: bytes, headers: dict) -> tuple[int, int]:
        sent = time.monotonic_ns()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
        return response.status, time.monotonic_ns() - sent

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        started = time.monotonic_ns()
        results = await asyncio.gather(
            *(send(session, body, headers) for body, headers in requests)
        )
    return started, results


def _answer_key(call: Call) -> tuple[str, str] | None:
    if call.method == "chat.postEphemeral":
        return (str(call.args.get("user")), "ephemeral")
    if call.method == "chat.postMessage":
        channel = str(call.args.get("channel", ""))
        blocks = call.args.get("blocks") or []
        if channel.startswith("DU") and any(block.get("type") == "actions" for block in blocks):
            return (channel[1:], "question")
    return None


# ---- the run


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))]


async def run(options: argparse.Namespace, folder: Path) -> list[Round]:
    url = options.url or sqlite_url(folder / "bench.db")
    if options.url:
        engine = make_engine(url)
        upgrade(engine)
        with engine.connect() as db:
            if db.execute(select(func.count()).select_from(MemberRow)).scalar_one():
                raise SystemExit(f"{url} already has members: give an empty scratch database")
        engine.dispose()
    rounds: list[Round] = []
    async with TimedFakeSlack() as slack:
        app = (
            app_in_loop(slack.api_url, url)
            if options.same_process
            else app_process(slack, url, options.profile)
        )
        # The client in a process of its own: its event loop is not the fake's.
        spawn = multiprocessing.get_context("spawn")
        async with app as events_url:
            with ProcessPoolExecutor(1, mp_context=spawn) as client:
                for number in range(options.rounds):
                    result = await one_round(
                        slack,
                        client,
                        events_url,
                        number,
                        options.requests,
                        options.members,
                        options.timeout,
                    )
                    rounds.append(result)
                    report(number + 1, result)
    return rounds


def report(number: int, result: Round) -> None:
    acks = result.acks_ms
    statuses = ", ".join(f"{count} x {status}" for status, count in sorted(result.statuses.items()))
    kinds = ", ".join(f"{count} /{name}" for name, count in result.kinds.items())
    calls = ", ".join(f"{count} {method}" for method, count in sorted(result.calls.items()))
    print(f"round {number}: {len(acks)} commands at once ({kinds}); answered {statuses}")
    print(
        f"  ack: min {acks[0]:.0f} ms, p50 {percentile(acks, 0.50):.0f} ms, "
        f"p95 {percentile(acks, 0.95):.0f} ms, "
        f"p99 {percentile(acks, 0.99):.0f} ms, max {acks[-1]:.0f} ms "
        f"(target p99 < {TARGET_MS} ms; Slack allows {SLACK_LIMIT_MS} ms)"
    )
    failed = f", {result.failed_calls} failed" if result.failed_calls else ""
    print(
        f"  after the ack: all {sum(result.calls.values())} Web API calls in by "
        f"{result.followups_ms:.0f} ms after the first send ({calls}{failed})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="slash commands a round")
    parser.add_argument("--members", type=int, default=200, help="distinct members sending")
    parser.add_argument("--url", help="a database URL instead of a SQLite file")
    parser.add_argument(
        "--same-process", action="store_true", help="serve the app in this event loop"
    )
    parser.add_argument("--profile", help="cProfile the app's process into this file")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait a round")
    options = parser.parse_args()
    if options.profile and options.same_process:
        parser.error("--profile profiles the app's own process: drop --same-process")
    with tempfile.TemporaryDirectory() as folder:
        where = "in this process" if options.same_process else "`bounceback run`, own process"
        backend = "PostgreSQL" if options.url else "SQLite (WAL)"
        print(f"Slack app over HTTP ({where}), {backend}, fake Slack Web API on 127.0.0.1")
        rounds = asyncio.run(run(options, Path(folder)))
    worst = max(percentile(result.acks_ms, 0.99) for result in rounds)
    met = "met" if worst < TARGET_MS else "NOT met"
    print(f"worst p99 over {len(rounds)} rounds: {worst:.0f} ms, target < {TARGET_MS} ms {met}")
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    print(f"this machine's Python: sum(range(1000)) takes {reference:.1f} µs (for comparison)")


if __name__ == "__main__":
    main()
