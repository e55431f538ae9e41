"""A fake Slack on 127.0.0.1 (Web API, ``response_url``s and Socket Mode) for the real clients.

The Slack adapter is tested through the real slack_bolt app and slack_sdk clients,
because Slack bugs live in how those are wired (base URLs, retry handlers, acks,
signatures) and a mock of our own calls would hide exactly that. The test
machines have no internet, and tests must never reach slack.com anyway. So this
module plays Slack's side in-process with aiohttp: the Web API methods a bot
uses, recorded and able to answer 429 or 500 on request; ``response_url``s; a
Socket Mode WebSocket that pushes envelopes and collects acks; and, for HTTP mode,
request signing and the bodies Slack posts for slash commands and interactions.

    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)

Behaviours copied from Slack because code can get them wrong: every method wants
the bot scope Slack documents for it, and a token granted less (by default, just
the manifest's BOT_SCOPES) gets ``missing_scope`` naming what was ``needed`` and
what was ``provided``; ``conversations.history`` returns message metadata only with
``include_all_metadata``; ``apps.connections.open`` wants the app-level ``xapp-``
token and other methods refuse it. Any other path
answers a 404 naming the problem (a ``base_url`` without ``/api/``). Stop Socket
Mode clients before leaving the ``async with``, or they keep trying to reconnect.

For benchmarks, ``FakeSlack(latency=0.1)`` answers each Web API call 100 ms after it
arrived, as Slack takes 50-300 ms, and every `Call` notes when it arrived, so
`per_second` can count a method's calls per token (a workspace's bot) and second.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

from aiohttp import WSCloseCode, WSMsgType, web

from adapters.slack.manifest import BOT_SCOPES
from tests.support.loopback import HOST, serve

TEAM_ID = "T1"
TEAM_NAME = "Bounceback Test"
TEAM_DOMAIN = "bounceback-test"
APP_ID = "A-bounceback"
BOT_ID = "B-bounceback"
BOT_USER_ID = "U-bounceback"
USER_ID = "U-sam"
USER_NAME = "sam"
CHANNEL_ID = "C-general"
CHANNEL_NAME = "general"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
DEFAULT_TIMEOUT = 5.0
# Arguments slack_sdk sends as JSON text inside form bodies; decoded before recording.
JSON_ARGS = frozenset({"attachments", "blocks", "metadata", "view"})

Args = dict[str, Any]

# The bot scope each served method needs (None: any token of the app will do).
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "conversations.open": "im:write",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "users.info": "users:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "apps.connections.open": None,  # connections:write, on the app-level token itself
    "oauth.v2.access": None,  # the client id and secret, no token
}
# conversations.history needs the scope of the conversation's kind, read from its id.
HISTORY_SCOPES = {"C": "channels:history", "G": "groups:history", "D": "im:history"}


@dataclass(frozen=True)
class Call:
    """One Web API request: its arguments (token removed), what the fake answered, and
    when it arrived (``time.time()``)."""

    method: str
    args: Args
    token: str | None
    status: int = 200
    error: str | None = None
    at: float = 0.0


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a ``response_url`` handed out by `FakeSlack.response_url`."""

    url: str
    body: Args
    status: int = 200


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int
    error: str


class SlackError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **details: str) -> None:
        super().__init__(error)
        self.error = error
        self.details = details  # further fields of the answer, e.g. missing_scope's


class FakeSlack:
    """Slack's Web API and Socket Mode on an ephemeral port, for one ``async with`` block.

    State is public for tests to read and arrange: `calls`, `responses`, `messages`
    (per channel, oldest first), `views`, `home_tabs`, `acks`, and `users`, whose
    entries are merged over a default profile by ``users.info``.
    """

    def __init__(
        self,
        *,
        team_id: str = TEAM_ID,
        team_name: str = TEAM_NAME,
        app_id: str = APP_ID,
        bot_id: str = BOT_ID,
        bot_user_id: str = BOT_USER_ID,
        scopes: Iterable[str] = BOT_SCOPES,
        latency: float = 0.0,
    ) -> None:
        self.team_id = team_id
        self.latency = latency  # seconds before each Web API call is answered
        self.scopes = frozenset(scopes)  # granted to every bot and user token
        self.team_name = team_name
        self.app_id = app_id
        self.bot_id = bot_id
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self._recorded = asyncio.Condition()
        self.responses: list[ResponsePost] = []
        self.users: dict[str, Args] = {}
        self.messages: dict[str, list[Args]] = {}
        self.views: dict[str, Args] = {}
        self.home_tabs: dict[str, Args] = {}
        self.acks: dict[str, Args] = {}
        self.socket_received: list[Any] = []
        self.socket_connections = 0
        self._failures: dict[str, list[_Failure]] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_changed = asyncio.Condition()
        self._ack_events: dict[str, asyncio.Event] = {}
        self._methods: dict[str, Callable[[Args, str | None], Args]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "apps.connections.open": self._apps_connections_open,
            "oauth.v2.access": self._oauth_v2_access,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        self.files: dict[str, Args] = {}  # file id -> name, content, channel (once shared)
        self.files_ready = True  # False: as Slack still processing them, no image shows

    # ---- lifecycle and addresses

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_route("*", "/{tail:.*}", self._misrouted)
        self._runner, self._port = await serve(app)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake Slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/``; only while the server runs."""
        if self._port is None:
            raise RuntimeError("FakeSlack is not running: use it as `async with FakeSlack()`")
        return f"http://{HOST}:{self._port}/"

    @property
    def api_url(self) -> str:
        """The ``base_url`` for slack_sdk's web clients; it ends with ``/`` as they need."""
        return f"{self.base_url}api/"

    @property
    def socket_url(self) -> str:
        """What ``apps.connections.open`` answers: this fake's Socket Mode endpoint."""
        return f"ws://{HOST}:{self._port}/socket"

    def response_url(self) -> str:
        """A fresh ``response_url``; POSTs to it land in `responses`."""
        return f"{self.base_url}response/{next(self._ids)}"

    # ---- what tests arrange and read

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 3,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with an error instead of serving them.

        429 carries ``Retry-After: retry_after`` (whole seconds: slack_sdk's retry
        handler does ``int()`` on it) and error "ratelimited"; other statuses answer
        "internal_error", or `error` (with status=200, a plain Slack API error such
        as "channel_not_found"). ``method`` may be "response_url" for those URLs.
        The failed attempts are recorded like any other call.
        """
        if error is None:
            error = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        failure = _Failure(status, retry_after, error)
        self._failures.setdefault(method, []).extend([failure] * times)

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of `method`, failed attempts included, oldest first."""
        return [call for call in self.calls if call.method == method]

    def per_second(self, method: str) -> Counter[tuple[str | None, int]]:
        """How many calls of `method` arrived with each token in each wall-clock second
        (``int(time.time())``), failed attempts included: a workspace's rate as Slack sees it."""
        return Counter((call.token, int(call.at)) for call in self.calls_to(method))

    async def wait_for(
        self, method: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[Call]:
        """Once `count` calls of `method` are in: Bolt's listeners run after the ack."""
        await self.wait_until(lambda: len(self.calls_to(method)) >= count, timeout)
        return self.calls_to(method)

    async def wait_until(self, check: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT) -> None:
        """Once `check` holds, looked at after every recorded call."""
        async with self._recorded:
            await asyncio.wait_for(self._recorded.wait_for(check), timeout)

    async def _record(self, call: Call) -> None:
        async with self._recorded:
            self.calls.append(call)
            self._recorded.notify_all()

    # ---- Socket Mode

    async def wait_connected(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until `count` Socket Mode connections have been accepted (and greeted)."""
        await self._wait_socket(lambda: self.socket_connections >= count, timeout)

    async def socket_send(
        self,
        envelope_type: str,
        payload: Args,
        *,
        accepts_response_payload: bool | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> str:
        """Push an envelope ("slash_commands", "interactive", "events_api"); return its id.

        Waits up to `timeout` for a client to be connected, and sends to the newest one.
        """
        ws = await self._open_socket(timeout)
        envelope_id = str(uuid.uuid4())
        envelope: Args = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload}
        if envelope_type == "events_api":
            envelope |= {"retry_attempt": 0, "retry_reason": ""}
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope["accepts_response_payload"] = accepts_response_payload
        self._ack_events[envelope_id] = asyncio.Event()
        await ws.send_json(envelope)
        return envelope_id

    async def acked(self, envelope_id: str, timeout: float = DEFAULT_TIMEOUT) -> Args:
        """The client's ack of an envelope: ``{"envelope_id": ..., "payload": ...}``.

        The payload is absent when the client acked with no body.
        """
        event = self._ack_events.get(envelope_id)
        if event is None:
            raise KeyError(f"no envelope {envelope_id!r} was sent")
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            raise TimeoutError(f"envelope {envelope_id} was not acked within {timeout}s") from None
        return self.acks[envelope_id]

    async def socket_disconnect(
        self, reason: str = "refresh_requested", timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Ask the connected client to reconnect, as Slack does every few hours."""
        ws = await self._open_socket(timeout)
        await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})

    async def socket_drop(self) -> None:
        """Close every Socket Mode connection without a word, as a network failure does."""
        for ws in self._live_sockets():
            await ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"fake Slack dropped it")

    async def _open_socket(self, timeout: float) -> web.WebSocketResponse:
        await self._wait_socket(lambda: bool(self._live_sockets()), timeout)
        return self._live_sockets()[-1]

    def _live_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._sockets if not ws.closed]

    async def _wait_socket(self, ready: Callable[[], bool], timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout), self._socket_changed:
                await self._socket_changed.wait_for(ready)
        except TimeoutError:
            raise TimeoutError(
                f"no Socket Mode client connected within {timeout}s "
                f"({self.socket_connections} connections so far)"
            ) from None

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=2.0)  # answers the client's pings itself
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(self._hello())
        async with self._socket_changed:
            self.socket_connections += 1
            self._socket_changed.notify_all()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            self._sockets.remove(ws)
        return ws

    def _hello(self) -> Args:
        return {
            "type": "hello",
            "num_connections": len(self._live_sockets()),
            "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = data
        self.socket_received.append(message)
        if isinstance(message, dict) and "envelope_id" in message:
            envelope_id = message["envelope_id"]
            self.acks[envelope_id] = message
            self._ack_events.setdefault(envelope_id, asyncio.Event()).set()

    # ---- HTTP

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        at = time.time()
        try:
            args, token = await _read_args(request)
        except SlackError as problem:
            await self._record(Call(method, {}, None, error=problem.error, at=at))
            return web.json_response({"ok": False, "error": problem.error})
        if self.latency:
            await asyncio.sleep(self.latency)
        if failure := self._take_failure(method):
            await self._record(Call(method, args, token, failure.status, failure.error, at))
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            body = {"ok": False, "error": failure.error}
            return web.json_response(body, status=failure.status, headers=headers)
        try:
            handler = self._methods.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            _check_token(method, token)
            self._check_scope(method, args, token)
            answer = {"ok": True, **handler(args, token)}
        except SlackError as problem:
            await self._record(Call(method, args, token, error=problem.error, at=at))
            return web.json_response({"ok": False, "error": problem.error, **problem.details})
        await self._record(Call(method, args, token, at=at))
        return web.json_response(answer)

    async def _response_url(self, request: web.Request) -> web.Response:
        url = f"{self.base_url}response/{request.match_info['key']}"
        try:
            body = await request.json()
        except ValueError:
            self.responses.append(ResponsePost(url, {}, 400))
            return web.Response(status=400, text="invalid_payload")
        if failure := self._take_failure("response_url"):
            self.responses.append(ResponsePost(url, body, failure.status))
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            return web.Response(status=failure.status, text=failure.error, headers=headers)
        self.responses.append(ResponsePost(url, body))
        return web.Response(text="ok")

    async def _misrouted(self, request: web.Request) -> web.Response:
        error = f"fake_slack_no_such_path {request.path} (pass the fake's api_url as base_url)"
        return web.json_response({"ok": False, "error": error}, status=404)

    def _check_scope(self, method: str, args: Args, token: str | None) -> None:
        """Slack's missing_scope; app-level tokens carry their own, not the manifest's."""
        if token is None or token.startswith("xapp-"):
            return
        needed = self._needed_scope(method, args)
        if needed is not None and needed not in self.scopes:
            provided = ",".join(sorted(self.scopes))
            raise SlackError("missing_scope", needed=needed, provided=provided)

    def _needed_scope(self, method: str, args: Args) -> str | None:
        if method == "conversations.history":
            channel = self._channel(args)
            return HISTORY_SCOPES.get(channel[0], "channels:history")
        return METHOD_SCOPES.get(method)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        return queue.pop(0) if queue else None

    # ---- Web API methods: each takes (args, token) and returns the fields beside "ok"

    def _auth_test(self, args: Args, token: str | None) -> Args:
        answer: Args = {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": self.team_name,
            "user": "bounceback",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "is_enterprise_install": False,
        }
        if not (token or "").startswith("xoxp-"):
            answer["bot_id"] = self.bot_id
        return answer

    def _chat_post_message(self, args: Args, token: str | None) -> Args:
        channel = self._channel(args)
        if not any(args.get(key) for key in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        message: Args = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": self._next_ts(),
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, args: Args, token: str | None) -> Args:
        self._channel(args)
        if not args.get("user"):
            raise SlackError("user_not_found")
        if not any(args.get(key) for key in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        return {"message_ts": self._next_ts()}

    def _chat_update(self, args: Args, token: str | None) -> Args:
        channel = self._channel(args)
        ts = args.get("ts")
        message = next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)
        if message is None:
            raise SlackError("message_not_found")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"channel": channel, "ts": ts, "text": message["text"], "message": message}

    def _files_get_upload_url(self, args: Args, token: str | None) -> Args:
        """Step one of files_upload_v2: where to send the bytes."""
        file_id = f"F{len(self.files) + 1:06d}"
        self.files[file_id] = {
            "name": args.get("filename", ""),
            "alt_txt": args.get("alt_txt"),
            "content": b"",
            "channel": None,
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step two: the bytes themselves, to the URL step one gave."""
        file_id = request.match_info["file_id"]
        if file_id not in self.files:
            return web.Response(status=404, text="unknown upload")
        self.files[file_id]["content"] = await request.read()
        return web.Response(text=f"OK - {len(self.files[file_id]['content'])}")

    def _files_complete_upload(self, args: Args, token: str | None) -> Args:
        """Step three: share the uploaded files in a channel."""
        listed = args.get("files")
        listed = json.loads(listed) if isinstance(listed, str) else listed or []
        shared = []
        for item in listed:
            if item.get("id") not in self.files:
                raise SlackError("file_not_found")
            self.files[item["id"]]["channel"] = args.get("channel_id")
            shared.append({"id": item["id"], "title": item.get("title", "")})
        return {"files": shared}

    def _conversations_open(self, args: Args, token: str | None) -> Args:
        if channel := args.get("channel"):
            return {"channel": {"id": channel}, "no_op": True, "already_open": True}
        users = args.get("users") or ""
        users = users if isinstance(users, list) else [u for u in users.split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        channel = f"D{users[0]}" if len(users) == 1 else "G" + "-".join(sorted(users))
        return {"channel": {"id": channel}, "no_op": False, "already_open": False}

    def _conversations_history(self, args: Args, token: str | None) -> Args:
        channel = self._channel(args)
        oldest, latest = args.get("oldest"), args.get("latest")
        inclusive = _truthy(args.get("inclusive"))
        newest_first = [
            message
            for message in reversed(self.messages.get(channel, []))
            if _in_range(message["ts"], oldest, latest, inclusive)
        ]
        limit = int(args.get("limit") or 100)
        page = [dict(message) for message in newest_first[:limit]]
        if not _truthy(args.get("include_all_metadata")):
            for message in page:
                message.pop("metadata", None)
        return {
            "messages": page,
            "has_more": len(newest_first) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _views_open(self, args: Args, token: str | None) -> Args:
        if not (args.get("trigger_id") or args.get("interactivity_pointer")):
            raise SlackError("invalid_trigger_id")
        return {"view": self._store_view(_view_arg(args))}

    def _views_update(self, args: Args, token: str | None) -> Args:
        view = _view_arg(args)
        view_id = args.get("view_id")
        if external_id := args.get("external_id"):
            found = (v["id"] for v in self.views.values() if v.get("external_id") == external_id)
            view_id = next(found, None)
        if view_id is None:
            raise SlackError("not_found")
        current = self.views.get(view_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._store_view(view, view_id=view_id)}

    def _views_publish(self, args: Args, token: str | None) -> Args:
        user_id = args.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments")
        view = _view_arg(args)
        if view.get("type") != "home":
            raise SlackError("invalid_arguments")
        if not all(self._viewable(block, user_id) for block in view.get("blocks", [])):
            raise SlackError("invalid_blocks")
        current = self.home_tabs.get(user_id)
        stored = self._store_view(view, view_id=current["id"] if current else None)
        self.home_tabs[user_id] = stored
        return {"view": stored}

    def _viewable(self, block: Args, user_id: str) -> bool:
        """Slack's rule for an image block's slack_file: the viewer may open the file,
        as they may when it was shared into their DM (D<user>, as conversations.open
        names it here); a file shared in no channel is the uploader's alone."""
        if block.get("type") != "image" or "slack_file" not in block:
            return True
        shared = self.files.get(block["slack_file"].get("id"), {})
        return self.files_ready and shared.get("channel") == f"D{user_id}"

    def _users_info(self, args: Args, token: str | None) -> Args:
        user_id = args.get("user")
        if not user_id:
            raise SlackError("user_not_found")
        overrides = dict(self.users.get(user_id, {}))
        user: Args = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "deleted": False,
            "real_name": "Test Member",
            "tz": "UTC",
            "tz_label": "Coordinated Universal Time",
            "tz_offset": 0,
            "is_bot": False,
            "is_admin": False,
            "updated": 0,
        }
        profile_overrides = overrides.pop("profile", {})
        user |= overrides
        user["profile"] = {
            "real_name": user["real_name"],
            "display_name": user.get("display_name", ""),
            **profile_overrides,
        }
        if _truthy(args.get("include_locale")):
            user.setdefault("locale", "en-US")
        return {"user": user}

    def _apps_connections_open(self, args: Args, token: str | None) -> Args:
        return {"url": self.socket_url}

    def _oauth_v2_access(self, args: Args, token: str | None) -> Args:
        if not args.get("client_id"):
            raise SlackError("invalid_client_id")
        code = args.get("code")
        if not code:
            raise SlackError("invalid_code")
        return {
            "app_id": self.app_id,
            "authed_user": {"id": USER_ID},
            "scope": ",".join(sorted(self.scopes)),
            "token_type": "bot",
            "access_token": f"xoxb-{self.team_id}-{code}",
            "bot_user_id": self.bot_user_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ---- helpers for the methods

    def _channel(self, args: Args) -> str:
        """The conversation a call names; a user ID means the DM with that user."""
        channel = args.get("channel")
        if not channel:
            raise SlackError("channel_not_found")
        return f"D{channel}" if channel[0] in "UW" else channel

    def _next_ts(self) -> str:
        """A message timestamp like Slack's ("1700000000.000100"), strictly increasing."""
        micros = max(time.time_ns() // 1000, self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _store_view(self, view: Args, *, view_id: str | None = None) -> Args:
        view_id = view_id or f"V{next(self._ids):06d}"
        stored: Args = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "state": {"values": {}},
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "root_view_id": view_id,
            "hash": f"{time.time():.0f}.{next(self._ids)}",
        }
        self.views[view_id] = stored
        return stored


# ---- request parsing


async def _read_args(request: web.Request) -> tuple[Args, str | None]:
    """The call's arguments from query, form or JSON body, and its token.

    slack_sdk sends ``auth.test`` and ``apps.connections.open`` as query parameters,
    ``users.info`` and ``conversations.history`` as GET, message and view methods as
    JSON, and ``oauth.v2.access`` as a form with HTTP Basic client credentials.
    """
    args: Args = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args |= body
        else:
            form = await request.post()
            args |= {key: value for key, value in form.items() if isinstance(value, str)}
    for key in JSON_ARGS & args.keys():
        if isinstance(args[key], str) and args[key][:1] in ("{", "["):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                raise SlackError("invalid_json") from None
    token = args.pop("token", None)
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and credentials:
        token = credentials
    elif scheme == "Basic":
        try:
            client_id, _, secret = base64.b64decode(credentials).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise SlackError("invalid_auth") from None
        args.setdefault("client_id", client_id)
        args.setdefault("client_secret", secret)
    return args, token


def _check_token(method: str, token: str | None) -> None:
    """Slack wants a token everywhere but OAuth, and the app-level one only for sockets."""
    if method == "oauth.v2.access":
        return
    if not token:
        raise SlackError("not_authed")
    is_app_token = token.startswith("xapp-")
    if is_app_token != (method == "apps.connections.open"):
        raise SlackError("not_allowed_token_type")


def _view_arg(args: Args) -> Args:
    view = args.get("view")
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments")
    return view


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _in_range(ts: str, oldest: str | None, latest: str | None, inclusive: bool) -> bool:
    """Slack's ``oldest``/``latest`` bounds: exclusive unless ``inclusive``."""
    if oldest and not (float(ts) > float(oldest) or (inclusive and ts == oldest)):
        return False
    return not latest or float(ts) < float(latest) or (inclusive and ts == latest)


# ---- HTTP mode: signatures and the bodies Slack posts


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack signs a request with: v0 HMAC-SHA256 of ``v0:{ts}:{body}``.

    Bolt rejects timestamps more than five minutes from the real clock, so the
    default is now (a test's fake clock does not apply here).
    """
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def signed_headers(
    secret: str,
    body: bytes,
    timestamp: int | None = None,
    content_type: str = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """`sign` plus the Content-Type, ready to POST a body built below."""
    return {"Content-Type": content_type, **sign(secret, body, timestamp)}


def slash_payload(
    command: str = "/bounceback",
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    trigger_id: str | None = None,
    response_url: str = "",
    api_app_id: str = APP_ID,
) -> dict[str, str]:
    """A slash command's fields: the Socket Mode payload, or the form of `slash_body`."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _new_id("trigger"),
    }


def slash_body(command: str = "/bounceback", text: str = "", **fields: str) -> bytes:
    """The form-encoded body Slack POSTs for a slash command (see `slash_payload`)."""
    return urlencode(slash_payload(command, text, **fields)).encode()


def block_action_payload(
    action_id: str,
    value: str = "",
    *,
    block_id: str = "actions",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    message_ts: str = "1700000000.000100",
    view: Args | None = None,
    trigger_id: str | None = None,
    response_url: str = "",
    api_app_id: str = APP_ID,
) -> Args:
    """A button click: in a message in `channel_id`, or in `view` (a modal or Home tab)."""
    payload: Args = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or _new_id("trigger"),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id},
                "value": value,
                "action_ts": "1700000000.000200",
            }
        ],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V-view")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": CHANNEL_NAME}
        payload["message"] = {"type": "message", "ts": message_ts, "user": BOT_USER_ID}
        payload["response_url"] = response_url
    return payload


def block_action_body(action_id: str, value: str = "", **fields: Any) -> bytes:
    """The form body (``payload=<json>``) Slack POSTs for `block_action_payload`."""
    return _interactive_body(block_action_payload(action_id, value, **fields))


def view_submission_payload(
    callback_id: str,
    values: Mapping[str, Mapping[str, str | Args]],
    *,
    private_metadata: str = "",
    view_id: str = "V-modal",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    api_app_id: str = APP_ID,
) -> Args:
    """A modal submitted with `values` as ``{block_id: {action_id: value}}``.

    A string value becomes a ``plain_text_input`` state; pass a dict for other
    elements, e.g. ``{"type": "static_select", "selected_option": {...}}``.
    """
    state = {
        block_id: {
            action_id: (
                {"type": "plain_text_input", "value": value} if isinstance(value, str) else value
            )
            for action_id, value in actions.items()
        }
        for block_id, actions in values.items()
    }
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or _new_id("trigger"),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state},
            "hash": "1700000000.fake",
            "title": {"type": "plain_text", "text": "Bounceback"},
            "blocks": [],
            "root_view_id": view_id,
            "app_id": api_app_id,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_submission_body(
    callback_id: str, values: Mapping[str, Mapping[str, str | Args]], **fields: Any
) -> bytes:
    """The form body (``payload=<json>``) Slack POSTs for `view_submission_payload`."""
    return _interactive_body(view_submission_payload(callback_id, values, **fields))


def event_payload(
    event: Args,
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_id: str | None = None,
) -> Args:
    """An Events API callback around `event` (e.g. ``{"type": "app_home_opened", ...}``)."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
        "is_ext_shared_channel": False,
    }


def _new_id(prefix: str) -> str:
    """Slack gives every command, press and event an id of its own; redeliveries repeat it."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _interactive_body(payload: Args) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()
