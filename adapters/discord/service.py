"""Running Bounceback on Discord: the gateway client on its configured shards, and the
transport the scheduler delivers reminders through (the runner owns the scheduler).

Each process runs the shards named in DISCORD_SHARD_IDS (all of them if unset);
processes sharing PostgreSQL each claim reminders safely, so a reminder for a
member of any shard may go out from any process: sending needs only REST.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from adapters.discord.client import PLATFORM, BouncebackClient
from adapters.discord.transport import DiscordTransport
from bot.config import ConfigError, Settings
from bot.conversation.core import Bounceback


def make_client(core: Bounceback, settings: Settings, **options: Any) -> BouncebackClient:
    discord.http.Route.BASE = settings.discord_api_url
    # Bounceback never speaks: the warnings that voice's libraries are missing are noise.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    return BouncebackClient(
        core,
        shard_count=settings.discord_shard_count,
        shard_ids=list(settings.discord_shard_ids) or None,
        **options,
    )


class DiscordService:
    """Start, drain and close; between start and drain, interactions are answered."""

    platform = "discord"

    def __init__(self, core: Bounceback, settings: Settings, **client_options: Any) -> None:
        self.core = core
        self.settings = settings
        self.client = make_client(core, settings, **client_options)
        self.transport = DiscordTransport(self.client, self.client.bounceback.dm_channels)
        self._connection: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """Log in and connect every configured shard; say which, once they are ready."""
        await _log_in(self.client, self.settings.discord_token)
        # Given a shard count (and after an invalidated session) discord.py connects to the
        # gateway address built into it, not to the one the API names: ask the API, so that
        # DISCORD_API_URL moves the gateway along with REST.
        _, gateway, _ = await self.client.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
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
        ids, count = ",".join(map(str, self.settings.discord_shard_ids)), self.client.shard_count
        return f"shards {ids} of {count}" if ids else f"every shard ({count})"

    async def replay(self, received_before: datetime) -> None:
        """Answer the events received before then and never applied, in the members'
        DMs (interaction tokens die with the process that held them)."""
        waiting = await asyncio.to_thread(self.core.unsettled, PLATFORM, received_before)
        for receipt in waiting:
            self.client.bounceback.replay(receipt)

    async def lost(self) -> str:
        """Returns if the gateway connection ends on its own: discord.py reconnects what
        can be resumed, so this is a fatal close (a revoked token, a refused intent)."""
        assert self._connection is not None
        try:
            await asyncio.shield(self._connection)
        except Exception as error:
            return f"the Discord gateway connection ended ({type(error).__name__}: {error})"
        return "the Discord gateway connection ended"

    async def drain(self) -> None:
        """Close the gateway (no new event), and answer the interactions under way: their
        follow-ups go over REST, which stays open until `close`."""
        for shard in self.client.shards.values():
            await shard.disconnect()
        await self.client.bounceback.settled()

    async def close(self) -> None:
        await self.client.close()
        if self._connection is None:
            return
        if not self.client.is_ready():  # start-up given up: its shards would retry for ever
            self._connection.cancel()
        await asyncio.wait({self._connection})  # how it ended, if on its own, `lost` said


async def sync_commands(core: Bounceback, settings: Settings, guild: int | None) -> int:
    """Publish the command tree: to one server at once, or globally (which Discord
    spreads within the hour). Needs only REST: no gateway connection."""
    client = make_client(core, settings)
    try:
        await _log_in(client, settings.discord_token)
        if guild is None:
            return len(await client.tree.sync())
        target = discord.Object(guild)
        client.tree.copy_global_to(guild=target)
        return len(await client.tree.sync(guild=target))
    finally:
        await client.close()


async def _log_in(client: BouncebackClient, token: str) -> None:
    """A token Discord refuses is a ConfigError: trying again would only repeat it."""
    try:
        await client.login(token)
    except discord.LoginFailure:
        raise ConfigError("Discord refused DISCORD_TOKEN (401 Unauthorized)") from None
