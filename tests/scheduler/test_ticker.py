"""The ticker drives the dispatcher on the event loop, with no persistent job store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.delivery import Outgoing
from scheduler.ticker import start_ticker
from tests.scheduler.test_dispatcher import FIRST_DUE, PLAN
from tests.support.transport import FakeTransport


@dataclass
class SignallingTransport(FakeTransport):
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, message: Outgoing, *, key: str, resend: bool = False) -> None:
        await super().send(message, key=key)
        self.arrived.set()


def test_a_due_reminder_is_delivered_by_the_ticker_alone(chat, dispatcher, clock) -> None:
    chat.steps(*PLAN)
    clock.now = FIRST_DUE
    transport = SignallingTransport("slack")
    dispatcher.transports = {"slack": transport}

    async def run() -> None:
        ticker = start_ticker(dispatcher, every=0.01)
        try:
            await asyncio.wait_for(transport.arrived.wait(), timeout=30)
        finally:
            ticker.shutdown(wait=False)

    asyncio.run(run())
    assert len(transport.sent) == 1
