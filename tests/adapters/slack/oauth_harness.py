"""Bounceback installed by several workspaces, served as in production against the fake.

`served` runs `SlackService` in HTTP mode with OAuth: a test installs workspaces
through the real /slack/install and /slack/oauth_redirect, sends signed commands
and events as any of them, and ticks a dispatcher sending through the service's
transport, as the runner's does.

slack_sdk sends oauth.v2.access with aiohttp.BasicAuth, which aiohttp 3.14 deprecates;
pytest turns warnings into errors, so the tests that run the redirect ignore exactly
that DeprecationWarning (the OAUTH_ACCESS mark) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from cryptography.fernet import Fernet

from adapters.slack.app import EVENTS_PATH
from adapters.slack.install import INSTALL_PATH, REDIRECT_PATH
from adapters.slack.service import SlackService
from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.reminders.delivery import Delivery
from scheduler.dispatcher import Dispatcher
from scheduler.outbox import Outbox
from scheduler.rate_limit import RateLimits
from tests.adapters.slack.harness import SECRET
from tests.support.fake_slack import (
    FORM_CONTENT_TYPE,
    Args,
    FakeSlack,
    event_payload,
    signed_headers,
    slash_body,
)

KEY = Fernet.generate_key().decode()
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
OAUTH_ACCESS = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


def oauth_fields(**changes: Any) -> dict[str, Any]:
    """The Settings fields of an app installed through OAuth, in HTTP mode."""
    fields: dict[str, Any] = {
        "slack_mode": "http",
        "slack_signing_secret": SECRET,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_encryption_key": KEY,
        "port": 0,
    }
    return fields | changes


class Workspaces(FakeSlack):
    """The fake Slack for several workspaces: auth.test answers for the token's own
    workspace (tokens are `xoxb-<team>-<code>`), and installs go to `team_id`."""

    def _auth_test(self, args: Args, token: str | None) -> Args:
        answer = super()._auth_test(args, token)
        answer["team_id"] = (token or "").split("-")[1]
        return answer


@dataclass
class Served:
    slack: Workspaces
    service: SlackService
    session: aiohttp.ClientSession
    dispatcher: Dispatcher

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.service.port}"

    async def start_install(self) -> tuple[str, str]:
        """GET /slack/install: the redirect to Slack and the state cookie it sets."""
        async with self.session.get(self.base + INSTALL_PATH, allow_redirects=False) as r:
            assert r.status == 302
            cookie = SimpleCookie(r.headers["Set-Cookie"])
            return r.headers["Location"], cookie["slack-app-oauth-state"].value

    async def finish_install(
        self, code: str, state: str, cookie: str | None = None
    ) -> tuple[int, str]:
        """Slack sends the installer back to /slack/oauth_redirect with a code."""
        headers = {"Cookie": f"slack-app-oauth-state={state if cookie is None else cookie}"}
        url = f"{self.base}{REDIRECT_PATH}?code={code}&state={state}"
        async with self.session.get(url, headers=headers, allow_redirects=False) as r:
            return r.status, await r.text()

    async def install(self, team: str, code: str) -> None:
        self.slack.team_id = team
        _, state = await self.start_install()
        status, page = await self.finish_install(code, state)
        assert status == 200, page

    async def command(self, name: str, text: str = "", **fields: str) -> tuple[int, str]:
        return await self._post(slash_body(f"/{name}", text, **fields))

    async def event(self, event: Args, team_id: str) -> tuple[int, str]:
        """An Events API callback from `team_id`; its listener's work is done on return."""
        answer = await self._post(
            json.dumps(event_payload(event, team_id=team_id)).encode(), "application/json"
        )
        await self.service.bot.settled()
        return answer

    async def press(self, payload: Args) -> tuple[int, str]:
        """A button press as `payload` has it; its listener's work is done on return."""
        answer = await self._post(urlencode({"payload": json.dumps(payload)}).encode())
        await self.service.bot.settled()
        return answer

    async def _post(self, body: bytes, content_type: str = FORM_CONTENT_TYPE) -> tuple[int, str]:
        headers = signed_headers(SECRET, body, content_type=content_type)
        async with self.session.post(self.base + EVENTS_PATH, data=body, headers=headers) as r:
            return r.status, await r.text()

    def tokens(self, method: str) -> list[str | None]:
        return [call.token for call in self.slack.calls_to(method)]


@asynccontextmanager
async def served(core: Bounceback, settings: Settings) -> AsyncIterator[Served]:
    async with Workspaces() as slack:
        configured = replace(settings, **oauth_fields(slack_api_url=slack.api_url))
        service = SlackService(core, configured)
        dispatcher = Dispatcher(
            Outbox(core.engine, "install-test"),
            Delivery(core.engine, core.playbook),
            {"slack": service.transport},
            RateLimits(),
            core.clock,
        )
        await service.start()
        try:
            async with aiohttp.ClientSession() as session:
                yield Served(slack, service, session, dispatcher)
        finally:
            await service.stop()
