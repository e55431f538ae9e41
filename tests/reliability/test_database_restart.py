"""PostgreSQL restarted while Bounceback works: kind answers meanwhile, nothing lost after.

These tests run their own PostgreSQL server (not the one other tests share), so
they can stop it and start it again on the same socket and data, as an operator's
restart or a failover looks to Bounceback: every open connection is cut, new ones
are refused for a while, then it is back.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.config import Settings
from bot.conversation.core import UNAVAILABLE, Bounceback
from bot.conversation.events import Command, Member, Text
from bot.playbook import Playbook
from bot.store.database import make_engine, upgrade
from bot.store.models import Conversation, Reminder
from scheduler.outbox import SENT
from tests.helpers import CHANNEL, DM
from tests.reliability.support import delivered, due_reminders, on_slack, said, wait_delivered
from tests.support.bounceback_run import WAIT, bounceback_run, free_port
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer, restartable_postgres
from tests.support.slack_http import SlackHttp

pytestmark = pytest.mark.postgres

REMINDERS = 300
STOP_AFTER = 100  # delivered, when PostgreSQL goes away
ALEX = Member("slack", "T-core", "U-alex", "Alex")


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with restartable_postgres() as server:
        engine = make_engine(server.url)
        upgrade(engine)
        engine.dispose()
        yield server


@pytest.fixture
def engine(server: PostgresServer) -> Iterator[Engine]:
    engine = make_engine(server.url)
    yield engine
    engine.dispose()


def test_the_core_answers_kindly_while_the_database_is_away_and_keeps_the_dialogue(
    server: PostgresServer, engine: Engine, playbook: Playbook, tmp_path: Path
) -> None:
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path))
    assert "How are you feeling" in core.handle(Command(ALEX, DM, "rejected", "Acme"))[-1].text

    server.stop(signal.SIGINT)  # the pool's connections are now dead
    try:
        assert core.handle(Text(ALEX, DM, "disappointed")) == [UNAVAILABLE]
        assert core.handle(Command(ALEX, CHANNEL, "stats")) == [UNAVAILABLE]
    finally:
        server.start()

    answered = core.handle(Text(ALEX, DM, "disappointed"))  # the same answer, again
    assert "how far did you get" in answered[-1].text
    with engine.connect() as db:
        assert db.scalar(select(Conversation.step)) is not None


def test_postgres_restarted_mid_dispatch_loses_no_reminder_and_sends_none_twice(
    server: PostgresServer, engine: Engine, tmp_path: Path
) -> None:
    """`bounceback run` on Slack, 300 reminders due; PostgreSQL stops after 100 of them,
    while a member asks for something, and comes back. The process carries on."""
    expected = due_reminders(engine, REMINDERS)
    app = SlackHttp(free_port())

    async def scenario() -> FakeSlack:
        async with (
            FakeSlack() as slack,
            bounceback_run(tmp_path, **on_slack(slack, server.url, app)) as run,
        ):
            await slack.wait_until(lambda: len(delivered(slack)) >= STOP_AFTER, WAIT)
            await asyncio.to_thread(server.stop, signal.SIGINT)
            try:
                before = len(slack.calls)
                await app.command("rejected", "Acme")
                sorry = await said(slack, "can't reach my notes", "chat.postEphemeral", before)
                assert sorry["channel"] == "C-general" and sorry["user"] == "U-sam"
                await run.logged("scheduler tick failed")
                stalled = len(delivered(slack))
                assert stalled < REMINDERS
            finally:
                await asyncio.to_thread(server.start)

            await wait_delivered(slack, expected)
            await run.logged("scheduler ticking again")
            before = len(slack.calls)
            await app.command("rejected", "Acme")  # and members are answered again
            await said(slack, "How are you feeling", after=before)
            assert await run.stop() == 0
            return slack

    slack = asyncio.run(scenario())
    sends = delivered(slack)
    assert set(sends) == expected  # none lost
    assert set(sends.values()) == {1}  # the rows cut off mid-record were checked, not resent
    with engine.connect() as db:
        statuses = set(db.scalars(select(Reminder.status).distinct()))
    assert statuses == {SENT}
