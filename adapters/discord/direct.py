"""A member's DM with the bot on Discord: how it is opened, and which answers mean the
channel remembered for it is gone (the core's DmChannels keeps it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord

from bot.conversation.dm_channels import DmChannels, Opener
from bot.conversation.events import Member

UNKNOWN_CHANNEL = 10003  # 404: no such channel (any more)
MISSING_ACCESS = 50001  # 403: a channel this bot cannot see, another bot's


def opener(client: discord.Client, member: Member) -> Opener:
    """POST /users/@me/channels, unless discord.py holds this user's DM already."""

    async def open_dm() -> str:
        return str((await client.create_dm(discord.Object(int(member.user)))).id)

    return open_dm


def refuses_channel(error: Exception) -> bool:
    """Not 403/50007, closed DMs: a new channel would be refused the same."""
    return isinstance(error, discord.HTTPException) and error.code in (
        UNKNOWN_CHANNEL,
        MISSING_ACCESS,
    )


async def to_dm(
    dm_channels: DmChannels,
    client: discord.Client,
    member: Member,
    post: Callable[[discord.abc.Messageable], Awaitable[None]],
) -> None:
    """`post` to the member's DM channel, opened only if none is remembered."""

    async def posted(channel: str) -> None:
        await post(client.get_partial_messageable(int(channel), type=discord.ChannelType.private))

    await dm_channels.send(member, opener(client, member), posted, refuses_channel)
