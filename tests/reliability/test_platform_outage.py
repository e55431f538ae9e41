"""Slack and Discord answering 429 and 500 for a while: every reminder and reply arrives once.

The runner wires the services as `bounceback run` does (Bolt or discord.py, the
ticker, the outbox) in the test's event loop, against the fakes, on a SQLite file and
on PostgreSQL, on a clock the test moves: the outbox's backoff after a failed send is
minutes of that clock, not of the test's.
Replies to a member are retried by the platform clients themselves (briefly: the
member is waiting); reminders are rescheduled by the outbox as often as needed.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, select

from adapters.runner import Runner
from adapters.slack.service import SlackService
from bot.config import Settings
from bot.conversation.core import Bounceback, utc_now
from bot.playbook import Playbook
from bot.store.models import Reminder
from scheduler.outbox import SENT
from tests.adapters.discord.harness import READY_AFTER
from tests.helpers import FakeClock
from tests.reliability.support import delivered, due_reminders, said
from tests.support.bounceback_run import WAIT
from tests.support.fake_discord import GUILD_ID, FakeDiscord, pointed_at
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import SECRET, SlackHttp

REMINDERS = 20
LATER = 10  # minutes of the service's clock: past every backoff the outage caused
DM_MESSAGES = re.compile(r"/channels/\d+/messages")


def attempts(core: Bounceback) -> Counter[tuple[str, int]]:
    with core.engine.connect() as db:
        return Counter(
            (status, count)
            for status, count in db.execute(select(Reminder.status, Reminder.attempts))
        )


def test_slack_answering_429_and_500_for_a_while(
    engine: Engine, tmp_path: Path, playbook: Playbook
) -> None:
    clock = FakeClock(utc_now())
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path), clock)
    expected = due_reminders(core.engine, REMINDERS)

    async def scenario() -> FakeSlack:
        async with FakeSlack() as slack:
            settings = replace(
                core.settings,
                slack_bot_token="xoxb-test",
                slack_signing_secret=SECRET,
                slack_mode="http",
                slack_api_url=slack.api_url,
                port=0,
            )
            slack.fail_next("chat.postMessage", status=429, retry_after=1, times=3)
            slack.fail_next("chat.postMessage", status=500, times=3)
            runner = Runner(core, settings, "outage", tick=0.05)
            [service] = runner.services
            assert isinstance(service, SlackService)
            await runner.start()
            try:
                # The first tick meets the outage: six reminders fail, the rest go.
                await slack.wait_until(lambda: len(delivered(slack)) == REMINDERS - 6, WAIT)
                # A member asks meanwhile; their answer meets a 429, then a 500.
                slack.fail_next("chat.postEphemeral", status=429, retry_after=1)
                slack.fail_next("chat.postEphemeral", status=500)
                assert (await SlackHttp(service.port).command("stats"))[0] == 200
                await said(slack, "", "chat.postEphemeral")
                statuses = [call.status for call in slack.calls_to("chat.postEphemeral")]
                assert statuses == [429, 500, 200]  # answered once, after both

                clock.advance(minutes=LATER)  # past the outbox's backoff
                await slack.wait_until(lambda: expected <= delivered(slack).keys(), WAIT)
            finally:
                await runner.stop()
            return slack

    slack = asyncio.run(scenario())
    sends = delivered(slack)
    assert set(sends) == expected and set(sends.values()) == {1}
    assert attempts(core) == {(SENT, 1): REMINDERS - 3, (SENT, 2): 3}  # a 429 is no failure


def test_discord_answering_429_and_500_for_a_while(
    engine: Engine, tmp_path: Path, playbook: Playbook
) -> None:
    clock = FakeClock(utc_now())
    core = Bounceback(engine, playbook, Settings(data_dir=tmp_path), clock)
    due_reminders(core.engine, REMINDERS, platform="discord", workspaces=(str(GUILD_ID),))
    members = [1000 + number for number in range(REMINDERS)]  # their Discord user ids

    async def scenario() -> FakeDiscord:
        async with FakeDiscord() as fake:
            settings = replace(
                core.settings, discord_token="fake-bot-token", discord_api_url=fake.api_base
            )
            # Long 429s come back to the outbox; short ones and a 500 discord.py retries.
            fake.fail_next("POST", DM_MESSAGES, status=429, retry_after=60, times=3)
            fake.fail_next("POST", DM_MESSAGES, status=429, retry_after=0.2, times=2)
            fake.fail_next("POST", DM_MESSAGES, status=500)
            with pointed_at(fake):
                runner = Runner(
                    core, settings, "outage", tick=0.05, guild_ready_timeout=READY_AFTER
                )
                await runner.start()
                try:
                    await fake.wait_until(
                        lambda: sum(bool(fake.dms_to(m)) for m in members) == REMINDERS - 3,
                        WAIT,
                        "all but the three long-limited reminders",
                    )
                    fake.fail_next("POST", re.compile(r"/webhooks/.*"), status=500)
                    asked = await fake.slash("help")  # answered in place, where it was asked
                    [answer] = await asked.wait_followups(timeout=WAIT)  # after the 500
                    assert "/rejected" in answer["content"]

                    clock.advance(minutes=LATER)
                    await fake.wait_until(
                        lambda: all(fake.dms_to(m) for m in members), WAIT, "every reminder"
                    )
                finally:
                    await runner.stop()
            return fake

    fake = asyncio.run(scenario())
    assert [len(fake.dms_to(member)) for member in members] == [1] * REMINDERS
    assert attempts(core) == {(SENT, 1): REMINDERS}  # a 429 is no failed attempt
