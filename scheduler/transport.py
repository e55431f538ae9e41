"""What each adapter implements so the scheduler can deliver through it."""

from __future__ import annotations

from typing import Protocol

from bot.reminders.delivery import Outgoing
from scheduler.rate_limit import Scope


class RateLimited(Exception):
    """The platform said 429; try again after `retry_after` seconds. `scope` is the
    limit it most likely concerns: the conversation's alone, the workspace's or the
    whole bot's; the dispatcher holds back that level's other sends as long."""

    def __init__(self, retry_after: float, scope: Scope = "route") -> None:
        super().__init__(f"rate limited ({scope}); retry after {retry_after:g} s")
        self.retry_after = retry_after
        self.scope = scope


class Undeliverable(Exception):
    """Retrying cannot help (the app was uninstalled, its token revoked): fail the row now."""


class Transport(Protocol):
    """Sends one message to a member's DM or a group's channel.

    `key` is the outbox row's idempotency key: a platform that can deduplicate
    (Discord's enforce_nonce, Slack's message metadata) must use it, so that a
    row reclaimed after a crash mid-send does not arrive twice. Raise
    RateLimited on a 429, Undeliverable when no retry could succeed; any other
    exception counts as a transient failure.
    """

    platform: str

    async def send(self, message: Outgoing, *, key: str, resend: bool) -> None: ...
