"""A group's weekly check-ins for 10,000 members, and the follow-ups due meanwhile.

One Discord group (the bot's 50 messages/s), every member's check-in due at the same
minute, as a group's Monday 09:00 is; and follow-up reminders falling due every few
seconds from then on. The shipped ticker (scheduler/ticker.py) drives the shipped
dispatcher on the real clock, into a fake platform that takes `--latency` seconds to
answer each message, as Slack and Discord take 50-300 ms. Measured: the time until
every check-in is out, the most messages sent in any one second, and how late the
follow-ups went out (from their due time to the platform's answer).

`--one-lane` puts the check-ins in the follow-ups' lane, as before lanes existed, to
show what the lane is for.

    .venv/bin/python benchmarks/checkin_dispatch.py [--members 10000] [--followups 200]
        [--every 3] [--latency 0.1] [--one-lane]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import timeit
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

from bot.checkins.planning import plan_member_checkins
from bot.playbook import load_playbook
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.groups import Groups
from bot.store.models import MEMBERS, REMINDERS
from bot.store.reminders import FIRST_LANE, WEEKLY_CHECKIN
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import DEFAULT_LIMITS, RateLimits
from scheduler.ticker import Ticker

PLATFORM, GUILD = "discord", "G1"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class SlowPlatform:
    """Answers each message after `latency` seconds; notes when each kind went out."""

    latency: float
    platform: str = PLATFORM
    per_second: Counter[int] = field(default_factory=Counter)
    sent_at: dict[str, datetime] = field(default_factory=dict)

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        await asyncio.sleep(self.latency)
        self.per_second[int(time.monotonic())] += 1
        self.sent_at[key.partition("@")[0]] = utc_now()  # by its row's idempotency key


def set_up(engine, members: int, followups: int, every: float, at: datetime) -> dict[str, datetime]:
    """The group asking at `at` (UTC), its members, their check-ins planned, and the
    follow-ups: the due time of each, by the key the platform sees."""
    with engine.begin() as db:
        group = Groups(db, PLATFORM, GUILD)
        group.create(timezone="UTC", facilitators=[], now=at)
        group.update(checkin_day=DAYS[at.weekday()], checkin_at=at.time())
        ids = db.scalars(
            insert(MEMBERS).returning(MEMBERS.c.id, sort_by_parameter_order=True),
            [
                {
                    "platform": PLATFORM,
                    "workspace": GUILD,
                    "user_id": f"{n:018d}",
                    "display_name": f"Member {n}",
                    "created_at": at,
                }
                for n in range(members)
            ],
        ).all()
        plan_member_checkins(db, at - timedelta(seconds=1))
        due = {}
        rows = []
        for n in range(followups):
            when = at + timedelta(seconds=every * n)
            key = f"bench:followup:{n}"
            due[key] = when
            rows.append(
                {
                    "platform": PLATFORM,
                    "workspace": GUILD,
                    "member_id": ids[(n * 7919) % len(ids)],
                    "kind": "keep_in_touch",
                    "due_at": when,
                    "local_due": when,
                    "zone": "UTC",
                    "idempotency_key": key,
                    "created_at": at,
                }
            )
        db.execute(insert(REMINDERS), rows)
    return due


async def run(options: argparse.Namespace) -> None:
    reference = timeit.timeit("sum(range(1000))", number=10_000) / 10_000 * 1e6
    print(f"reference: sum(range(1000)) takes {reference:.1f} µs here")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url(Path(folder) / "bench.db"))
        upgrade(engine)
        start = (utc_now() + timedelta(minutes=1)).replace(second=0, microsecond=0)
        due = set_up(engine, options.members, options.followups, options.every, start)
        if options.one_lane:
            with engine.begin() as db:
                db.execute(update(REMINDERS).values(lane=FIRST_LANE))
        platform = SlowPlatform(options.latency)
        dispatcher = Dispatcher(
            Outbox(engine, "bench"),
            Delivery(engine, load_playbook()),
            {PLATFORM: platform},
            RateLimits(DEFAULT_LIMITS),
            utc_now,
        )
        dispatcher.planned_at = start  # planned above, once
        while utc_now() < start:
            await asyncio.sleep(0.1)
        ticker = Ticker(dispatcher).start()
        checkins = options.members
        while len(platform.sent_at) < checkins + len(due):
            await asyncio.sleep(0.5)
        await ticker.stop()
    last_checkin = max(
        when for key, when in platform.sent_at.items() if key.startswith(WEEKLY_CHECKIN)
    )
    late = sorted(
        (platform.sent_at[key] - when).total_seconds()
        for key, when in due.items()
        if key in platform.sent_at
    )
    all_out = (last_checkin - start).total_seconds()
    print(
        f"{checkins} check-ins and {len(due)} follow-ups (one every {options.every} s), "
        f"latency {options.latency * 1000:.0f} ms, "
        f"{'one lane' if options.one_lane else 'check-ins in their own lane'}"
    )
    print(f"every check-in out after {all_out:.0f} s ({checkins / all_out:.1f} a second)")
    print(f"most messages in one second: {max(platform.per_second.values())} (limit 50)")
    print(
        f"follow-ups late by: p50 {statistics.median(late):.1f} s, "
        f"p95 {late[int(len(late) * 0.95)]:.1f} s, max {late[-1]:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--followups", type=int, default=200)
    parser.add_argument("--every", type=float, default=3.0)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--one-lane", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
