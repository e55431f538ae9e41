"""One scheduler worker as its own process, delivering to a platform that is a log file.

Run by tests/scheduler/test_workers.py as

    python -m tests.support.worker --url URL --owner NAME --log PATH
        [--lease-seconds S] [--batch B] [--die-after N]

It is the real thing but for the platform: the outbox, the delivery, the dispatcher
and the UTC clock of production, on the database at URL. The platform models one that
deduplicates on the key (like Discord's enforce_nonce): each message it accepts is one
line `key<TAB>owner` appended to the log, written with O_APPEND and fsynced before
`send` returns, so a line in the log means "the platform took it", and the platform's
view of what arrived is the set of distinct keys.

It ticks until two ticks in a row find nothing to do, then prints what it did as JSON
and exits 0. With `--die-after N` it SIGKILLs itself on its N-th send, after the
platform accepted the message and before the outbox recorded it: the crash window
that the lease and the delivery key exist for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from dataclasses import asdict
from datetime import timedelta

from bot.conversation.core import utc_now
from bot.playbook import load_playbook
from bot.reminders.delivery import Delivery, Outgoing
from bot.store.database import make_engine
from scheduler.dispatcher import BATCH, Dispatcher, Tally
from scheduler.outbox import LEASE, Outbox
from scheduler.rate_limit import RateLimits

IDLE_TICKS = 2  # in a row, before the worker decides there is nothing left for it


class LogPlatform:
    """A platform whose inbox is an append-only file; optionally dies on the N-th send."""

    platform = "slack"

    def __init__(self, path: str, owner: str, die_after: int | None = None) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.owner = owner
        self.die_after = die_after
        self.calls = 0

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        line = f"{key}\t{self.owner}\n".encode()
        written = os.write(self.fd, line)  # one write with O_APPEND: lines never interleave
        assert written == len(line)
        os.fsync(self.fd)
        self.calls += 1
        if self.calls == self.die_after:  # accepted by the platform, not yet recorded
            os.kill(os.getpid(), signal.SIGKILL)

    def close(self) -> None:
        os.close(self.fd)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--owner", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--lease-seconds", type=float, default=LEASE.total_seconds())
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--die-after", type=int, default=None)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> Tally:
    engine = make_engine(args.url)
    platform = LogPlatform(args.log, args.owner, args.die_after)
    dispatcher = Dispatcher(
        Outbox(engine, args.owner, lease=timedelta(seconds=args.lease_seconds)),
        Delivery(engine, load_playbook()),
        {platform.platform: platform},
        RateLimits.unlimited(),
        utc_now,
    )
    total, idle = Tally(), 0
    try:
        while idle < IDLE_TICKS:
            tally = await dispatcher.tick(args.batch)
            done = asdict(tally)
            idle = 0 if any(done.values()) else idle + 1
            for name, value in done.items():
                setattr(total, name, getattr(total, name) + value)
    finally:
        platform.close()
        engine.dispose()
    return total


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    total = asyncio.run(run(args))
    print(json.dumps({"owner": args.owner, **asdict(total)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
