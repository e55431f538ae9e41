"""Slack's side of HTTP mode, for a `bounceback run` serving Slack on a port of its own:
the settings that put it there, against the fake Slack, and requests signed as Slack
signs them. No pytest here: benchmarks/ use it too.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from adapters.slack.app import EVENTS_PATH
from tests.support.fake_slack import (
    FORM_CONTENT_TYPE,
    FakeSlack,
    block_action_body,
    event_payload,
    signed_headers,
    slash_body,
)

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"


@dataclass(frozen=True)
class SlackHttp:
    """Bounceback's Slack app in HTTP mode on `port`, as Slack sees it."""

    port: int
    secret: str = SECRET

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    def settings(self, slack: FakeSlack, token: str = TOKEN) -> dict[str, str]:
        """The environment that serves it there, one workspace's token, the Web API the fake."""
        return {
            "SLACK_BOT_TOKEN": token,
            "SLACK_MODE": "http",
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": slack.api_url,
            "PORT": str(self.port),
        }

    async def signed(
        self, body: bytes, content_type: str | None = None, *, retry: int = 0
    ) -> tuple[int, str]:
        """POST `body` signed with the secret (a form unless told); the ack's status and body.
        With `retry`, as Slack redelivers a request whose ack it did not get in time."""
        headers = signed_headers(self.secret, body, content_type=content_type or FORM_CONTENT_TYPE)
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        data = io.BytesIO(body)  # aiohttp warns of large bodies given as bytes
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=data, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def command(self, name: str, text: str = "", **fields: str) -> tuple[int, str]:
        return await self.signed(slash_body(f"/{name}", text, **fields))

    async def press(self, action_id: str, value: str, **fields: Any) -> tuple[int, str]:
        return await self.signed(block_action_body(action_id, value, **fields))

    async def event(self, event: dict[str, Any]) -> tuple[int, str]:
        return await self.callback(event_payload(event))

    async def callback(self, payload: dict[str, Any], *, retry: int = 0) -> tuple[int, str]:
        """An Events API callback as `payload` has it (its event_id and all)."""
        body = json.dumps(payload).encode()
        return await self.signed(body, content_type="application/json", retry=retry)
