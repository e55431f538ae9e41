"""Pointing discord.py at the fake, and running a client against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from ._server import FakeDiscord
from ._wire import DEFAULT_TIMEOUT


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at `fake`; restore them after.

    Both are class attributes (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``),
    so leaving them set would send a later test's client to a stopped fake.
    """
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def started(
    client: discord.Client,
    fake: FakeDiscord,
    token: str = "fake-bot-token",
    timeout: float = DEFAULT_TIMEOUT,
) -> AsyncIterator[discord.Client]:
    """Run ``client.start(token)`` until it is ready; on exit close it and wait for it.

    Raises what ``start`` raised if it ended first (a refused IDENTIFY, a 401), or
    later while the block ran. Give the client a small ``guild_ready_timeout``:
    discord.py waits that long after the last GUILD_CREATE (2 s by default).
    """
    if fake.api_base != Route.BASE:
        raise AssertionError("discord.py is not pointed at this fake: use `with pointed_at(fake)`")
    running = asyncio.create_task(client.start(token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
    try:
        first = asyncio.FIRST_COMPLETED
        done, _ = await asyncio.wait({running, ready}, timeout=timeout, return_when=first)
        if running in done:
            running.result()
            raise AssertionError("the client stopped before it was ready")
        if not done:
            raise AssertionError(f"the client was not ready within {timeout}s")
        yield client
        if running.done():
            running.result()
    finally:
        ready.cancel()
        await client.close()
        if not (await asyncio.wait({running}, timeout=timeout))[0]:
            running.cancel()
        await asyncio.gather(running, ready, return_exceptions=True)
