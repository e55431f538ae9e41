"""Reminders and group posts to Discord, for the scheduler.

Each message carries a nonce derived from the outbox row's key, with
enforce_nonce: if a row is sent again after a crash mid-send, Discord answers
with the message it already has instead of posting a second one (it remembers
nonces for a few minutes, which covers a lease's expiry and reclaim).

429s: discord.py sleeps on a Retry-After itself and repeats the same request,
same nonce, so a short wait (the common per-route case, under a second) is
retried inside the send and delivered once. The client's max_ratelimit_timeout
caps that sleep at RATE_LIMIT_WAIT; a longer Retry-After comes back as
RateLimited and the outbox reschedules the row instead of holding its lease.
A 429 discord.py will not retry (Cloudflare's, without a Via header) does too,
and holds every send of the bot back as long: Cloudflare limits by address.

A member whose DMs are closed cannot be reached by retrying for hours: the row
fails at once, saying why, and `bounceback reminders --retry` sends it later.

A DM goes straight to the channel remembered for the member (DmChannels): no
POST /users/@me/channels per message, which no rate-limit token pays for.
"""

from __future__ import annotations

import hashlib

import discord

from adapters.discord.direct import to_dm
from adapters.discord.render import message
from bot.conversation.dm_channels import DmChannels
from bot.reminders.delivery import Outgoing
from scheduler.transport import RateLimited, Undeliverable

DMS_CLOSED = 50007  # Discord's "Cannot send messages to this user"
RATE_LIMIT_WAIT = 30.0  # seconds; the least discord.py accepts for max_ratelimit_timeout
DEFAULT_RETRY_AFTER = 60.0


def nonce_for(key: str, part: int = 0) -> str:
    """Discord takes nonces of up to 25 characters: a digest of the key and the part."""
    return hashlib.blake2b(f"{key}#{part}".encode(), digest_size=12).hexdigest()


class DiscordTransport:
    platform = "discord"

    def __init__(self, client: discord.Client, dm_channels: DmChannels) -> None:
        """`dm_channels`: where members' DMs are, shared with the client's replies."""
        self.client = client
        self.dm_channels = dm_channels

    async def send(self, message_: Outgoing, *, key: str, resend: bool) -> None:
        """`resend` needs nothing extra here: the nonce makes every send idempotent."""

        async def post(channel: discord.abc.Messageable) -> None:
            for part, reply in enumerate(message_.replies):
                shown = message(reply, message_.workspace).kwargs()
                await channel.send(nonce=nonce_for(key, part), **shown)

        try:
            if message_.channel is not None:
                await post(self.client.get_partial_messageable(int(message_.channel)))
            else:
                assert message_.member is not None
                await to_dm(self.dm_channels, self.client, message_.member, post)
        except discord.RateLimited as limited:
            raise RateLimited(limited.retry_after) from limited
        except discord.Forbidden as refused:
            if refused.code == DMS_CLOSED:
                raise Undeliverable(
                    "the member's Discord DMs are closed for this server; once they open "
                    "them, `bounceback reminders --retry` sends this"
                ) from refused
            raise
        except discord.HTTPException as error:
            if error.status == 429:
                retry_after = error.response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)
                raise RateLimited(float(retry_after), "platform") from error  # by IP
            raise
