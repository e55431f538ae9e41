"""The real Bolt app served over HTTP on 127.0.0.1, talking to the fake Slack.

Requests are signed as Slack signs them; a test reads like what a member
does in Slack (a slash command, a button, a modal, a DM) and checks the Web
API calls the app made in answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import EVENTS_PATH, SlackBot, build_app
from adapters.slack.transport import SlackTransport
from bot.config import Settings
from bot.conversation.commands import SLACK
from bot.conversation.core import Bounceback, Clock
from bot.conversation.dm_channels import DmChannels
from bot.conversation.registry import typed
from bot.reminders.delivery import Delivery
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.support.fake_slack import (
    FakeSlack,
    block_action_body,
    event_payload,
    signed_headers,
    slash_body,
    view_submission_body,
)

SECRET = "test-signing-secret"


@dataclass
class SlackHarness:
    slack: FakeSlack
    bot: SlackBot
    url: str
    session: aiohttp.ClientSession

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.text()

    async def signed(self, body: bytes, content_type: str | None = None) -> tuple[int, str]:
        headers = (
            signed_headers(SECRET, body)
            if content_type is None
            else signed_headers(SECRET, body, content_type=content_type)
        )
        return await self.post(body, headers)

    async def command(self, name: str, text: str = "", **fields: str) -> tuple[int, str]:
        """As a member types it in Slack: `/win ...`, or `/bounceback settings ...`."""
        typed_ = f"{typed(name, SLACK)} {text}".strip()
        command, _, text = typed_.partition(" ")
        return await self.slash(command, text, **fields)

    async def slash(self, command: str, text: str = "", **fields: str) -> tuple[int, str]:
        """Exactly the slash command given, e.g. "/bounceback" with no text."""
        return await self.signed(slash_body(command, text, **fields))

    async def press(self, action_id: str, value: str, **fields: Any) -> tuple[int, str]:
        return await self.signed(block_action_body(action_id, value, **fields))

    async def submit(self, callback_id: str, values: dict[str, str]) -> tuple[int, str]:
        state = {name: {"value": value} for name, value in values.items()}
        return await self.signed(view_submission_body(callback_id, state))

    async def dm(self, text: str, *, user: str = "U-sam") -> tuple[int, str]:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": "1700000000.000200",
        }
        return await self.event(event)

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        body = json.dumps(event_payload(event)).encode()
        return await self.signed(body, content_type="application/json")

    async def said(self, snippet: str, method: str = "chat.postMessage") -> dict[str, Any]:
        """The first message (text or blocks) containing `snippet`, once it is posted."""

        def found() -> dict[str, Any] | None:
            return next((args for args in self.posted(method) if snippet in _shown(args)), None)

        await self.slack.wait_until(lambda: found() is not None)
        message = found()
        assert message is not None
        return message

    def posted(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        return [call.args for call in self.slack.calls_to(method)]

    def texts(self, method: str = "chat.postMessage") -> str:
        return "\n".join(str(args.get("text", "")) for args in self.posted(method))


@asynccontextmanager
async def slack_app(core: Bounceback) -> AsyncIterator[SlackHarness]:
    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
        app, bot = build_app(core, client, signing_secret=SECRET)
        runner = web.AppRunner(app.web_app(path=EVENTS_PATH))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as session:
                yield SlackHarness(slack, bot, f"http://127.0.0.1:{port}{EVENTS_PATH}", session)
        finally:
            await bot.finish()
            await runner.cleanup()


def _shown(args: dict[str, Any]) -> str:
    """Everything a member would read in a posted message: its text and its blocks."""
    return f"{args.get('text', '')}\n{json.dumps(args.get('blocks', []), ensure_ascii=False)}"


def http_mode(settings: Settings, slack: FakeSlack) -> Settings:
    """One workspace over HTTP against `slack`, on a port the system picks."""
    return replace(
        settings,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_mode="http",
        slack_api_url=slack.api_url,
        port=0,
    )


def dispatcher_for(core: Bounceback, client: AsyncWebClient, clock: Clock) -> Dispatcher:
    """The scheduler delivering through the Slack transport on `client`, unpaced, with
    DM channels of its own (as another process's)."""
    return Dispatcher(
        Outbox(core.engine, "slack-test"),
        Delivery(core.engine, core.playbook),
        {"slack": SlackTransport(client, dm_channels=DmChannels(core.engine))},
        RateLimits.unlimited(),
        clock,
    )
