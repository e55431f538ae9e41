"""`bounceback run` as deployed: one process, every configured platform, one scheduler,
and a SIGTERM that lets the work under way finish. Real processes against the fakes."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.discord.service import DiscordService
from adapters.runner import READY, Runner, StartFailed
from adapters.slack.app import EVENTS_PATH
from adapters.slack.service import SlackService
from bot.config import Settings
from bot.conversation.core import Bounceback, utc_now
from bot.conversation.events import Member
from bot.playbook import load_playbook
from bot.store.database import make_engine, sqlite_url, upgrade
from bot.store.models import Reminder
from tests.adapters.held import HeldDiscord, HeldSlack
from tests.adapters.slack.harness import SECRET, SlackHarness, http_mode
from tests.conftest import SAM
from tests.helpers import FIRST_DUE, PLAN, Chat, FakeClock
from tests.support.bounceback_run import bounceback_run, free_port
from tests.support.fake_discord import GUILD_ID, MEMBER_ID, FakeDiscord, pointed_at
from tests.support.fake_slack import FakeSlack
from tests.support.slack_http import SlackHttp

SAM_ON_DISCORD = Member("discord", str(GUILD_ID), str(MEMBER_ID), "Sam")
WAIT = 30.0  # a child process starts Bolt and discord.py: more than the fakes' default


def database_with_a_reminder_due(folder: Path, *members: Member) -> str:
    """Each member planned a follow-up, and its first reminder is a day overdue, the
    others still to come: moved there, since when a plan's first reminder falls depends
    on the weekday it was made on (one made on a Friday waits for Monday)."""
    url = sqlite_url(folder / "bounceback.db")
    engine = make_engine(url)
    upgrade(engine)
    now = utc_now()
    core = Bounceback(engine, load_playbook(), Settings(data_dir=folder), FakeClock(now))
    for member in members:
        Chat(core, member).steps(*PLAN)
    with Session(engine) as session, session.begin():
        firsts = {}
        for row in session.scalars(select(Reminder).order_by(Reminder.due_at.desc())):
            firsts[row.member_id] = row
        for first in firsts.values():
            early = first.due_at - (now - timedelta(days=1))
            first.due_at, first.local_due = first.due_at - early, first.local_due - early
    engine.dispose()
    return url


def statuses(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as db:
        rows = db.execute(select(Reminder.platform, Reminder.status).order_by(Reminder.id)).all()
    engine.dispose()
    return [(platform, status) for platform, status in rows]


def posted(slack: FakeSlack, snippet: str) -> bool:
    return any(snippet in str(call.args) for call in slack.calls_to("chat.postMessage"))


def test_sigterm_lets_the_reply_and_the_reminder_under_way_finish_then_exits_0(
    tmp_path: Path,
) -> None:
    url = database_with_a_reminder_due(tmp_path, SAM)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with (
            HeldSlack("chat.postMessage") as slack,
            bounceback_run(tmp_path, DATABASE_URL=url, **app.settings(slack)) as run,
        ):
            await slack.gate.holding(1, WAIT)  # the overdue reminder, mid-send
            assert (await app.command("rejected", "Acme"))[0] == 200
            await slack.gate.holding(2, WAIT)  # and the command's first DM
            run.process.send_signal(signal.SIGTERM)
            await run.logged("SIGTERM: stopping")
            slack.gate.open()
            assert await run.ended() == 0, run.log
            assert posted(slack, "note to Acme")  # the reminder
            assert posted(slack, "news from Acme")  # the command's answer
            assert "stopped; 0 reminder leases handed back" in run.log
            assert "Traceback" not in run.log and " ERROR " not in run.log

    asyncio.run(scenario())
    assert ("slack", "sending") not in statuses(url)
    assert ("slack", "sent") in statuses(url)


def test_one_process_serves_slack_and_discord_with_one_scheduler_for_both(
    tmp_path: Path,
) -> None:
    url = database_with_a_reminder_due(tmp_path, SAM, SAM_ON_DISCORD)
    app = SlackHttp(free_port())

    async def scenario() -> None:
        async with (
            FakeSlack() as slack,
            HeldDiscord("^/api/v10/webhooks/", guilds=(GUILD_ID,)) as discord,
        ):
            env = {
                "DATABASE_URL": url,
                "DISCORD_TOKEN": "fake-bot-token",
                "DISCORD_API_URL": discord.api_base,
                "DISCORD_DEV_GUILD": str(GUILD_ID),
                **app.settings(slack),
            }
            async with bounceback_run(tmp_path, **env) as run:
                await slack.wait_until(lambda: posted(slack, "note to Acme"), WAIT)
                await discord.wait_until(
                    lambda: any("note to Acme" in str(m) for m in discord.dms_to(MEMBER_ID)),
                    WAIT,
                    "the Discord reminder",
                )
                assert (await app.command("stats"))[0] == 200
                await slack.wait_for("chat.postEphemeral", 1, WAIT)

                asked = await discord.slash("stats", guild_id=GUILD_ID)
                await discord.gate.holding(1, WAIT)  # deferred; its answer on its way
                run.process.send_signal(signal.SIGINT)
                await run.logged("SIGINT: stopping")
                discord.gate.open()
                assert await run.ended() == 0, run.log
                assert await asked.wait_followups(1, WAIT)  # answered before the exit

                assert "serving Slack (HTTP on port" in run.log
                assert "serving Discord (every shard (1))" in run.log
                assert run.log.count(READY) == 1
                assert run.log.count("delivered (late)") >= 2

    asyncio.run(scenario())
    sent = {platform for platform, status in statuses(url) if status == "sent"}
    assert sent == {"slack", "discord"}
    assert "sending" not in {status for _, status in statuses(url)}


def test_info_logs_say_what_happened_never_a_rejections_details_nor_a_token(
    core, settings, clock, caplog
) -> None:
    """A whole /rejected through the core, its reminder sent by the runner over Slack, and
    another member's /rejected through Bolt: every logger at DEBUG captured."""
    caplog.set_level(logging.DEBUG)
    company, reason = "Zyxwv Analytics", "They chose someone with more experience in Kubernetes"
    plan = [f"/rejected {company}", *(reason if step == PLAN[6] else step for step in PLAN[1:])]
    Chat(core, SAM).steps(*plan)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with FakeSlack() as slack:
            runner = Runner(core, http_mode(settings, slack), "log-test", tick=0.05)
            [service] = runner.services
            assert isinstance(service, SlackService)
            await runner.start()
            try:
                await slack.wait_until(lambda: posted(slack, f"note to {company}"), WAIT)
                async with aiohttp.ClientSession() as session:
                    url = f"http://127.0.0.1:{service.port}{EVENTS_PATH}"
                    kim = SlackHarness(slack, service.bot, url, session)
                    assert (await kim.command("rejected", company, user_id="U-kim"))[0] == 200
                    await kim.said(company)
            finally:
                await runner.stop()

    asyncio.run(scenario())
    said = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "serving Slack (HTTP on port" in said
    assert re.search(r"reminder \d+ delivered", said)
    assert company not in said and "Kubernetes" not in said
    assert any(company in r.getMessage() for r in caplog.records)  # at DEBUG: slack_sdk's bodies
    everything = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "xoxb-test" not in everything and SECRET not in everything


def test_a_gateway_closed_for_good_stops_the_process_with_1_for_its_supervisor(
    core, settings, caplog
) -> None:
    caplog.set_level(logging.INFO)

    async def scenario() -> int:
        async with FakeDiscord(guilds=(GUILD_ID,)) as fake:
            configured = replace(
                settings, discord_token="fake-bot-token", discord_api_url=fake.api_base
            )
            with pointed_at(fake):
                runner = Runner(core, configured, "lost", tick=0.05, guild_ready_timeout=0.01)
                serving = asyncio.create_task(runner.serve())
                [service] = runner.services
                assert isinstance(service, DiscordService)
                await fake.ready()  # logged in and identified
                await service.client.wait_until_ready()  # started: what follows is a loss
                await fake.drop_gateway(4004, resumable=False)  # "Authentication failed"
                return await asyncio.wait_for(serving, 30)

    assert asyncio.run(scenario()) == 1
    assert "the Discord gateway connection ended" in caplog.text
    assert "stopped; 0 reminder leases handed back" in caplog.text


def test_a_platform_not_up_in_time_fails_start_up_and_is_closed(
    core, settings, monkeypatch
) -> None:
    """Discord's gateway out of reach: discord.py would try again for ever, and the
    process would neither serve nor stop. It gives up, for its supervisor to retry."""
    nowhere = "ws://127.0.0.1:9/gateway"  # nothing listens on port 9
    monkeypatch.setattr(FakeDiscord, "gateway_url", property(lambda _: nowhere))

    async def scenario() -> None:
        async with FakeDiscord(guilds=(GUILD_ID,)) as fake:
            configured = replace(
                settings, discord_token="fake-bot-token", discord_api_url=fake.api_base
            )
            with pointed_at(fake):
                runner = Runner(core, configured, "late", start_within=1)
                [service] = runner.services
                with pytest.raises(StartFailed, match=r"^Discord did not start within 1 s$"):
                    async with asyncio.timeout(30):  # hanging would fail, not stall the run
                        await runner.start()
                assert service.client.is_closed()

    asyncio.run(scenario())
