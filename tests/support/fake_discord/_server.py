"""The fake as one server: its sections put together, the aiohttp app that serves
them, and the REST plumbing (auth, routing, recording, errors)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, web

from tests.support.loopback import serve

from ._callbacks import Callbacks
from ._rate_limits import Failures, failure_response, ratelimit_headers
from ._wire import API_VERSION, NO_CONTENT, Call, DiscordError, UploadedFile


class FakeDiscord(Callbacks, Failures):
    """Discord's REST API and gateway on an ephemeral port, for one ``async with`` block.

    State is public for tests to read and arrange: `calls`, `identifies`, `resumes`,
    `gateway_received`, `interactions`, `commands` (guild id or None -> list),
    `messages` (channel id -> messages, oldest first, ephemeral ones left out),
    `users` (id -> fields merged over a default profile), `closed_dms`.

    For benchmarks: `answer_delay` seconds before answering each call that creates a
    message (0 by default), `global_limit` (a `GlobalLimit`, None by default) to answer
    a global 429 beyond the bot's 50 requests a second, and `per_second` and
    `rate_limited` to count what came in, by each call's `received_at`.
    """

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", f"/api/v{API_VERSION}/{{tail:.*}}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._misrouted)
        self._runner, self._port = await serve(app)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for connection in list(self._connections):
            connection.dropped = True
            await connection.ws.close(code=1001, message=b"fake Discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(
            request.method, path, None, dict(request.headers), dict(request.query), **arrived()
        )
        try:
            body, files = await read_body(request)
            call = dataclasses.replace(call, json=body, files=files, **arrived())
            if failure := self._take_failure(call):
                status, answer, headers = failure_response(failure, path)
            else:
                status, answer = 200, await self._route(call)
                headers = ratelimit_headers(request.method, path)
                if self.answer_delay > 0 and creates_message(call):
                    await asyncio.sleep(self.answer_delay)  # stored, and answered later
        except DiscordError as error:
            status, answer, headers = error.status, error.body, {"Via": "1.1 google"}
        except Exception as error:  # a bug in the fake: say so, in a status not retried
            message = f"fake Discord failed on {call.method} {path}: {error!r}"
            status, answer, headers = 400, {"message": message, "code": 0}, {}
        if answer is NO_CONTENT:
            status, answer = 204, None
        await self._record(dataclasses.replace(call, status=status, answer=answer))
        if status == 204:
            return web.Response(status=204, headers=headers)
        return json_response(answer, status, headers)

    async def _misrouted(self, request: web.Request) -> web.Response:
        message = f"fake Discord has no {request.path} (set Route.BASE to the fake's api_base)"
        return json_response({"message": message, "code": 0}, 404)

    async def _route(self, call: Call) -> Any:
        allowed = False
        for method, pattern, handler, needs_auth in self._routes:
            match = pattern.fullmatch(call.path)
            if match is None:
                continue
            allowed = True
            if method != call.method:
                continue
            if needs_auth:
                self._check_auth(call)
            return await handler(call, **match.groupdict())
        if allowed:
            raise DiscordError(405, 0, "405: Method Not Allowed")
        raise DiscordError(
            404, 0, f"404: Not Found (fake Discord has no {call.method} {call.path})"
        )

    def _check_auth(self, call: Call) -> None:
        scheme, _, token = call.headers.get("Authorization", "").partition(" ")
        if scheme != "Bot" or not token or (self.token is not None and token != self.token):
            raise DiscordError(401, 0, "401: Unauthorized")

    @cached_property
    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Awaitable[Any]], bool]]:
        """(method, path regex, handler, needs a bot token); webhooks use their token."""
        app = r"/applications/(?P<application_id>\d+)"
        channel = r"/channels/(?P<channel_id>\d+)"
        webhook = r"/webhooks/(?P<application_id>\d+)/(?P<token>[^/]+)"
        interaction = r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)"
        table: list[tuple[str, str, Callable[..., Awaitable[Any]], bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/oauth2/applications/@me", self._get_application, True),
            ("GET", r"/applications/@me", self._get_application, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", r"/users/(?P<user_id>\d+)", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", channel, self._get_channel, True),
            ("POST", channel + "/typing", self._typing, True),
            ("GET", channel + "/messages", self._list_messages, True),
            ("POST", channel + "/messages", self._post_message, True),
            ("GET", channel + r"/messages/(?P<message_id>\d+)", self._get_message, True),
            ("PATCH", channel + r"/messages/(?P<message_id>\d+)", self._edit_message, True),
            ("DELETE", channel + r"/messages/(?P<message_id>\d+)", self._delete_message, True),
            ("GET", r"/guilds/(?P<guild_id>\d+)", self._get_guild, True),
            ("GET", r"/guilds/(?P<guild_id>\d+)/members/(?P<user_id>\d+)", self._get_member, True),
            ("GET", app + "/commands", self._get_commands, True),
            ("PUT", app + "/commands", self._put_commands, True),
            ("POST", app + "/commands", self._post_command, True),
            ("DELETE", app + r"/commands/(?P<command_id>\d+)", self._delete_command, True),
            ("GET", app + r"/guilds/(?P<guild_id>\d+)/commands", self._get_commands, True),
            ("PUT", app + r"/guilds/(?P<guild_id>\d+)/commands", self._put_commands, True),
            ("POST", interaction + "/callback", self._callback, False),
            ("POST", webhook, self._followup, False),
            ("GET", webhook + r"/messages/(?P<message_id>@original|\d+)", self._hook_get, False),
            ("PATCH", webhook + r"/messages/(?P<message_id>@original|\d+)", self._hook_edit, False),
            ("DELETE", webhook + r"/messages/(?P<message_id>@original|\d+)", self._hook_del, False),
        ]
        return [(m, re.compile(p), h, auth) for m, p, h, auth in table]


def arrived() -> dict[str, float]:
    """A call's `received_at`: now, and again once its body is read, which may take a while."""
    return {"received_at": time.time()}


_CREATES_MESSAGE = re.compile(r"/channels/\d+/messages|/webhooks/\d+/[^/]+")


def creates_message(call: Call) -> bool:
    """A channel message or an interaction's follow-up: what `answer_delay` slows."""
    return call.method == "POST" and bool(_CREATES_MESSAGE.fullmatch(call.path))


async def read_body(request: web.Request) -> tuple[Any, tuple[UploadedFile, ...]]:
    """The JSON body, or a multipart body's ``payload_json`` and its files."""
    if not request.can_read_body:
        return None, ()
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            else:
                files.append(
                    UploadedFile(part.name or "", part.filename or "", bytes(await part.read()))
                )
        return payload, tuple(files)
    raw = await request.read()
    if not raw:
        return None, ()
    if request.content_type != "application/json":
        raise DiscordError(400, 50109, "The request body contains invalid JSON.")
    try:
        return json.loads(raw), ()
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """JSON with Content-Type exactly ``application/json``: discord.py reads text otherwise."""
    all_headers = {**(headers or {}), "Content-Type": "application/json"}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)
