"""Running Bounceback on Slack: the Bolt app in Socket Mode or over HTTP, and the
transport the scheduler delivers reminders through (the runner owns the scheduler)."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import EVENTS_PATH, PLATFORM, build_app
from adapters.slack.install import WEB_API_LOG, oauth_settings
from adapters.slack.transport import SlackTransport
from bot.config import ConfigError, Settings
from bot.conversation.core import Bounceback

log = logging.getLogger(__name__)

# A message in a channel: Bolt authorizes it, runs its middleware and matches it to the
# DM listener, which ignores it. Nothing is posted or stored. Socket Mode's form, as
# it comes from no HTTP request, so there is no signature to check.
_WARM_UP = {
    "type": "event_callback",
    "team_id": "T-warm-up",
    "event": {
        "type": "message",
        "channel_type": "channel",
        "channel": "C-warm-up",
        "user": "U-warm-up",
        "text": "",
        "ts": "0.000000",
    },
}

_OURS = tuple(
    Path(__file__).resolve().parents[2] / name for name in ("adapters", "bot", "scheduler")
)
_LONGEST_TIME = 12  # digits in a Unix time, for thousands of years yet

# What auth.test answers for a token that will never work.
_REFUSED_TOKEN = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
}


class SlackService:
    """Start, drain and close; between start and drain, Slack's events are answered.

    `routes` join /slack/events on the same aiohttp app in HTTP mode (the runner's
    /healthz), so a load balancer probes the very port Slack posts to.
    """

    platform = "slack"

    def __init__(
        self, core: Bounceback, settings: Settings, *, routes: Iterable[web.RouteDef] = ()
    ) -> None:
        self.core = core
        self.settings = settings
        self.routes = list(routes)
        oauth = oauth_settings(settings, core.engine) if settings.slack_oauth else None
        # Installed by many workspaces, the clients hold no token of their own: Bolt gives
        # each request a copy holding its workspace's, the transport each reminder one.
        token = None if oauth is not None else settings.slack_bot_token
        installations = None if oauth is None else oauth.installation_store
        client = self._client(token)
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
        client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=2))  # a blip
        secret = settings.slack_signing_secret if settings.slack_mode == "http" else None
        self.app, self.bot = build_app(
            core,
            client,
            signing_secret=secret,
            installation_store=installations,
            oauth_settings=oauth,
        )
        self.app.error(_malformed_is_400)
        # The transport's client retries nothing itself: the outbox reschedules on a 429.
        self.transport = SlackTransport(
            self._client(token), bots=installations, dm_channels=self.bot.dm_channels
        )
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> str:
        """Serve, and say where: Socket Mode, or HTTP on which port."""
        # One session for every Web API call, Bolt's per-request clients included: kept-alive
        # connections, not a new TCP (and TLS) handshake per call.
        self._session = aiohttp.ClientSession()
        for client in (self.app.client, self.transport.client):
            client.session = self._session
        await self._warm_up()
        if self.settings.slack_mode == "socket":
            self._socket = AsyncSocketModeHandler(
                self.app, self.settings.slack_app_token, web_client=self.app.client
            )
            await self._socket.connect_async()
            return "Socket Mode"
        web_app = self.app.web_app(path=EVENTS_PATH)
        signed_only = _signed_only(self.settings.slack_signing_secret)
        web_app.middlewares.extend((signed_only, _unreadable_is_400, self.bot.acks_first))
        web_app.router.add_routes(self.routes)
        self._runner = web.AppRunner(web_app)
        await self._runner.setup()
        await web.TCPSite(self._runner, port=self.settings.port).start()
        self.port = next(a[1] for a in self._runner.addresses if len(a) == 2)  # IPv4
        return f"HTTP on port {self.port}"

    async def _warm_up(self) -> None:
        """Before the port opens: the first burst of commands would otherwise each wait,
        before its ack, for the bot's identity (auth.test in a one-workspace install)."""
        if not self.settings.slack_oauth:
            await self._check_token()
            await self.app.async_dispatch(AsyncBoltRequest(body=_WARM_UP, mode="socket_mode"))

    async def _check_token(self) -> None:
        """A token Slack refuses stops start-up with the reason, instead of every
        command failing later in a log."""
        try:
            await self.transport.client.auth_test()  # the app's client holds no token
        except SlackApiError as error:
            if (code := error.response.get("error")) in _REFUSED_TOKEN:
                raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({code})") from None
            raise

    async def replay(self, received_before: datetime) -> None:
        """Answer the events acknowledged before then and never applied."""
        waiting = await asyncio.to_thread(self.core.unsettled, PLATFORM, received_before)
        self.bot.replay(waiting, self.transport.client_for)

    async def lost(self) -> str:
        """Never returns: the HTTP server does not end on its own, and Socket Mode
        reconnects by itself."""
        never: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        return await never

    async def drain(self) -> None:
        """Take no new event (the socket or the port closes), and answer those accepted."""
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()  # waits for requests under way: their acks
        await self.bot.finish()

    async def close(self) -> None:
        """After the drain, and after the scheduler's last send through the transport."""
        await self._session.close()

    async def stop(self) -> None:
        await self.drain()
        await self.close()

    def _client(self, token: str | None) -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=self.settings.slack_api_url, logger=WEB_API_LOG)


def _signed_only(secret: str) -> Middleware:
    """A request to /slack/events not signed with `secret` gets 401 before Bolt sees it:
    Bolt's own check answers a timestamp that is no number with a 500 and a traceback,
    and logs each unsigned body whole. Anyone can send these: each costs one access line."""
    verifier = SignatureVerifier(secret)

    @web.middleware
    async def signed_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != EVENTS_PATH:
            return await handler(request)
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        readable = timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _LONGEST_TIME
        if not (readable and verifier.is_valid(await request.read(), timestamp, signature)):
            return web.json_response({"error": "invalid request"}, status=401)  # as Bolt's
        return await handler(request)

    return signed_only


async def _malformed_is_400(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's own middleware reads a body as Slack shapes it, and a signed one shaped
    otherwise (an event that is a string) fails there, before any code of ours: a 400 and
    one line. An error in our code keeps Bolt's answer, a 500, and logs its traceback."""
    if response is None or _raised_in_our_code(error):
        log.error("slack: our code failed on a request", exc_info=error)
        return None
    log.warning("slack: refused a request Bolt could not read (%s)", type(error).__name__)
    return BoltResponse(status=400, body={"error": "unreadable request"})


def _raised_in_our_code(error: BaseException) -> bool:
    files = {Path(frame.filename).resolve() for frame in traceback.extract_tb(error.__traceback__)}
    return any(file.is_relative_to(ours) for file in files for ours in _OURS)


@web.middleware
async def _unreadable_is_400(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A body Bolt cannot even read (not JSON, a payload of the wrong shape) fails in
    Bolt's parsing, before any listener: a 400 and one line, not a 500 and a traceback.
    Slack never sends such bodies; whoever did learns only that it was refused."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        if request.path != EVENTS_PATH:
            raise
        log.warning("slack: refused a request Bolt could not read (%s)", type(error).__name__)
        return web.json_response({"error": "unreadable request"}, status=400)
