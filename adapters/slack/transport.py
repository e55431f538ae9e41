"""Reminders and group posts to Slack, for the scheduler.

This client has no rate-limit retry handler on purpose: a 429 goes back to
the dispatcher as RateLimited, which reschedules the row after Retry-After
instead of sleeping with its lease held, and holds the workspace's other sends
as long (Slack does not say which limit a 429 met; for posting, the
workspace's is the likeliest). A reminder sent again after a crash
first looks for its own key in the DM's recent history (message metadata,
read with im:history), so the member never gets the same reminder twice. A
group post is not looked for: the app has no scope to read channels, and
asks for none, so a crash between Slack's answer and the commit can post it
twice, which beats never posting it.

Installed by many workspaces, each message goes out with the bot token of its
member's workspace, found in the installation store. A workspace that has
uninstalled Bounceback, or whose token Slack refuses, gets Undeliverable: the
row fails at once with the reason, instead of asking Slack again for hours.

A DM goes straight to the channel remembered for the member (DmChannels): no
conversations.open per message, which Slack allows about 50 times a minute.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message
from adapters.slack.direct import to_dm
from adapters.slack.files import upload_attachments
from bot.conversation.dm_channels import DmChannels
from bot.conversation.events import Reply
from bot.reminders.delivery import Outgoing
from scheduler.transport import RateLimited, Undeliverable

log = logging.getLogger(__name__)

EVENT_TYPE = "bounceback_delivery"
HISTORY_LOOKBACK = 50  # messages: a resend comes minutes after the first try
DEFAULT_RETRY_AFTER = 30.0
REINSTALL = "once it is installed there again, `bounceback reminders --retry` sends this"
# Slack's answers for a token that will never work again (uninstalled, revoked).
DEAD_TOKEN = frozenset(
    {"account_inactive", "invalid_auth", "not_authed", "token_expired", "token_revoked"}
)


class SlackTransport:
    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        bots: AsyncInstallationStore | None = None,
        *,
        dm_channels: DmChannels,
    ) -> None:
        """`client` holds the one workspace's token; with `bots` (OAuth) it holds none,
        and lends its base URL, session and logger to each workspace's client.
        `dm_channels`: where members' DMs are, shared with the app's replies."""
        self.client = client
        self.bots = bots
        self.dm_channels = dm_channels

    async def send(self, message_: Outgoing, *, key: str, resend: bool) -> None:
        client = await self.client_for(message_.workspace)
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}

        async def post(channel: str) -> None:
            for reply in message_.replies:
                await client.chat_postMessage(channel=channel, metadata=metadata, **message(reply))
                await _attach(client, channel, reply)

        async def post_once(dm: str) -> None:
            if not (resend and await self._already_posted(client, dm, key)):
                await post(dm)

        try:
            if message_.channel is not None:
                await post(message_.channel)
            else:
                assert message_.member is not None
                await to_dm(self.dm_channels, client, message_.member, post_once)
        except SlackApiError as error:
            if error.response.status_code == 429:
                retry_after = error.response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)
                raise RateLimited(float(retry_after), "workspace") from error
            if error.response.get("error") in DEAD_TOKEN:
                raise Undeliverable(
                    f"Slack refused the bot token of workspace {message_.workspace} "
                    f"({error.response['error']}): {REINSTALL}"
                ) from error
            raise

    async def client_for(self, workspace: str) -> AsyncWebClient:
        """The workspace's own bot: its token, over this client's session."""
        if self.bots is None:
            return self.client
        bot = await self.bots.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            raise Undeliverable(
                f"Bounceback is not installed in Slack workspace {workspace}: {REINSTALL}"
            )
        return AsyncWebClient(
            token=bot.bot_token,
            base_url=self.client.base_url,
            session=self.client.session,
            logger=self.client.logger,
            retry_handlers=self.client.retry_handlers,
        )

    async def _already_posted(self, client: AsyncWebClient, channel: str, key: str) -> bool:
        """Only for the member's DM: im:history is the one history scope granted."""
        history = await client.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        return any(_key_of(message) == key for message in messages)


def _key_of(posted: dict[str, Any]) -> str | None:
    metadata = posted.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return None
    return (metadata.get("event_payload") or {}).get("key")


async def _attach(client: AsyncWebClient, channel: str, reply: Reply) -> None:
    """A digest's chart, after its message. If Slack refuses it (past the client's own
    retries), the message stands without it: retrying the row would post the digest
    a second time, as a group post cannot read the channel to see it went."""
    try:
        await upload_attachments(client, channel, reply)
    except SlackApiError as error:
        log.warning("a chart was not uploaded with its message: %s", error.response.get("error"))
