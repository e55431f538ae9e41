"""Socket Mode: the same app, reached through a WebSocket instead of signed HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.blocks import CHOICE_ACTION, FORM_BUTTON
from tests.support.fake_slack import (
    FakeSlack,
    block_action_payload,
    event_payload,
    slash_payload,
    view_submission_payload,
)


def test_commands_dms_buttons_and_modals_arrive_through_the_socket(core) -> None:
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

                stage = block_action_payload(f"{CHOICE_ACTION}:2", "interview", channel_id="DU-sam")
                assert "payload" not in await slack.acked(
                    await slack.socket_send("interactive", stage)
                )
                await slack.wait_until(lambda: _said(slack, "Let's note down the facts"))
                asking = slack.calls_to("chat.postMessage")[-1].args
                form = asking["blocks"][-1]["elements"][0]["value"]
                opening = block_action_payload(FORM_BUTTON, form, channel_id="DU-sam")
                await slack.socket_send("interactive", opening)
                [opened] = await slack.wait_for("views.open")

                callback = opened.args["view"]["callback_id"]
                facts = {"company": "Acme", "role": "Analyst", "contact_name": "Jane Doe"}
                wrong = {**facts, "heard_on": "next year", "reason": ""}
                envelope = await slack.socket_send("interactive", _submitted(callback, wrong))
                answer = (await slack.acked(envelope))["payload"]
                assert answer["response_action"] == "errors" and set(answer["errors"]) == {
                    "heard_on"
                }
                right = {**facts, "heard_on": "yesterday", "reason": ""}
                envelope = await slack.socket_send("interactive", _submitted(callback, right))
                assert "payload" not in await slack.acked(envelope)  # the modal closes
                await slack.wait_until(lambda: _said(slack, "Noted: Analyst at Acme"))
            finally:
                await handler.close_async()

    asyncio.run(scenario())


def _submitted(callback_id: str, values: dict[str, str]) -> dict[str, Any]:
    return view_submission_payload(
        callback_id, {name: {"value": value} for name, value in values.items()}
    )


def _said(slack: FakeSlack, snippet: str) -> bool:
    return any(snippet in str(call.args) for call in slack.calls_to("chat.postMessage"))
