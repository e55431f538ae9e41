"""`bounceback run` on Slack, as wired for production: HTTP mode, the ticker, and stop."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp

from adapters.slack.app import EVENTS_PATH
from adapters.slack.service import SlackService
from tests.adapters.slack.harness import SECRET
from tests.conftest import SAM
from tests.helpers import Chat
from tests.scheduler.test_dispatcher import FIRST_DUE, PLAN
from tests.support.fake_slack import FakeSlack, signed_headers, slash_body


def test_http_mode_answers_signed_commands_and_the_ticker_sends_reminders(
    core, settings, clock
) -> None:
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with FakeSlack() as slack:
            configured = replace(
                settings,
                slack_bot_token="xoxb-test",
                slack_signing_secret=SECRET,
                slack_mode="http",
                slack_api_url=slack.api_url,
                port=0,
            )
            service = SlackService(core, configured, "service-test", tick=0.05)
            await service.start()
            try:
                # Warmed up before the port opened: the bot's identity is already known.
                assert [call.method for call in slack.calls][:1] == ["auth.test"]
                await slack.wait_until(
                    lambda: any("note to Acme" in str(c.args) for c in slack.calls)
                )
                # Bolt's clients retry a 429 themselves (Retry-After 0: under a second).
                slack.fail_next("chat.postEphemeral", status=429, retry_after=0)
                body = slash_body("/stats")
                url = f"http://127.0.0.1:{service.port}{EVENTS_PATH}"
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(url, data=body, headers=signed_headers(SECRET, body)) as r,
                ):
                    assert r.status == 200
                replies = await slack.wait_for("chat.postEphemeral", 2)
                assert [call.status for call in replies] == [429, 200]
                assert len(slack.calls_to("auth.test")) == 1
            finally:
                await service.stop()
            shared = service.app.client.session  # one kept-alive session, closed at stop
            assert shared is service.transport.client.session and shared.closed

    asyncio.run(scenario())
