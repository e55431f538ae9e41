"""What the reliability tests share: `bounceback run` as a real process on Slack's HTTP
mode against the fake Slack, due reminders in bulk, and what the platform showed.

The process is configured as for production (SLACK_MODE=http, a signing secret, the
Web API at the fake), in a temporary folder so no developer's `.env` is read, with a
short outbox lease so a reminder it held when it died is retried within seconds.
Waits are on conditions (the port open, a call recorded), each with a deadline.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import socket
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine, insert

from adapters.slack.app import EVENTS_PATH
from adapters.slack.transport import EVENT_TYPE
from bot.core import utc_now
from bot.store.models import MemberRow, Reminder
from tests.support.fake_slack import (
    FakeSlack,
    block_action_body,
    event_payload,
    signed_headers,
    slash_body,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-signing-secret"
TOKEN = "xoxb-reliability"
LEASE_SECONDS = 2
WAIT = 60.0  # seconds: a deadline for what takes well under one on an idle machine
IN_DM = {"channel_id": "DU-sam", "channel_name": "directmessage"}


class BouncebackRun:
    """`bounceback run` serving Slack over HTTP, in a process of its own."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log: list[str]) -> None:
        self.process = process
        self.port = port
        self.log = log  # what it wrote to stderr, line by line
        self._drain = asyncio.create_task(self._read_stderr())
        self._session = aiohttp.ClientSession()

    @classmethod
    async def start(
        cls, slack: FakeSlack, database_url: str, folder: Path, **env: str
    ) -> BouncebackRun:
        """Start it and return once its port takes connections."""
        port = _free_port()
        environment = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_MODE": "http",
            "SLACK_API_URL": slack.api_url,
            "PORT": str(port),
            "DATABASE_URL": database_url,
            "BOUNCEBACK_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING",
            **env,
        }
        folder.mkdir(exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "bounceback"),
            "run",
            env=environment,
            cwd=folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        run = cls(process, port, [])
        try:
            async with asyncio.timeout(WAIT):
                while not await run._accepting():
                    assert process.returncode is None, f"bounceback run exited:\n{run.said}"
                    await asyncio.sleep(0.05)
        except BaseException:
            await run.kill()
            raise
        return run

    @property
    def said(self) -> str:
        return "".join(self.log)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, leases and all left as they were."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        await self._ended()
        assert self.process.returncode in (-signal.SIGKILL, None) or not self.alive

    async def stop(self) -> int:
        """As Ctrl-C: it hands back its leases and exits; its exit status."""
        self.process.send_signal(signal.SIGINT)
        await self._ended()
        assert self.process.returncode is not None
        return self.process.returncode

    async def _ended(self) -> None:
        async with asyncio.timeout(WAIT):
            await self.process.wait()
            await self._drain
        await self._session.close()

    async def _accepting(self) -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        await writer.wait_closed()
        return True

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.log.append(line.decode(errors="replace"))

    # ---- what Slack posts to it

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.port}{EVENTS_PATH}"
        data = io.BytesIO(body)  # aiohttp warns of large bodies given as bytes
        async with self._session.post(url, data=data, headers=headers) as response:
            return response.status, await response.text()

    async def signed(self, body: bytes, content_type: str | None = None) -> tuple[int, str]:
        headers = signed_headers(SECRET, body)
        if content_type is not None:
            headers = signed_headers(SECRET, body, content_type=content_type)
        return await self.post(body, headers)

    async def command(self, name: str, text: str = "", **fields: str) -> tuple[int, str]:
        return await self.signed(slash_body(f"/{name}", text, **fields))

    async def press(self, action_id: str, value: str, **fields: Any) -> tuple[int, str]:
        return await self.signed(block_action_body(action_id, value, **fields))

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        body = json.dumps(event_payload(event)).encode()
        return await self.signed(body, content_type="application/json")


def _free_port() -> int:
    """PORT=0 is refused by the settings: ask the system for a free one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- what the fake Slack saw


def shown(args: dict[str, Any]) -> str:
    """A posted message's text and blocks, as a member would read them."""
    return f"{args.get('text', '')}\n{json.dumps(args.get('blocks', []), ensure_ascii=False)}"


async def said(
    slack: FakeSlack, snippet: str, method: str = "chat.postMessage", after: int = 0
) -> dict[str, Any]:
    """The first message since call number `after` that shows `snippet`, once posted."""

    def found() -> dict[str, Any] | None:
        posted = (c for c in slack.calls[after:] if c.method == method and c.status == 200)
        return next((c.args for c in posted if not c.error and snippet in shown(c.args)), None)

    await slack.wait_until(lambda: found() is not None, WAIT)
    message = found()
    assert message is not None
    return message


def delivered(slack: FakeSlack) -> Counter[str]:
    """How many times each reminder key was posted (successful posts only)."""
    keys: Counter[str] = Counter()
    for call in slack.calls_to("chat.postMessage"):
        metadata = call.args.get("metadata") or {}
        if call.status == 200 and not call.error and metadata.get("event_type") == EVENT_TYPE:
            keys[metadata["event_payload"]["key"]] += 1
    return keys


async def wait_delivered(slack: FakeSlack, expected: set[str]) -> None:
    """Until every expected reminder has reached the platform."""
    await slack.wait_until(lambda: expected <= delivered(slack).keys(), WAIT)


# ---- due reminders


def due_reminders(
    engine: Engine,
    count: int,
    *,
    platform: str = "slack",
    workspaces: tuple[str, ...] = ("T0", "T1", "T2", "T3", "T4"),
    first_user: int = 1000,
) -> set[str]:
    """`count` reminders due now, one per member, spread over workspaces (Slack's
    per-workspace limit would otherwise pace them at 20 a second); their delivery keys.
    User ids are numbers from `first_user`, as Discord's are."""
    now = utc_now()
    due = now.replace(second=0, microsecond=0) - timedelta(minutes=5)  # due, and not late
    where = [workspaces[number % len(workspaces)] for number in range(count)]
    with engine.begin() as db:
        ids = db.scalars(
            insert(MemberRow).returning(MemberRow.id),
            [
                {
                    "platform": platform,
                    "workspace": where[number],
                    "user_id": str(first_user + number),
                    "display_name": f"Member {number}",
                    "timezone": "UTC",
                    "created_at": now,
                }
                for number in range(count)
            ],
        ).all()
        db.execute(
            insert(Reminder),
            [
                {
                    "platform": platform,
                    "workspace": where[number],
                    "member_id": ids[number],
                    "kind": "keep_in_touch",
                    "due_at": due,
                    "local_due": due,
                    "zone": "UTC",
                    "idempotency_key": f"{platform}:{number}",
                    "created_at": now,
                }
                for number in range(count)
            ],
        )
    return {f"{platform}:{number}@{due:%Y-%m-%dT%H:%M}" for number in range(count)}
