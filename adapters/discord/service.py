"""Running Bounceback on Discord: the gateway client on its configured shards, plus the
scheduler's ticker delivering reminders through the same client.

Each process runs the shards named in DISCORD_SHARD_IDS (all of them if unset);
processes sharing PostgreSQL each claim reminders safely, so a reminder for a
member of any shard may go out from any process: sending needs only REST.
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord

from adapters.discord.client import BouncebackClient
from adapters.discord.transport import DiscordTransport
from bot.config import Settings
from bot.core import Bounceback
from bot.delivery import Delivery
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from scheduler.ticker import TICK_SECONDS, start_ticker


def make_client(core: Bounceback, settings: Settings, **options: Any) -> BouncebackClient:
    discord.http.Route.BASE = settings.discord_api_url
    return BouncebackClient(
        core,
        shard_count=settings.discord_shard_count,
        shard_ids=list(settings.discord_shard_ids) or None,
        **options,
    )


class DiscordService:
    """Start and stop; between the two, interactions are answered and reminders sent."""

    def __init__(
        self,
        core: Bounceback,
        settings: Settings,
        worker: str,
        *,
        tick: float = TICK_SECONDS,
        **client_options: Any,
    ) -> None:
        self.settings = settings
        self.tick = tick
        self.client = make_client(core, settings, **client_options)
        self.dispatcher = Dispatcher(
            Outbox(core.engine, worker, lease=settings.lease),
            Delivery(core.engine, core.playbook),
            {"discord": DiscordTransport(self.client)},
            RateLimits(),
            core.clock,
        )
        self._connection: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in, connect every configured shard, and tick once they are ready."""
        await self.client.login(self.settings.discord_token)
        if self.settings.discord_dev_guild is not None:  # development: commands at once
            guild = discord.Object(self.settings.discord_dev_guild)
            self.client.tree.copy_global_to(guild=guild)
            await self.client.tree.sync(guild=guild)
        self._connection = asyncio.create_task(self.client.connect())
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait({self._connection, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():  # the connection ended first: its error says why
            ready.cancel()
            await self._connection
        self._ticker = start_ticker(self.dispatcher, every=self.tick)

    async def stop(self) -> None:
        await self.dispatcher.stop()  # before the ticker, whose shutdown cancels a tick
        self._ticker.shutdown(wait=False)
        await self.client.close()
        if self._connection is not None:
            await self._connection


async def sync_commands(core: Bounceback, settings: Settings, guild: int | None) -> int:
    """Publish the command tree: to one server at once, or globally (which Discord
    spreads within the hour). Needs only REST: no gateway connection."""
    client = make_client(core, settings)
    await client.login(settings.discord_token)
    try:
        if guild is None:
            return len(await client.tree.sync())
        target = discord.Object(guild)
        client.tree.copy_global_to(guild=target)
        return len(await client.tree.sync(guild=target))
    finally:
        await client.close()
