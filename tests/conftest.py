"""Fixtures: a playbook, a database of each kind, a clock, a member to chat as, and a
scheduler delivering to a fake platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import Member
from bot.playbook import Playbook, load_playbook
from bot.reminders.delivery import Delivery
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import Base
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.helpers import Chat, FakeClock
from tests.support.postgres import running_postgres
from tests.support.transport import FakeTransport

SAM = Member("slack", "T1", "U-sam", display_name="Sam")


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    with running_postgres() as url:
        engine = make_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The same test on a SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        engine = make_engine(sqlite_url(tmp_path / "bounceback.db"))
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("postgres_engine")
    yield engine
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def core(engine: Engine, playbook: Playbook, settings: Settings, clock: FakeClock) -> Bounceback:
    return Bounceback(engine, playbook, settings, clock)


@pytest.fixture
def chat(core: Bounceback) -> Chat:
    """Sam, in a direct message with Bounceback on a plain-text surface."""
    return Chat(core, SAM)


# A dispatcher on the test database, delivering to a fake platform on the fake clock.
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
