"""A member's DM with the bot on Slack: how it is opened, and which answers mean the
channel remembered for it is gone (the core's DmChannels keeps it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.dm_channels import DmChannels, Opener
from bot.conversation.events import Member

T = TypeVar("T")
# chat.postMessage's answers for a channel that is no longer there to post to.
GONE = frozenset({"channel_not_found", "is_archived"})


def opener(client: AsyncWebClient, member: Member) -> Opener:
    """conversations.open, with the token of the member's workspace."""

    async def open_dm() -> str:
        opened = await client.conversations_open(users=member.user)
        return str(opened["channel"]["id"])

    return open_dm


def refuses_channel(error: Exception) -> bool:
    return isinstance(error, SlackApiError) and error.response.get("error") in GONE


async def to_dm(
    dm_channels: DmChannels,
    client: AsyncWebClient,
    member: Member,
    post: Callable[[str], Awaitable[T]],
) -> T:
    """`post` to the member's DM channel, opened only if none is remembered."""
    return await dm_channels.send(member, opener(client, member), post, refuses_channel)
