"""Socket Mode: the same app, reached through a WebSocket instead of signed HTTP."""

from __future__ import annotations

import asyncio

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from tests.support.fake_slack import FakeSlack, event_payload, slash_payload


def test_a_slash_command_and_a_dm_arrive_through_the_socket(core) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
            app, _ = build_app(core, client)
            handler = AsyncSocketModeHandler(app, app_token="xapp-test", web_client=client)
            try:
                await handler.connect_async()
                envelope = await slack.socket_send(
                    "slash_commands", slash_payload("/rejected", "Acme")
                )
                assert "payload" not in await slack.acked(envelope)  # an empty ack, at once
                await slack.wait_until(lambda: _said(slack, "How are you feeling"))
                message = {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "DU-sam",
                    "user": "U-sam",
                    "text": "Disappointed",
                    "ts": "1700000000.1",
                }
                await slack.socket_send("events_api", event_payload(message))
                await slack.wait_until(lambda: _said(slack, "how far did you get"))
            finally:
                await handler.close_async()

    asyncio.run(scenario())


def _said(slack: FakeSlack, snippet: str) -> bool:
    return any(snippet in str(call.args) for call in slack.calls_to("chat.postMessage"))
