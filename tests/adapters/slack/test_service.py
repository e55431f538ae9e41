"""The Slack service as `bounceback run` wires it: HTTP mode, /healthz beside the events,
and a drain that answers what was accepted before the port closed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from adapters.runner import HEALTH_PATH, health_route
from adapters.slack.app import EVENTS_PATH
from adapters.slack.service import SlackService
from bot.store.database import make_engine, sqlite_url
from scheduler.ticker import record_tick
from tests.adapters.held import HeldSlack
from tests.adapters.slack.harness import SECRET, http_mode
from tests.support.fake_slack import FakeSlack, signed_headers, slash_body


async def command(service: SlackService, name: str, text: str = "") -> int:
    body = slash_body(f"/{name}", text)
    url = f"http://127.0.0.1:{service.port}{EVENTS_PATH}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=signed_headers(SECRET, body)) as answer,
    ):
        return answer.status


async def health(service: SlackService) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{service.port}{HEALTH_PATH}"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.json()


def test_http_mode_answers_signed_commands_on_one_kept_alive_session(core, settings) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            service = SlackService(core, http_mode(settings, slack))
            assert await service.start() == f"HTTP on port {service.port}"
            try:
                # Before the port opened: the token checked, then the bot's identity
                # learnt by Bolt in a warm-up request; none asked for again per request.
                assert [call.method for call in slack.calls] == ["auth.test", "auth.test"]
                # Bolt's clients retry a 429 themselves (Retry-After 0: under a second).
                slack.fail_next("chat.postEphemeral", status=429, retry_after=0)
                assert await command(service, "stats") == 200
                replies = await slack.wait_for("chat.postEphemeral", 2)
                assert [call.status for call in replies] == [429, 200]
                assert len(slack.calls_to("auth.test")) == 2
            finally:
                await service.stop()
            shared = service.app.client.session  # one kept-alive session, closed at stop
            assert shared is service.transport.client.session and shared.closed

    asyncio.run(scenario())


def test_drain_closes_the_port_and_answers_what_was_accepted(core, settings) -> None:
    async def scenario() -> None:
        async with HeldSlack("chat.postEphemeral") as slack:
            service = SlackService(core, http_mode(settings, slack))
            await service.start()
            try:
                assert await command(service, "help") == 200  # acked; its answer held
                await slack.gate.holding()
                draining = asyncio.create_task(service.drain())
                slack.gate.open()
                await asyncio.wait_for(draining, 30)  # returns once the answer is through
                assert [call.status for call in slack.calls_to("chat.postEphemeral")] == [200]
                with pytest.raises(aiohttp.ClientConnectionError):
                    await command(service, "help")  # the port is closed
            finally:
                await service.close()

    asyncio.run(scenario())


def test_healthz_beside_the_events_says_the_last_tick_and_503_without_a_database(
    core, settings, clock, tmp_path: Path
) -> None:
    unreachable = make_engine(sqlite_url(tmp_path / "no such folder" / "bounceback.db"))

    async def scenario() -> None:
        async with FakeSlack() as slack:
            configured = http_mode(settings, slack)
            routes = [health_route(core.engine, "w1", clock)]
            service = SlackService(core, configured, routes=routes)
            await service.start()
            try:
                assert await health(service) == (
                    200,
                    {"database": "ok", "worker": "w1", "last_tick_age": None},
                )
                record_tick(core.engine, "w1", clock.now - timedelta(seconds=4))
                assert (await health(service))[1]["last_tick_age"] == 4.0
                assert await command(service, "help") == 200  # the same port
            finally:
                await service.stop()
            routes = [health_route(unreachable, "w1", clock)]
            service = SlackService(core, configured, routes=routes)
            await service.start()
            try:
                assert await health(service) == (503, {"database": "unreachable"})
            finally:
                await service.stop()

    asyncio.run(scenario())
    unreachable.dispose()
