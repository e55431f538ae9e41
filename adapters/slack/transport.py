"""Reminders and group posts to Slack, for the scheduler.

This client has no rate-limit retry handler on purpose: a 429 goes back to
the dispatcher as RateLimited, which reschedules the row after Retry-After
instead of sleeping with its lease held. A row sent again after a crash
first looks for its own key in the channel's recent history (message
metadata), so the member never gets the same reminder twice.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message
from adapters.slack.direct import DirectMessages
from bot.delivery import Outgoing
from scheduler.transport import RateLimited

EVENT_TYPE = "bounceback_delivery"
HISTORY_LOOKBACK = 50  # messages: a resend comes minutes after the first try
DEFAULT_RETRY_AFTER = 30.0


class SlackTransport:
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._direct = DirectMessages()

    async def send(self, message_: Outgoing, *, key: str, resend: bool) -> None:
        try:
            if message_.channel is not None:
                channel = message_.channel
            else:
                assert message_.member is not None
                channel = await self._direct.channel(self.client, message_.member)
            if resend and await self._already_posted(channel, key):
                return
            metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
            for reply in message_.replies:
                await self.client.chat_postMessage(
                    channel=channel, metadata=metadata, **message(reply)
                )
        except SlackApiError as error:
            if error.response.status_code == 429:
                retry_after = error.response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)
                raise RateLimited(float(retry_after)) from error
            raise

    async def _already_posted(self, channel: str, key: str) -> bool:
        history = await self.client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        return any(_key_of(item) == key for item in history.get("messages", []))


def _key_of(posted: dict[str, Any]) -> str | None:
    metadata = posted.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("key")
