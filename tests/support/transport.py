"""A platform for the scheduler to deliver to, in memory: it records, and can refuse."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation.events import Reply
from bot.reminders.delivery import Outgoing
from scheduler.transport import RateLimited


@dataclass
class FakeTransport:
    """Records each message; `fail_next` queues errors to raise instead, in order.

    Like Discord with enforce_nonce, a message whose key was already accepted
    is acknowledged but not shown twice: `duplicates` counts those.
    """

    platform: str = "slack"
    sent: list[tuple[Outgoing, str]] = field(default_factory=list)
    fail_next: list[Exception] = field(default_factory=list)
    duplicates: int = 0

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        if key in self.keys:
            self.duplicates += 1
            return
        self.sent.append((message, key))

    @property
    def keys(self) -> list[str]:
        return [key for _, key in self.sent]

    @property
    def last(self) -> Reply:
        return self.sent[-1][0].replies[-1]

    def too_many_requests(self, retry_after: float = 30) -> None:
        self.fail_next.append(RateLimited(retry_after))
