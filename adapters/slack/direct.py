"""A member's DM channel with the bot: opened once, then remembered for the process."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.events import Member


class DirectMessages:
    def __init__(self) -> None:
        self._channels: dict[Member, str] = {}

    async def channel(self, client: AsyncWebClient, member: Member) -> str:
        if member not in self._channels:
            opened = await client.conversations_open(users=member.user)
            self._channels[member] = opened["channel"]["id"]
        return self._channels[member]
