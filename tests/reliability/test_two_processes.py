"""Two `bounceback run` processes on one PostgreSQL, each serving Slack and Discord:
5,000 due reminders across both platforms, each delivered exactly once, by both.

Scaled out as DESIGN.md §9 has it: each process serves Slack over HTTP on its own
port (as behind a load balancer) and one of Discord's two shards (DISCORD_SHARD_IDS
0 and 1 of DISCORD_SHARD_COUNT=2), and both claim from the same outbox. Members are
spread over ten Slack workspaces and two Discord guilds (one per shard), so Slack's
per-workspace limit does not pace the run. The platform limits (50 messages a second
to each, per process) would allow it in 25 s; each process's work per reminder, its
database round trips one after another, makes it take nearer a minute on two vCPUs.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from adapters.discord.transport import nonce_for
from bot.store.models import Reminder
from scheduler.outbox import SENT
from tests.reliability.support import due_reminders, reminder_key
from tests.support.bounceback_run import BouncebackRun, bounceback_run, free_port
from tests.support.fake_discord import GUILD_ID, OTHER_GUILD_ID, FakeDiscord
from tests.support.fake_discord import Call as DiscordCall
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import SlackHttp

pytestmark = pytest.mark.postgres

REMINDERS = 2_500  # on each platform
SHARDS = 2
WORKSPACES = tuple(f"T{number}" for number in range(10))
GUILDS = (GUILD_ID, OTHER_GUILD_ID)  # on shard 0 and shard 1 of 2
DEADLINE = 180.0  # seconds for every reminder to arrive: it only stops a run that hangs
MESSAGES = re.compile(r"/channels/\d+/messages")
DELIVERED = re.compile(r"reminder (\d+) delivered")


class Arrivals:
    """How many times each reminder key reached a platform, read from its fake's calls as
    they come in: counting all of them again on every call would be quadratic."""

    def __init__(self, calls: Sequence[Any], key_of: Callable[[Any], str | None]) -> None:
        self.calls = calls
        self.key_of = key_of
        self._keys: Counter[str] = Counter()
        self._read = 0

    def keys(self) -> Counter[str]:
        new = self.calls[self._read :]
        self._read += len(new)
        self._keys.update(key for call in new if (key := self.key_of(call)) is not None)
        return self._keys

    def cover(self, expected: set[str]) -> bool:
        return expected <= self.keys().keys()


def discord_key(keys: Iterable[str]) -> Callable[[DiscordCall], str | None]:
    """The reminder key of a message Discord took, told by its nonce (unknown nonces as
    they are, so a stray message is counted too); None for any other call."""
    by_nonce = {nonce_for(key): key for key in keys}

    def key_of(call: DiscordCall) -> str | None:
        if call.method != "POST" or call.status != 200 or not MESSAGES.fullmatch(call.path):
            return None
        nonce = (call.json or {}).get("nonce")
        return None if nonce is None else by_nonce.get(nonce, nonce)

    return key_of


def settings(
    database_url: str, slack: FakeSlack, discord: FakeDiscord, shard: int
) -> dict[str, str]:
    """One process of two: Slack on a port of its own, and its share of Discord's shards."""
    return {
        "DATABASE_URL": database_url,
        **SlackHttp(free_port()).settings(slack),
        "DISCORD_TOKEN": "fake-bot-token",
        "DISCORD_API_URL": discord.api_base,
        "DISCORD_SHARD_COUNT": str(SHARDS),
        "DISCORD_SHARD_IDS": str(shard),
    }


def sent_by(run: BouncebackRun) -> set[int]:
    """The reminders the process says it delivered."""
    return {int(number) for number in DELIVERED.findall(run.log)}


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_two_processes_deliver_5000_reminders_on_slack_and_discord_each_exactly_once(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    folders = [tmp_path / f"process-{shard}" for shard in range(SHARDS)]
    for folder in folders:
        folder.mkdir()

    async def scenario() -> tuple[Counter[str], list[BouncebackRun], set[str]]:
        async with (
            FakeSlack() as slack,
            FakeDiscord(guilds=GUILDS) as discord,
            bounceback_run(folders[0], **settings(url, slack, discord, 0)) as first,
            bounceback_run(folders[1], **settings(url, slack, discord, 1)) as second,
        ):
            # Due only once both are serving: each takes its share from the first tick.
            slack_keys = due_reminders(engine, REMINDERS, workspaces=WORKSPACES)
            guilds = tuple(map(str, GUILDS))
            discord_keys = due_reminders(engine, REMINDERS, platform="discord", workspaces=guilds)
            on_slack = Arrivals(slack.calls, reminder_key)
            on_discord = Arrivals(discord.calls, discord_key(discord_keys))
            await slack.wait_until(lambda: on_slack.cover(slack_keys), DEADLINE)
            await discord.wait_until(
                lambda: on_discord.cover(discord_keys), DEADLINE, "every Discord reminder"
            )
            assert await asyncio.gather(first.stop(), second.stop()) == [0, 0]
            shards = sorted(tuple(identify["shard"]) for identify in discord.identifies)
            assert shards == [(0, SHARDS), (1, SHARDS)]  # one shard each, as configured
            sends = on_slack.keys() + on_discord.keys()  # what came after counts too
            return sends, [first, second], slack_keys | discord_keys

    sends, runs, expected = asyncio.run(scenario())
    assert set(sends) == expected  # none lost, nothing else sent
    assert set(sends.values()) == {1}  # none twice

    with engine.connect() as db:
        rows = db.execute(
            select(
                Reminder.id,
                Reminder.platform,
                Reminder.status,
                Reminder.attempts,
                Reminder.lease_owner,
                Reminder.lease_expires_at,
            )
        ).all()
    assert len(rows) == 2 * REMINDERS
    assert {(row.status, row.attempts, row.lease_owner, row.lease_expires_at) for row in rows} == {
        (SENT, 1, None, None)  # each claimed once, by one process, and no lease left
    }
    platform = {row.id: row.platform for row in rows}
    one, other = (sent_by(run) for run in runs)
    assert not one & other and one | other == set(platform)  # each by one process
    for run, mine in zip(runs, (one, other), strict=True):
        assert {platform[number] for number in mine} == {"slack", "discord"}  # both, on both
        assert "Traceback" not in run.log and " ERROR " not in run.log, run.log[-5000:]
