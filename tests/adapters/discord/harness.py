"""The real discord.py client, with Bounceback's handlers, against the fake Discord.

A test reads like what a member does in Discord (a slash command, a click, a
modal, a DM) and checks what the bot sent back through the fake's REST API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from adapters.discord.client import BouncebackClient
from bot.conversation.core import Bounceback
from tests.support.fake_discord import GUILD_ID, FakeDiscord, pointed_at, started

READY_AFTER = 0.01  # seconds after the last GUILD_CREATE: the fake sends them at once


@dataclass
class DiscordHarness:
    fake: FakeDiscord
    client: BouncebackClient

    async def said_in(self, channel_id: int, snippet: str, count: int = 1) -> dict[str, Any]:
        """The newest message in a channel showing `snippet`, once `count` of them are there."""

        def found() -> list[dict[str, Any]]:
            return [m for m in self.fake.messages_in(channel_id) if snippet in shown(m)]

        await self.fake.wait_until(lambda: len(found()) >= count, what=f"{snippet!r} posted")
        return found()[-1]


def new_client(core: Bounceback, **options: Any) -> BouncebackClient:
    options.setdefault("shard_count", 1)
    return BouncebackClient(core, guild_ready_timeout=READY_AFTER, **options)


@asynccontextmanager
async def running(core: Bounceback, fake: FakeDiscord) -> AsyncIterator[DiscordHarness]:
    """One bot process; leave and enter again for a restart against the same fake."""
    client = new_client(core)
    async with started(client, fake):
        yield DiscordHarness(fake, client)


@asynccontextmanager
async def discord_bot(core: Bounceback, **fake_options: Any) -> AsyncIterator[DiscordHarness]:
    fake_options.setdefault("guilds", (GUILD_ID,))
    async with FakeDiscord(**fake_options) as fake:
        with pointed_at(fake):
            async with running(core, fake) as harness:
                yield harness


def shown(message: dict[str, Any]) -> str:
    """Everything a member reads in a message: content, embeds, button labels."""
    return f"{message.get('content') or ''}\n{json.dumps(message.get('embeds', []))}\n" + " ".join(
        str(button.get("label")) for button in buttons(message)
    )


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for row in message.get("components", []) for item in row.get("components", [])]


def custom_id(message: dict[str, Any], label: str) -> str:
    return next(item["custom_id"] for item in buttons(message) if item.get("label") == label)
