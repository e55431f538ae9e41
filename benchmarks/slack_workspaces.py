"""10,000 Slack reminders due at once over 100 workspaces: out within the limits' time?

Issue 16, "What it must show" item 2. `--workspaces` Slack workspaces have installed
Bounceback (each one's bot token in slack-sdk's installation tables, Fernet-encrypted,
as the OAuth flow stores it), each with `--members` members, and every member has one
follow-up reminder due now. The shipped ticker (scheduler/ticker.py) drives the
shipped dispatcher on the real clock with DEFAULT_LIMITS, through the real Slack
transport (adapters/slack/transport.py: each workspace's token from the installation
store, slack_sdk's AsyncWebClient on one aiohttp session, as SlackService wires it)
to the fake Slack Web API (tests/support/fake_slack.py), which answers each call
after `--latency` seconds. A reminder is a DM: the member's first one opens the DM
(conversations.open), then posts (chat.postMessage), two calls.

The fake runs in a process of its own: it serves two HTTP calls a reminder, and in
this process its CPU would share the event loop the dispatcher and the Slack client
run on, and count against them. The fake reports its own CPU time at the end.

The limits' time: Slack's limits are per workspace and per channel (no app-wide one),
and the workspaces go side by side, so a workspace's `--members` messages at its
bucket's rate after its burst, (members - burst) / rate: (100 - 20) / 20 = 4 s; each
message goes to a DM of its own, one message a channel, so the channel limit never
waits. Measured: the time from the ticker's start until Slack answered the last post,
its ratio to the limits' time (target: at most 1.2), messages per second, the most
posts one workspace got in one wall-clock second and in any 1 s window (a bucket
lets at most its burst plus a second's rate go in one: 40), 429s, each reminder
delivered exactly once, and the CPU time of this process (its event loop thread, and
the rest: the database work in worker threads) and of the fake.

`--transport fake` swaps the Slack transport for one that only sleeps `--latency` for
each call the real one makes (conversations.open once a member, chat.postMessage), no
HTTP and no client: the dispatcher's own pace, apart from the Slack client's CPU.
`--order grouped` numbers the reminders workspace by workspace instead of shuffled (as
members' dialogues create them): the claim takes due rows oldest first, then in
insertion order, so a claim holds whole workspaces. `--profile FILE` runs the dispatch
under cProfile (the event loop's thread only) and writes its stats to FILE.

    .venv/bin/python benchmarks/slack_workspaces.py [--workspaces 100] [--members 100]
        [--latency 0.1] [--transport slack|fake] [--order shuffled|grouped]
        [--url postgresql+psycopg://...] [--timeout 600] [--profile FILE]

`--url` must name an empty scratch database (refused if it has members; its rows are
left there).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import random
import sys
import tempfile
import time
import timeit
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support
import scheduler.dispatcher as dispatching
from adapters.slack.install import (
    WEB_API_LOG,
    EncryptedInstallationStore,
    InstallationTables,
    TokenCipher,
)
from adapters.slack.manifest import BOT_SCOPES
from adapters.slack.transport import EVENT_TYPE, SlackTransport
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Member
from bot.playbook import load_playbook
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import MEMBERS, REMINDERS
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import DEFAULT_LIMITS, RateLimits
from scheduler.ticker import Ticker
from scheduler.transport import Transport
from tests.support.fake_slack import APP_ID, BOT_ID, BOT_USER_ID, FakeSlack

PLATFORM = "slack"
CLIENT_ID = "bench-client-id"
POST, OPEN = "chat.postMessage", "conversations.open"
POLL = 0.1  # seconds between looks at the outbox for the last row sent
_members, _reminders = MEMBERS, REMINDERS


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # the store's convention: naive UTC


def team(n: int) -> str:
    return f"T{n:04d}"


def token_of(workspace: str) -> str:
    return f"xoxb-{workspace}-bench"


@dataclass(frozen=True)
class Post:
    """A chat.postMessage as the platform saw it: when it arrived, and its answer."""

    workspace: str
    key: str | None
    at: float  # time.time(), one clock for both processes
    status: int


# ---- the limits' time


def limits_time(members: int) -> tuple[float, str]:
    """Seconds DEFAULT_LIMITS take to let one workspace's `members` DMs go, and how."""
    slack = DEFAULT_LIMITS[PLATFORM]
    assert slack.workspace is not None and slack.platform is None
    rate, burst = slack.workspace.rate, slack.workspace.burst
    seconds = max(0.0, (members - burst) / rate)
    channel = slack.channel
    per_channel = "none" if channel is None else f"{channel.rate:g}/s burst {channel.burst:g}"
    return seconds, (
        f"DEFAULT_LIMITS[slack]: no app-wide limit; per workspace {rate:g}/s burst {burst:g}: "
        f"({members} - {burst:g}) / {rate:g} = {seconds:g} s; per channel {per_channel}: "
        "one DM a member, so it never waits; workspaces side by side: all out in "
        f"{seconds:g} s"
    )


def busiest_window(times: list[float], seconds: float = 1.0) -> int:
    """The most of `times` in any window of `seconds`, wherever it starts."""
    times = sorted(times)
    most = start = 0
    for end, at in enumerate(times):
        while at - times[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


# ---- seeding


def seed(
    engine: Engine,
    workspaces: int,
    members: int,
    order: str,
    cipher: TokenCipher,
    new_members: bool = False,
) -> set[str]:
    """The installations, the members and their reminders, due now; the delivery keys."""
    tables = InstallationTables(client_id=CLIENT_ID, engine=engine, logger=WEB_API_LOG)
    now = utc_now()
    for n in range(workspaces):
        installed = Installation(
            app_id=APP_ID,
            team_id=team(n),
            team_name=f"Workspace {n}",
            bot_token=token_of(team(n)),
            bot_id=BOT_ID,
            bot_user_id=BOT_USER_ID,
            bot_scopes=list(BOT_SCOPES),
            user_id=f"U-installer-{n}",
            installed_at=time.time(),
        )
        tables.save(cipher.sealed(installed))
    who = [(team(w), f"U{w:04d}{m:05d}") for w in range(workspaces) for m in range(members)]
    if order == "shuffled":
        random.Random(16).shuffle(who)
    due = now.replace(microsecond=0) - timedelta(seconds=5)  # due now, and not late
    with engine.begin() as db:
        ids = db.scalars(
            insert(_members).returning(_members.c.id, sort_by_parameter_order=True),
            [
                {
                    "platform": PLATFORM,
                    "workspace": workspace,
                    "user_id": user,
                    "display_name": f"Member {user}",
                    "timezone": "UTC",
                    "created_at": now,
                    # They told the bot of a rejection in its DM, so it knows the channel
                    # (bot/conversation/dm_channels.py): as the fake names a DM.
                    "dm_channel": None if new_members else f"D{user}",
                }
                for workspace, user in who
            ],
        ).all()
        db.execute(
            insert(_reminders),
            [
                {
                    "platform": PLATFORM,
                    "workspace": workspace,
                    "member_id": member_id,
                    "kind": "keep_in_touch",
                    "due_at": due,
                    "local_due": due,
                    "zone": "UTC",
                    "idempotency_key": f"bench:{user}",
                    "created_at": now,
                }
                for (workspace, user), member_id in zip(who, ids, strict=True)
            ],
        )
    return {f"bench:{user}@{due:%Y-%m-%dT%H:%M}" for _, user in who}


def count_sent(engine: Engine) -> int:
    with engine.connect() as db:
        where = _reminders.c.status == "sent"
        return db.execute(select(func.count()).select_from(_reminders).where(where)).scalar_one()


def statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as db:
        rows = db.execute(select(_reminders.c.status, func.count()).group_by(_reminders.c.status))
        return {status: count for status, count in rows}


# ---- the fake Slack, in its own process


def serve_fake_slack(latency: float, pipe: Connection) -> None:
    """The child process: the fake Slack until asked for what it saw."""
    asyncio.run(_serve(latency, pipe))


async def _serve(latency: float, pipe: Connection) -> None:
    async with FakeSlack(latency=latency) as slack:
        pipe.send(slack.api_url)
        await asyncio.to_thread(pipe.recv)
        seen = [
            (call.method, call.token, call.at, call.status, _key(call.args)) for call in slack.calls
        ]
        pipe.send((seen, time.process_time()))


def _key(args: dict[str, object]) -> str | None:
    metadata = args.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    return payload.get("key") if isinstance(payload, dict) else None


@dataclass
class FakeTransport:
    """`--transport fake`: sleeps `latency` for each call the Slack transport would make
    (conversations.open for a member's first DM, then chat.postMessage); no HTTP."""

    latency: float
    platform: str = PLATFORM
    posts: list[Post] = field(default_factory=list)
    opened: set[Member] = field(default_factory=set)
    opens: int = 0

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        assert message.member is not None
        if message.member not in self.opened:
            self.opens += 1
            await asyncio.sleep(self.latency)
            self.opened.add(message.member)
        at = time.time()
        await asyncio.sleep(self.latency)
        self.posts.append(Post(message.workspace, key, at, 200))


# ---- the run


@dataclass
class Result:
    started: float  # time.time() when the ticker started
    recorded: float | None  # seconds until the outbox had every row sent; None: timed out
    loop_cpu: float
    cpu: float
    posts: list[Post]
    opens: int
    other_429: int
    fake_cpu: float | None
    final: dict[str, int]


async def dispatch(
    engine: Engine,
    transport: Transport,
    total: int,
    timeout: float,
    profile: cProfile.Profile | None,
) -> tuple[float, float | None, float, float]:
    """Tick until the outbox has every row sent (or `timeout`); when the ticker started,
    the seconds until all were recorded sent, and the CPU of the loop thread and of all."""
    dispatcher = Dispatcher(
        Outbox(engine, "bench"),
        Delivery(engine, load_playbook()),
        {PLATFORM: transport},
        RateLimits(DEFAULT_LIMITS),
        utc_now,
    )
    dispatcher.planned_at = utc_now()  # no groups: nothing to plan
    loop_cpu, cpu = time.thread_time(), time.process_time()
    if profile is not None:
        profile.enable()
    started, since = time.time(), time.perf_counter()
    ticker = Ticker(dispatcher).start()
    recorded: float | None = None
    while time.perf_counter() - since < timeout:
        await asyncio.sleep(POLL)
        if await asyncio.to_thread(count_sent, engine) >= total:
            recorded = time.perf_counter() - since
            break
    await ticker.stop()
    if profile is not None:
        profile.disable()
    return started, recorded, time.thread_time() - loop_cpu, time.process_time() - cpu


async def over_slack(
    engine: Engine, cipher: TokenCipher, options: argparse.Namespace, total: int
) -> Result:
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    fake = spawn.Process(target=serve_fake_slack, args=(options.latency, theirs), daemon=True)
    fake.start()
    try:
        api_url = ours.recv()
        tables = InstallationTables(client_id=CLIENT_ID, engine=engine, logger=WEB_API_LOG)
        client = AsyncWebClient(token=None, base_url=api_url, logger=WEB_API_LOG)
        async with aiohttp.ClientSession() as session:  # SlackService's: one for every call
            client.session = session
            bots = EncryptedInstallationStore(tables, cipher)
            transport = SlackTransport(client, bots=bots, dm_channels=DmChannels(engine))
            started, recorded, loop_cpu, cpu = await dispatch(
                engine, transport, total, options.timeout, options.profiling
            )
        ours.send("report")
        seen, fake_cpu = ours.recv()
    finally:
        fake.join(10)
        if fake.is_alive():
            fake.terminate()
    workspace_of = {token_of(team(n)): team(n) for n in range(options.workspaces)}
    posts = [
        Post(workspace_of.get(token, "?"), key, at, status)
        for method, token, at, status, key in seen
        if method == POST
    ]
    return Result(
        started,
        recorded,
        loop_cpu,
        cpu,
        posts,
        opens=sum(1 for method, *_ in seen if method == OPEN),
        other_429=sum(1 for method, _, _, status, _ in seen if status == 429 and method != POST),
        fake_cpu=fake_cpu,
        final=statuses(engine),
    )


async def over_fake(engine: Engine, options: argparse.Namespace, total: int) -> Result:
    transport = FakeTransport(options.latency)
    started, recorded, loop_cpu, cpu = await dispatch(
        engine, transport, total, options.timeout, options.profiling
    )
    return Result(
        started,
        recorded,
        loop_cpu,
        cpu,
        transport.posts,
        transport.opens,
        0,
        None,
        statuses(engine),
    )


def report(options: argparse.Namespace, result: Result, keys: set[str], reference: float) -> None:
    total, latency = len(keys), options.latency
    allowed, how = limits_time(options.members)
    slack = DEFAULT_LIMITS[PLATFORM].workspace
    assert slack is not None
    ceiling = slack.burst + slack.rate  # the most one wall-clock second can hold
    ok = [post for post in result.posts if post.status == 200]
    delivered = Counter(post.key for post in ok)
    once = set(delivered) == keys and all(count == 1 for count in delivered.values())
    limited = sum(1 for post in result.posts if post.status == 429) + result.other_429
    per_second = Counter((post.workspace, int(post.at)) for post in ok)
    busiest = max(per_second.values(), default=0)
    arrivals: dict[str, list[float]] = {}
    for post in ok:
        arrivals.setdefault(post.workspace, []).append(post.at)
    window = max((busiest_window(times) for times in arrivals.values()), default=0)
    overall = Counter(int(post.at) for post in ok)
    caps = (
        f"IN_FLIGHT={getattr(dispatching, 'IN_FLIGHT', '?')}, "
        f"WORKSPACE_IN_FLIGHT={getattr(dispatching, 'WORKSPACE_IN_FLIGHT', '?')}, "
        f"BATCH={getattr(dispatching, 'BATCH', '?')}, AHEAD={getattr(dispatching, 'AHEAD', '?')}"
    )
    print(
        f"{options.workspaces} workspaces x {options.members} members = {total:,} reminders due "
        f"at once, order {options.order}, transport {options.transport}, latency "
        f"{latency * 1000:.0f} ms a call, {result.opens:,} conversations.open; dispatcher {caps}"
    )
    print(f"limits' time: {how}")
    if len(ok) < total or result.recorded is None:
        print(
            f"NOT ALL DELIVERED within --timeout {options.timeout:g} s: {len(delivered):,} of "
            f"{total:,} posted; outbox {result.final}"
        )
    last = max((post.at for post in ok), default=result.started) + latency  # its answer
    seconds = last - result.started
    ratio = seconds / allowed if allowed else float("inf")
    recorded = "n/a" if result.recorded is None else f"{result.recorded:.1f} s"
    print(
        f"all delivered (Slack's answer to the last post) after {seconds:.2f} s = {ratio:.2f}x "
        f"the limits' {allowed:g} s (target <= 1.2x); all recorded sent in the outbox by "
        f"{recorded} (looked every {POLL:g} s)"
    )
    print(
        f"{len(ok) / seconds:,.1f} messages/s overall (limits allow "
        f"{total / allowed if allowed else float('inf'):,.0f}/s over these {allowed:g} s); "
        f"busiest second overall {max(overall.values(), default=0)}"
    )
    print(
        f"busiest wall-clock second of one workspace: {busiest} posts; busiest 1 s window "
        f"of one workspace: {window} (a bucket of {slack.rate:g}/s burst {slack.burst:g} "
        f"lets at most {ceiling:g} go in any one second)"
    )
    check = "each delivered exactly once" if once else "CHECK FAILED"
    twice = sum(1 for count in delivered.values() if count > 1)
    print(
        f"429s: {limited} (the fake enforces no limit: it answers 429 only on request); "
        f"{check}: {len(delivered):,} keys posted, {twice} more than once, "
        f"{len(keys - set(delivered)):,} missing; outbox {result.final}"
    )
    wall = result.recorded or options.timeout
    fake_cpu = "" if result.fake_cpu is None else f"; fake Slack process {result.fake_cpu:.1f} s"
    print(
        f"CPU: this process {result.cpu:.1f} s in {wall:.1f} s ({result.cpu / wall:.0%} of one "
        f"core): event loop thread {result.loop_cpu:.1f} s, other threads (the database work) "
        f"{result.cpu - result.loop_cpu:.1f} s{fake_cpu}"
    )
    print(f"reference: sum(range(1000)) takes {reference:.1f} µs here")
    backend = "PostgreSQL" if options.url else "SQLite"
    shown = "yes" if once else "NO"
    print("markdown row:")
    print(
        f"| {date.today()} | {options.transport}, {backend}, {options.order} | "
        f"{options.workspaces} x {options.members} | {latency * 1000:.0f} ms | {seconds:.1f} s | "
        f"{allowed:g} s | {ratio:.2f}x | {len(ok) / seconds:,.0f} | {busiest} / {window} | "
        f"{limited} | {shown} | {result.cpu:.1f} s ({result.loop_cpu:.1f} loop)"
        f"{'' if result.fake_cpu is None else f' + fake {result.fake_cpu:.1f} s'} | "
        f"{reference:.1f} µs |"
    )


async def run(options: argparse.Namespace, folder: Path) -> None:
    reference = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6
    engine = make_engine(options.url or sqlite_url(folder / "bench.db"))
    upgrade(engine)
    with engine.connect() as db:
        if db.execute(select(func.count()).select_from(_members)).scalar_one():
            raise SystemExit("the database already has members: give an empty scratch database")
    cipher = TokenCipher(Fernet.generate_key().decode())
    since = time.perf_counter()
    keys = seed(
        engine, options.workspaces, options.members, options.order, cipher, options.new_members
    )
    print(
        f"seeded {options.workspaces} installations and {len(keys):,} members with a reminder "
        f"each in {time.perf_counter() - since:.1f} s (not timed below)"
    )
    if options.transport == "slack":
        result = await over_slack(engine, cipher, options, len(keys))
    else:
        result = await over_fake(engine, options, len(keys))
    engine.dispose()
    report(options, result, keys, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=100)
    parser.add_argument("--members", type=int, default=100, help="per workspace")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds a call")
    parser.add_argument("--transport", choices=("slack", "fake"), default="slack")
    parser.add_argument("--order", choices=("shuffled", "grouped"), default="shuffled")
    parser.add_argument(
        "--new-members", action="store_true", help="no DM channel known yet: each is opened"
    )
    parser.add_argument("--url", help="a database URL instead of a SQLite file")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before giving up")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the dispatch into FILE")
    options = parser.parse_args()
    options.profiling = cProfile.Profile() if options.profile else None
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(options, Path(folder)))
    if options.profiling is not None:
        options.profiling.dump_stats(options.profile)
        pstats.Stats(options.profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
