"""A dispatcher on the test database, delivering to a fake platform on the fake clock."""

from __future__ import annotations

import pytest

from bot.conversation.core import Bounceback
from bot.reminders.delivery import Delivery
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.support.transport import FakeTransport


@pytest.fixture
def platform() -> FakeTransport:
    return FakeTransport("slack")


@pytest.fixture
def dispatcher(core: Bounceback, platform: FakeTransport, clock) -> Dispatcher:
    return Dispatcher(
        Outbox(core.engine, "test-worker"),
        Delivery(core.engine, core.playbook),
        {platform.platform: platform},
        RateLimits.unlimited(),
        clock,
    )
