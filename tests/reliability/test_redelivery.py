"""Slack redelivers what it thinks we missed, and a process can die between
acknowledging an event and applying it: each event is applied once, and none that
was acknowledged is lost.

All against the real `bounceback run` and the fake Slack, on a SQLite file and on
PostgreSQL. A redelivery repeats the event's own id (an event_id, a trigger_id), as
Slack's do; the second process of a pair stands where a load balancer sends a retry.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.reliability.support import IN_DM, LEASE_SECONDS, on_slack, said, shown, url_of
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_discord import MEMBER_ID, FakeDiscord, ResponseType
from tests.support.fake_discord import Call as DiscordCall
from tests.support.fake_slack import Call, FakeSlack, event_payload, slash_payload
from tests.support.slack_http import TOKEN, SlackHttp

TYPED_TWO = {  # Sam types "2" in their DM: "Disappointed", the mood question's second choice
    "type": "message",
    "channel_type": "im",
    "channel": "DU-sam",
    "user": "U-sam",
    "text": "2",
    "ts": "1700000001.000100",
}
STAGE_QUESTION = "how far did you get"
FACTS_QUESTION = "Let's note down the facts"  # what a second "2" would have reached


def posted(slack: FakeSlack, snippet: str) -> int:
    """How many messages Slack took that show `snippet`."""
    calls = slack.calls_to("chat.postMessage")
    return sum(snippet in shown(call.args) for call in calls if call.status == 200)


def test_a_redelivered_event_is_acknowledged_and_applied_once(
    engine: Engine, tmp_path: Path
) -> None:
    app = SlackHttp(free_port())

    async def scenario() -> FakeSlack:
        async with (
            FakeSlack() as slack,
            bounceback_run(tmp_path, **on_slack(slack, url_of(engine), app)) as run,
        ):
            await app.command("rejected", "Acme", **IN_DM)
            await said(slack, "How are you feeling")
            typed = event_payload(TYPED_TWO)
            assert (await app.callback(typed))[0] == 200
            await said(slack, STAGE_QUESTION)
            assert (await app.callback(typed, retry=1))[0] == 200  # its ack "was lost"
            assert await run.stop() == 0  # every event it accepted, answered
        return slack

    slack = asyncio.run(scenario())
    assert posted(slack, STAGE_QUESTION) == 1
    assert posted(slack, FACTS_QUESTION) == 0


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_redelivery_to_another_process_is_applied_once(engine: Engine, tmp_path: Path) -> None:
    first, second = SlackHttp(free_port()), SlackHttp(free_port())
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        folder.mkdir()

    async def scenario() -> FakeSlack:
        async with (
            FakeSlack() as slack,
            bounceback_run(folders[0], **on_slack(slack, url_of(engine), first)) as one,
            bounceback_run(folders[1], **on_slack(slack, url_of(engine), second)) as other,
        ):
            await first.command("rejected", "Acme", **IN_DM)
            await said(slack, "How are you feeling")
            typed = event_payload(TYPED_TWO)
            assert (await first.callback(typed))[0] == 200
            assert (await second.callback(typed, retry=1))[0] == 200
            assert await asyncio.gather(one.stop(), other.stop()) == [0, 0]
        return slack

    slack = asyncio.run(scenario())
    assert posted(slack, STAGE_QUESTION) == 1
    assert posted(slack, FACTS_QUESTION) == 0


def test_a_socket_mode_envelope_sent_again_is_applied_once(engine: Engine, tmp_path: Path) -> None:
    async def scenario() -> FakeSlack:
        async with FakeSlack() as slack:
            socket_mode = {
                "DATABASE_URL": url_of(engine),
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-test",
                "SLACK_API_URL": slack.api_url,
            }
            async with bounceback_run(tmp_path, **socket_mode) as run:
                command = slash_payload("/rejected", "Acme", **IN_DM)
                await slack.acked(await slack.socket_send("slash_commands", command))
                await said(slack, "How are you feeling")
                typed = event_payload(TYPED_TWO)
                await slack.acked(await slack.socket_send("events_api", typed))
                await said(slack, STAGE_QUESTION)
                await slack.acked(await slack.socket_send("events_api", typed))  # sent again
                assert await run.stop() == 0
        return slack

    slack = asyncio.run(scenario())
    assert posted(slack, STAGE_QUESTION) == 1
    assert posted(slack, FACTS_QUESTION) == 0


class KilledAfterTheAck(FakeSlack):
    """Kills the process the first time it asks who a member is: after it acknowledged
    the member's event, before the turn that applies it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pid: int | None = None

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        if self.pid is not None and call.method == "users.info":
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None


def test_a_process_killed_between_ack_and_commit_answers_after_its_restart(
    engine: Engine, tmp_path: Path
) -> None:
    app = SlackHttp(free_port())
    environment = {}

    async def scenario() -> None:
        async with KilledAfterTheAck() as slack:
            environment.update(on_slack(slack, url_of(engine), app))
            async with bounceback_run(tmp_path, **environment) as run:
                slack.pid = run.process.pid
                assert (await app.command("rejected", "Acme", **IN_DM))[0] == 200
                assert await run.ended() == -signal.SIGKILL
            assert posted(slack, "How are you feeling") == 0  # acknowledged, not answered

            async with bounceback_run(tmp_path, **environment) as run:
                await said(slack, "How are you feeling")  # what it was told, taken up again
                assert await run.stop() == 0
            assert posted(slack, "How are you feeling") == 1

    asyncio.run(scenario())


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_what_a_killed_process_acknowledged_is_answered_by_the_one_still_running(
    engine: Engine, tmp_path: Path
) -> None:
    first, second = SlackHttp(free_port()), SlackHttp(free_port())
    folders = [tmp_path / "first", tmp_path / "second"]
    for folder in folders:
        folder.mkdir()

    async def scenario() -> None:
        async with KilledAfterTheAck() as slack:
            url = url_of(engine)
            async with (
                bounceback_run(folders[0], **on_slack(slack, url, first)) as one,
                bounceback_run(folders[1], **on_slack(slack, url, second)) as other,
            ):
                slack.pid = one.process.pid
                assert (await first.command("rejected", "Acme", **IN_DM))[0] == 200
                assert await one.ended() == -signal.SIGKILL
                await said(slack, "How are you feeling")  # once its lease ran out
                assert await other.stop() == 0
            assert posted(slack, "How are you feeling") == 1

    asyncio.run(scenario())


class KilledAfterTheDefer(FakeDiscord):
    """Kills the process the moment Discord takes its answer to an interaction (the
    defer, Discord's ack): after the process wrote the event down, before it applies it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pid: int | None = None

    async def _record(self, call: DiscordCall) -> None:
        await super()._record(call)
        if self.pid is not None and call.path.endswith("/callback") and call.status < 300:
            os.kill(self.pid, signal.SIGKILL)
            self.pid = None


def test_a_discord_command_killed_after_its_defer_is_answered_in_the_dm_after_restart(
    engine: Engine, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with KilledAfterTheDefer() as discord:
            environment = {
                "DATABASE_URL": url_of(engine),
                "DISCORD_TOKEN": "fake-bot-token",
                "DISCORD_API_URL": discord.api_base,
                "BOUNCEBACK_LEASE_SECONDS": str(LEASE_SECONDS),  # when a killed one's are taken up
            }
            async with bounceback_run(tmp_path, **environment) as run:
                discord.pid = run.process.pid
                asked = await discord.slash("rejected", {"company": "Acme"})
                assert (await asked.response())["type"] == ResponseType.DEFERRED_MESSAGE
                assert await run.ended() == -signal.SIGKILL
            assert discord.dms_to(MEMBER_ID) == []  # deferred, never answered

            async with bounceback_run(tmp_path, **environment) as run:
                await discord.wait_until(
                    lambda: "How are you feeling" in str(discord.dms_to(MEMBER_ID)),
                    what="the replayed answer in the member's DM",
                )
                assert await run.stop() == 0
            dms = str(discord.dms_to(MEMBER_ID))
            assert dms.count("How are you feeling") == 1 and "direct message" not in dms

    asyncio.run(scenario())
