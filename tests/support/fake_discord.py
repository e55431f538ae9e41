"""A fake Discord on 127.0.0.1 (REST API v10 and gateway) for the real discord.py client.

The Discord adapter is tested through the real discord.py client, because Discord
bugs live in how the client is wired (intents, shards, deferrals, views bound to
message ids, rate limits) and a mock of our own calls would hide exactly that.
The machines have no internet, so this module plays Discord's side in-process
with aiohttp: the REST routes a bot uses, recorded and able to answer 429 or 500
on request, and a gateway WebSocket that says HELLO, READY and GUILD_CREATE per
shard, and dispatches the interactions a test makes (`slash`, `click`,
`submit_modal`, `autocomplete`) to the shard that owns the guild.

    async with FakeDiscord() as discord_fake:
        with pointed_at(discord_fake):  # Route.BASE and DEFAULT_GATEWAY, restored after
            async with started(client, discord_fake):
                interaction = await discord_fake.slash("rejected", {"company": "Acme"})
                assert (await interaction.response())["type"] == ResponseType.MESSAGE

Behaviours copied from Discord because a bot can get them wrong: JSON answers carry
Content-Type exactly ``application/json``; a 429 carries ``Via`` (without it
discord.py assumes a Cloudflare ban); an interaction answered twice, or after
`response_deadline` seconds, is refused; the first follow-up of a deferred
interaction replaces its "thinking" message; ``enforce_nonce`` returns the first
message; closed DMs answer 403/50007; IDENTIFY with a privileged intent the fake
was not granted is closed with 4014; guild messages reach the bot without content
unless it has the message-content intent or is mentioned; the bot's own messages
come back as MESSAGE_CREATE.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import math
import re
import secrets
import time
import zlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from types import TracebackType
from typing import Any, Self

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web
from discord.gateway import DiscordWebSocket
from discord.http import Route

HOST = "127.0.0.1"
API_VERSION = 10
DEFAULT_TIMEOUT = 5.0
DISCORD_EPOCH_MS = 1_420_070_400_000
# Snowflakes of the form k << 22 land on shard k % shard_count.
GUILD_ID = 1000 << 22  # shard 0 of 2
OTHER_GUILD_ID = 1001 << 22  # shard 1 of 2
APPLICATION_ID = 1_100_000_000_000_000_001
BOT_USER_ID = 1_100_000_000_000_000_002
MEMBER_ID = 1_100_000_000_000_000_101
OTHER_MEMBER_ID = 1_100_000_000_000_000_102
BOT_NAME = "Bounceback"

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

EPHEMERAL = 1 << 6
LOADING = 1 << 7
COMPONENTS_V2 = 1 << 15
ADMINISTRATOR = 1 << 3
# View channel, send messages, embed links, attach files, read history, use commands.
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 31)

Args = dict[str, Any]
NO_CONTENT = object()  # a handler's answer for 204


class ResponseType(IntEnum):
    """How the bot answered an interaction (the callback's ``type``)."""

    PONG = 1
    MESSAGE = 4
    DEFERRED_MESSAGE = 5
    DEFERRED_UPDATE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class InteractionType(IntEnum):
    """What the member did (the interaction's ``type``)."""

    COMMAND = 2
    COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


@dataclass(frozen=True)
class UploadedFile:
    """One file of a multipart request: its form field, file name and bytes."""

    field: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class Call:
    """One REST request and what the fake answered.

    `path` is what follows ``/api/v10`` (``/channels/1/messages``); `json` is the
    parsed body, or the ``payload_json`` part of a multipart body.
    """

    method: str
    path: str
    json: Any
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)
    files: tuple[UploadedFile, ...] = ()
    status: int = 200
    answer: Any = None


@dataclass(frozen=True)
class FakeGuild:
    """A guild the bot is in: its text channels (id -> name), members and admins."""

    id: int
    name: str = "Bounceback Test"
    channels: Mapping[int, str] | None = None  # default: {id + 1: "general"}
    members: tuple[int, ...] = (MEMBER_ID, OTHER_MEMBER_ID)
    admins: tuple[int, ...] = ()

    @property
    def channel_names(self) -> Mapping[int, str]:
        return self.channels if self.channels is not None else {self.id + 1: "general"}

    @property
    def first_channel_id(self) -> int:
        return next(iter(self.channel_names))


@dataclass(eq=False)
class Interaction:
    """One interaction the fake dispatched, and how the bot answered it."""

    id: int
    token: str
    type: int
    payload: Args
    created_at: float
    fake: FakeDiscord = field(repr=False)
    callback: Args | None = None  # {"type": ..., "data": ...} as the bot posted it
    original: Args | None = None  # the message the response created or updated
    followups: list[Args] = field(default_factory=list)

    @property
    def response_type(self) -> int | None:
        return None if self.callback is None else self.callback["type"]

    @property
    def data(self) -> Args:
        """The callback's ``data``: the message, choices or modal the bot answered."""
        return {} if self.callback is None else self.callback.get("data") or {}

    async def response(self, timeout: float = DEFAULT_TIMEOUT) -> Args:
        """The bot's callback ``{"type": ..., "data": ...}``, once it has arrived."""
        what = f"the bot to answer interaction {self.id} ({self.payload['data']})"
        await self.fake.wait_until(lambda: self.callback is not None, timeout, what)
        assert self.callback is not None
        return self.callback

    async def wait_followups(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> list[Args]:
        """The follow-up messages, once `count` have arrived."""
        what = f"{count} follow-up(s) to interaction {self.id}"
        await self.fake.wait_until(lambda: len(self.followups) >= count, timeout, what)
        return self.followups


@dataclass(frozen=True)
class _Failure:
    method: str
    path: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    code: int | None
    message: str | None


class DiscordError(Exception):
    """Raised by a route handler to answer Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: Args = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def _invalid(problem: str) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", {"_errors": [{"message": problem}]})


class _Connection:
    """One gateway WebSocket; sends are serialised so zlib-stream frames stay in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()
        self.session: _Session | None = None
        self.dropped = False

    async def send(self, payload: Args) -> None:
        text = json.dumps(payload)
        async with self._lock:
            if self.ws.closed:
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                if self._compressor is None:
                    await self.ws.send_str(text)
                else:
                    data = self._compressor.compress(text.encode())
                    await self.ws.send_bytes(data + self._compressor.flush(zlib.Z_SYNC_FLUSH))


@dataclass(eq=False)
class _Session:
    """A gateway session: outlives its socket so a RESUME can replay what was missed."""

    id: str
    shard: tuple[int, int]
    intents: int
    connection: _Connection | None
    seq: int = 0
    backlog: list[Args] = field(default_factory=list)

    def covers(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)

    @property
    def live(self) -> bool:
        return self.connection is not None and not self.connection.ws.closed


class FakeDiscord:
    """Discord's REST API and gateway on an ephemeral port, for one ``async with`` block.

    State is public for tests to read and arrange: `calls`, `identifies`, `resumes`,
    `gateway_received`, `interactions`, `commands` (guild id or None -> list),
    `messages` (channel id -> messages, oldest first, ephemeral ones left out),
    `users` (id -> fields merged over a default profile), `closed_dms`.
    """

    def __init__(
        self,
        *,
        guilds: Iterable[int | FakeGuild] = (GUILD_ID,),
        application_id: int = APPLICATION_ID,
        bot_user_id: int = BOT_USER_ID,
        token: str | None = None,
        privileged_intents: int = 0,
        recommended_shards: int = 1,
    ) -> None:
        self.guilds: dict[int, FakeGuild] = {}
        for guild in guilds:
            guild = guild if isinstance(guild, FakeGuild) else FakeGuild(guild)
            self.guilds[guild.id] = guild
        self.application_id = application_id
        self.bot_user_id = bot_user_id
        self.token = token  # None accepts any token
        self.privileged_intents = privileged_intents
        self.recommended_shards = recommended_shards
        self.response_deadline = 3.0  # seconds an interaction waits for its first answer
        self.nonce_window = 300.0  # seconds within which enforce_nonce deduplicates
        self.heartbeat_interval_ms = 41_250

        self.calls: list[Call] = []
        self.identifies: list[Args] = []
        self.resumes: list[Args] = []
        self.resumed_count = 0
        self.gateway_received: list[Args] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.interactions: dict[int, Interaction] = {}
        self.commands: dict[int | None, list[Args]] = {}
        self.messages: dict[int, list[Args]] = {}
        self.users: dict[int, Args] = {}
        self.closed_dms: set[int] = set()
        self.modals: dict[str, tuple[Interaction, Args]] = {}  # custom_id -> opened by, modal

        self._changed = asyncio.Condition()
        self._failures: list[_Failure] = []
        self._channels: dict[int, Args] = {}
        self._dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self._by_id: dict[int, Args] = {}  # every message, ephemeral ones too
        self._nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self._by_token: dict[str, Interaction] = {}
        self._sessions: list[_Session] = []
        self._connections: list[_Connection] = []
        self._last_snowflake = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes = self._route_table()
        for guild in self.guilds.values():
            for channel_id, name in guild.channel_names.items():
                self._channels[channel_id] = _text_channel(channel_id, guild.id, name)

    # ---- lifecycle and addresses

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", f"/api/v{API_VERSION}/{{tail:.*}}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._misrouted)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        self._port = self._runner.addresses[0][1]
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

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not running: use it as `async with FakeDiscord()`")
        return f"http://{HOST}:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be: ``http://127.0.0.1:<port>/api/v10``."""
        return f"{self.base_url}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:<port>/gateway``: ``DEFAULT_GATEWAY``, and what /gateway answers."""
        return f"ws://{HOST}:{self._port}/gateway"

    @property
    def bot_user(self) -> Args:
        return {
            "id": str(self.bot_user_id),
            "username": BOT_NAME,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "public_flags": 0,
        }

    def user(self, user_id: int) -> Args:
        """A member's user object: a default profile with `users[user_id]` over it."""
        profile = {
            "id": str(user_id),
            "username": f"member{user_id % 10_000}",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }
        return profile | self.users.get(user_id, {})

    # ---- what tests arrange and read

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int = 429,
        retry_after: float = 1.0,
        times: int = 1,
        global_: bool = False,
        *,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` matching calls with an error instead of serving them.

        `method` may be "*"; `path_pattern` is a path prefix or a regex (fullmatch).
        A 429 looks like Discord's (body ``retry_after``/``global``, ``Retry-After``,
        ``X-RateLimit-*`` with ``Scope``, and ``Via``); other statuses answer Discord's
        error JSON with `code` and `message`. Failed attempts are recorded.
        """
        failure = _Failure(method, path_pattern, status, retry_after, global_, code, message)
        self._failures.extend([failure] * times)

    def calls_to(self, method: str, path: str | re.Pattern[str]) -> list[Call]:
        """Every recorded call matching (failed attempts included), oldest first."""
        return [call for call in self.calls if _matches(call.method, call.path, method, path)]

    async def wait_for(
        self,
        method: str,
        path: str | re.Pattern[str],
        count: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[Call]:
        """The matching calls, once at least `count` have arrived."""
        what = f"{count} call(s) to {method} {path}"
        await self.wait_until(lambda: len(self.calls_to(method, path)) >= count, timeout, what)
        return self.calls_to(method, path)

    async def wait_until(
        self, check: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT, what: str | None = None
    ) -> None:
        """Once `check` holds, looked at after every call and gateway event."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(check)
        except TimeoutError:
            recent = [f"{c.method} {c.path} -> {c.status}" for c in self.calls[-8:]]
            raise AssertionError(
                f"fake Discord waited {timeout}s for {what or 'a condition'}; last calls: {recent}"
            ) from None

    def messages_in(self, channel_id: int) -> list[Args]:
        """What a member sees in a channel, oldest first (no ephemeral messages)."""
        return list(self.messages.get(channel_id, []))

    def dm_channel_of(self, user_id: int) -> int:
        """The member's DM channel id, the same every time (Discord's is stable too)."""
        if user_id not in self._dm_channels:
            channel_id = self._snowflake()
            self._dm_channels[user_id] = channel_id
            self._channels[channel_id] = {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.user(user_id)],
            }
        return self._dm_channels[user_id]

    def dms_to(self, user_id: int) -> list[Args]:
        """Messages in the member's DM channel, oldest first."""
        return self.messages_in(self.dm_channel_of(user_id))

    def message(self, message_id: int) -> Args:
        """The current state of any message, ephemeral ones included."""
        return self._by_id[message_id]

    # ---- gateway: waiting, dropping

    async def ready(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Once `count` gateway sessions are live (identified and sent READY)."""
        live = lambda: sum(session.live for session in self._sessions) >= count  # noqa: E731
        await self.wait_until(live, timeout, f"{count} live gateway session(s)")

    wait_connected = ready

    async def resumed(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Once `count` RESUMEs have succeeded."""
        what = f"{count} successful RESUME(s)"
        await self.wait_until(lambda: self.resumed_count >= count, timeout, what)

    async def drop_gateway(self, code: int = 4000, *, resumable: bool = True) -> None:
        """Close every live gateway socket; with `resumable`, the sessions can RESUME.

        discord.py reconnects at once after 4000 and resumes. Without `resumable`
        the RESUME gets INVALID_SESSION and the client identifies again, after its
        ``before_identify_hook`` (which sleeps 5 s unless overridden).
        """
        if not resumable:
            self._sessions.clear()
        for connection in list(self._connections):
            connection.dropped = True
            await connection.ws.close(code=code, message=b"fake Discord dropped the gateway")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT to every live socket, as Discord does before maintenance."""
        for connection in list(self._connections):
            await connection.send({"op": 7, "d": None, "s": None, "t": None})

    # ---- interactions a member makes

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        channel_id: int | None = None,
        in_dm: bool = False,
        locale: str = "en-US",
    ) -> Interaction:
        """A slash command; ``name`` may hold subcommands ("plan snooze").

        Option types come from the published command when there is one, else from
        the Python values (str, int, float, bool). USER options resolve the user.
        """
        guild_id, channel_id = self._place(guild_id, channel_id, in_dm, user)
        data = self._command_data(name, options or {}, guild_id, focused=None)
        return await self._interact(
            InteractionType.COMMAND, data, user, guild_id, channel_id, locale
        )

    async def autocomplete(
        self,
        name: str,
        focused_option: str,
        value: str,
        *,
        options: Mapping[str, Any] | None = None,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        channel_id: int | None = None,
        in_dm: bool = False,
    ) -> Interaction:
        """The member typing `value` into `focused_option`; the bot answers type 8."""
        guild_id, channel_id = self._place(guild_id, channel_id, in_dm, user)
        values = {**(options or {}), focused_option: str(value)}
        data = self._command_data(name, values, guild_id, focused=focused_option)
        kind = InteractionType.AUTOCOMPLETE
        return await self._interact(kind, data, user, guild_id, channel_id, "en-US")

    async def click(
        self,
        custom_id: str,
        *,
        message: Args | int | Call | Interaction,
        user: int = MEMBER_ID,
        values: Sequence[str] | None = None,
    ) -> Interaction:
        """The member clicking a button (or choosing `values` in a select) on a message.

        `message` is the message that carries the component: its payload, its id, the
        Call that posted it, or the Interaction whose response it was. The fake sends
        that message's current state, since discord.py drops clicks on components the
        message does not carry.
        """
        payload = self._find_message(message)
        component = _find_component(payload.get("components", []), custom_id)
        if component is None:
            present = [c.get("custom_id") for c in _walk_components(payload.get("components", []))]
            raise AssertionError(
                f"message {payload['id']} has no component {custom_id!r}; it has {present}"
            )
        if component.get("disabled"):
            raise AssertionError(f"component {custom_id!r} is disabled: a member cannot use it")
        data: Args = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] != 2:
            data["values"] = list(values or [])
        channel_id = int(payload["channel_id"])
        guild_id = _as_int(self._channels.get(channel_id, {}).get("guild_id"))
        kind = InteractionType.COMPONENT
        return await self._interact(kind, data, user, guild_id, channel_id, "en-US", payload)

    async def click_on(
        self,
        message: Args | int | Call | Interaction,
        custom_id: str,
        *,
        user: int = MEMBER_ID,
        values: Sequence[str] | None = None,
    ) -> Interaction:
        """`click`, with the message first: ``click_on(posted_call, "reminder:42:done")``."""
        return await self.click(custom_id, message=message, user=user, values=values)

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: int | None = None,
    ) -> Interaction:
        """The member submitting a modal the bot opened (callback type 9) with `values`.

        The components mirror the modal's own structure (action rows or labels), as
        Discord sends them; unfilled optional inputs arrive as "".
        """
        if custom_id not in self.modals:
            raise AssertionError(f"no modal {custom_id!r} was opened; opened: {list(self.modals)}")
        opener, modal = self.modals[custom_id]
        unknown = set(values) - {c.get("custom_id") for c in _walk_components(modal["components"])}
        if unknown:
            raise AssertionError(f"modal {custom_id!r} has no inputs {sorted(unknown)}")
        components = [_submitted(component, values) for component in modal["components"]]
        data = {"custom_id": custom_id, "components": components}
        source = opener.payload
        user_id = user if user is not None else int(_invoker(source)["id"])
        guild_id, channel_id = _as_int(source.get("guild_id")), int(source["channel_id"])
        message = source.get("message")
        kind = InteractionType.MODAL_SUBMIT
        return await self._interact(kind, data, user_id, guild_id, channel_id, "en-US", message)

    async def raw_interaction(
        self,
        kind: int,
        data: Args,
        *,
        user: int = MEMBER_ID,
        guild_id: int | None = None,
        message: Args | None = None,
    ) -> Interaction:
        """An interaction with whatever `data`, unchecked: what a buggy or hostile client,
        or a newer Discord, might send. In the first guild's first channel, or a DM."""
        in_dm = guild_id is None and not self.guilds
        guild_id, channel_id = self._place(guild_id, None, in_dm, user)
        return await self._interact(
            InteractionType(kind), data, user, guild_id, channel_id, "en-US", message
        )

    async def message_from(self, user: int, content: str, *, channel_id: int | None = None) -> Args:
        """A member writing `content` (in their DM with the bot unless `channel_id`)."""
        channel_id = channel_id if channel_id is not None else self.dm_channel_of(user)
        await self._session_for(_as_int(self._channels[channel_id].get("guild_id")))
        message = self._store_message(channel_id, {"content": content}, author=self.user(user))
        await self._echo(message)
        return message

    # ---- interactions: building and dispatching

    def _place(
        self, guild_id: int | None, channel_id: int | None, in_dm: bool, user: int
    ) -> tuple[int | None, int]:
        """Where an interaction happens: a guild channel, or the member's DM."""
        if in_dm:
            return None, channel_id if channel_id is not None else self.dm_channel_of(user)
        if guild_id is not None and guild_id not in self.guilds:
            raise AssertionError(f"the bot is not in guild {guild_id}: pass it to FakeDiscord")
        guild = self.guilds[guild_id] if guild_id is not None else next(iter(self.guilds.values()))
        return guild.id, channel_id if channel_id is not None else guild.first_channel_id

    def _command_data(
        self, name: str, values: Mapping[str, Any], guild_id: int | None, focused: str | None
    ) -> Args:
        top, *path = name.split()
        published = self._published(top, guild_id)
        data: Args = {"id": published["id"] if published else str(self._snowflake())}
        data |= {"name": top, "type": 1}
        if published and "guild_id" in published:
            data["guild_id"] = published["guild_id"]
        definitions = published.get("options", []) if published else []
        for part in path:
            found = next((o for o in definitions if o.get("name") == part), {})
            definitions = found.get("options", [])
        resolved: Args = {}
        options = [
            self._option(key, value, definitions, resolved, guild_id, key == focused)
            for key, value in values.items()
        ]
        for depth in reversed(range(len(path))):
            kind = 2 if depth < len(path) - 1 else 1
            options = [{"name": path[depth], "type": kind, "options": options}]
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        return data

    def _published(self, name: str, guild_id: int | None) -> Args | None:
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        return None

    def _option(
        self,
        name: str,
        value: Any,
        definitions: Sequence[Args],
        resolved: Args,
        guild_id: int | None,
        focused: bool,
    ) -> Args:
        definition = next((o for o in definitions if o.get("name") == name), None)
        kind = definition["type"] if definition else _option_type(value)
        option: Args = {"name": name, "type": kind}
        if focused:
            option |= {"value": str(value), "focused": True}
        elif kind == 6:  # USER: Discord sends the id and resolves the user
            user_id = int(value)
            option["value"] = str(user_id)
            resolved.setdefault("users", {})[str(user_id)] = self.user(user_id)
            if guild_id is not None:
                member = self._member(user_id, guild_id)
                member.pop("user")
                resolved.setdefault("members", {})[str(user_id)] = member
        elif kind in (3, 4, 5, 10):
            option["value"] = {3: str, 4: int, 5: bool, 10: float}[kind](value)
        else:
            raise AssertionError(f"option type {kind} ({name!r}) is not supported by the fake")
        return option

    async def _interact(
        self,
        kind: InteractionType,
        data: Args,
        user: int,
        guild_id: int | None,
        channel_id: int,
        locale: str,
        message: Args | None = None,
    ) -> Interaction:
        """Dispatch INTERACTION_CREATE to the shard that owns the guild (DMs: shard 0)."""
        session = await self._session_for(guild_id)
        interaction_id = self._snowflake()
        token = f"itoken.{interaction_id}.{secrets.token_urlsafe(16)}"
        payload: Args = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": int(kind),
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(MEMBER_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(channel_id),
            "channel": self._channels[channel_id] | self._channel_permissions(guild_id, user),
        }
        if guild_id is not None:
            payload |= {
                "guild_id": str(guild_id),
                "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": self._member(user, guild_id),
                "context": 0,
                "authorizing_integration_owners": {"0": str(guild_id)},
            }
        else:
            payload |= {
                "user": self.user(user),
                "context": 1,
                "authorizing_integration_owners": {"0": "0"},  # a guild install, in a DM
            }
        if message is not None:
            payload["message"] = message
        loop = asyncio.get_running_loop()
        interaction = Interaction(interaction_id, token, int(kind), payload, loop.time(), self)
        self.interactions[interaction_id] = interaction
        self._by_token[token] = interaction
        await self._dispatch(session, "INTERACTION_CREATE", payload)
        return interaction

    def _member(self, user_id: int, guild_id: int) -> Args:
        guild = self.guilds[guild_id]
        permissions = MEMBER_PERMISSIONS | (ADMINISTRATOR if user_id in guild.admins else 0)
        return {
            "user": self.user(user_id),
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "communication_disabled_until": None,
            "permissions": str(permissions),
        }

    def _channel_permissions(self, guild_id: int | None, user: int) -> Args:
        if guild_id is None:
            return {}
        return {"permissions": self._member(user, guild_id)["permissions"]}

    def _find_message(self, message: Args | int | Call | Interaction) -> Args:
        if isinstance(message, Interaction):
            if message.original is None:
                raise AssertionError(f"interaction {message.id} has no response message")
            message = message.original
        elif isinstance(message, Call):
            message = message.answer
        message_id = message if isinstance(message, int) else int(message["id"])
        if message_id not in self._by_id:
            raise AssertionError(f"no message {message_id} was sent (or it was deleted)")
        return self._by_id[message_id]

    # ---- gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        connection = _Connection(ws, compress=request.query.get("compress") == "zlib-stream")
        self._connections.append(connection)
        hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-discord"]}
        await connection.send({"op": 10, "d": hello, "s": None, "t": None})
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._gateway_receive(connection, json.loads(message.data))
        finally:
            self._connections.remove(connection)
            await self._gateway_closed(connection)
        return ws

    async def _gateway_closed(self, connection: _Connection) -> None:
        """A client's clean close (1000/1001) ends its session, as Discord does."""
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            clean = connection.ws.close_code in (1000, 1001) and not connection.dropped
            if clean and session in self._sessions:
                self._sessions.remove(session)
        await self._notify()

    async def _gateway_receive(self, connection: _Connection, payload: Args) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)
        else:
            self.gateway_received.append(payload)
        await self._notify()

    async def _identify(self, connection: _Connection, data: Args) -> None:
        self.identifies.append(data)
        shard_id, count = data.get("shard") or (0, 1)
        intents = int(data.get("intents") or 0)
        if self.token is not None and data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        if connection.session is not None:
            await connection.ws.close(code=4005, message=b"Already authenticated.")
            return
        if not 0 <= shard_id < count:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            await connection.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = _Session(secrets.token_hex(16), (shard_id, count), intents, connection)
        connection.session = session
        guilds = [guild for guild in self.guilds.values() if session.covers(guild.id)]
        ready: Args = {
            "v": API_VERSION,
            "user": self.bot_user,
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "_trace": ["fake-discord"],
        }
        if data.get("shard"):
            ready["shard"] = [shard_id, count]
        await self._dispatch(session, "READY", ready)
        if intents & GUILDS:
            for guild in guilds:
                await self._dispatch(session, "GUILD_CREATE", self._guild_create(guild, intents))
        self._sessions = [s for s in self._sessions if s.shard[0] != shard_id] + [session]

    async def _resume(self, connection: _Connection, data: Args) -> None:
        self.resumes.append(data)
        session = next((s for s in self._sessions if s.id == data.get("session_id")), None)
        if session is None or (self.token is not None and data.get("token") != self.token):
            await connection.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.connection is not None and session.connection is not connection:
            old = session.connection
            old.dropped = True
            await old.ws.close(code=4000, message=b"session resumed elsewhere")
        session.connection, connection.session = connection, session
        seen = data.get("seq") or 0
        for event in [e for e in session.backlog if e["s"] > seen]:
            await connection.send(event)
        await self._dispatch(session, "RESUMED", {"_trace": ["fake-discord"]})
        self.resumed_count += 1

    async def _dispatch(self, session: _Session, event: str, data: Args) -> None:
        """Send a DISPATCH on the session; kept in its backlog for a RESUME to replay."""
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.backlog = [*session.backlog[-999:], payload]
        if session.live:
            assert session.connection is not None
            await session.connection.send(payload)

    async def _session_for(self, guild_id: int | None) -> _Session:
        """The session of the shard that owns `guild_id`, waiting for one to exist."""
        find = lambda: next((s for s in self._sessions if s.covers(guild_id)), None)  # noqa: E731
        what = f"a gateway session for {'DMs' if guild_id is None else f'guild {guild_id}'}"
        await self.wait_until(lambda: find() is not None, DEFAULT_TIMEOUT, what)
        session = find()
        assert session is not None
        return session

    def _guild_create(self, guild: FakeGuild, intents: int) -> Args:
        """The guild as GUILD_CREATE has it; other members only with GUILD_MEMBERS."""
        everyone = {
            "id": str(guild.id),
            "name": "@everyone",
            "permissions": str(MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        members = [self._member(self.bot_user_id, guild.id) | {"user": self.bot_user}]
        if intents & GUILD_MEMBERS:
            members += [self._member(user_id, guild.id) for user_id in guild.members]
        for member in members:
            member.pop("permissions")
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.admins[0] if guild.admins else MEMBER_ID),
            "unavailable": False,
            "large": False,
            "member_count": len(guild.members) + 1,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "roles": [everyone],
            "channels": [self._channels[c] for c in guild.channel_names],
            "members": members,
            "threads": [],
            "presences": [],
            "voice_states": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "preferred_locale": "en-US",
            "system_channel_id": str(guild.first_channel_id),
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
        }

    async def _echo(self, message: Args) -> None:
        """MESSAGE_CREATE for a new message, to a live session with the right intent."""
        channel = self._channels.get(int(message["channel_id"]), {})
        guild_id = _as_int(channel.get("guild_id"))
        session = next((s for s in self._sessions if s.covers(guild_id)), None)
        if session is None:
            return
        event = dict(message)
        if guild_id is None:
            if not session.intents & DIRECT_MESSAGES:
                return
        else:
            if not session.intents & GUILD_MESSAGES:
                return
            event["guild_id"] = str(guild_id)
            author_id = int(message["author"]["id"])
            if author_id != self.bot_user_id:
                event["member"] = {k: v for k, v in self._member(author_id, guild_id).items()}
                event["member"].pop("user")
            can_read = session.intents & MESSAGE_CONTENT & self.privileged_intents
            mentioned = f"<@{self.bot_user_id}>" in message["content"]
            if not (can_read or mentioned or author_id == self.bot_user_id):
                event |= {"content": "", "embeds": [], "attachments": [], "components": []}
        await self._dispatch(session, "MESSAGE_CREATE", event)

    # ---- REST: plumbing

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        call = Call(request.method, path, None, dict(request.headers), dict(request.query))
        try:
            body, files = await _read_body(request)
            call = dataclasses.replace(call, json=body, files=files)
            if failure := self._take_failure(call):
                status, answer, headers = _failure_response(failure, path)
            else:
                status, answer = 200, await self._route(call)
                headers = _ratelimit_headers(request.method, path)
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
        return _json_response(answer, status, headers)

    async def _misrouted(self, request: web.Request) -> web.Response:
        message = f"fake Discord has no {request.path} (set Route.BASE to the fake's api_base)"
        return _json_response({"message": message, "code": 0}, 404)

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

    def _take_failure(self, call: Call) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if _matches(call.method, call.path, failure.method, failure.path):
                return self._failures.pop(index)
        return None

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _snowflake(self) -> int:
        """A fresh id like Discord's: milliseconds since 2015 in the top bits, increasing."""
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_snowflake = max(candidate, self._last_snowflake + 1)
        return self._last_snowflake

    def _route_table(
        self,
    ) -> list[tuple[str, re.Pattern[str], Callable[..., Awaitable[Any]], bool]]:
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

    # ---- REST: the bot and the gateway

    async def _get_me(self, call: Call) -> Args:
        return self.bot_user

    async def _get_application(self, call: Call) -> Args:
        return {
            "id": str(self.application_id),
            "name": BOT_NAME,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user(MEMBER_ID),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "bot": self.bot_user,
            "approximate_guild_count": len(self.guilds),
        }

    async def _get_gateway(self, call: Call) -> Args:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, call: Call) -> Args:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": limit,
        }

    async def _get_user(self, call: Call, user_id: str) -> Args:
        return self.bot_user if int(user_id) == self.bot_user_id else self.user(int(user_id))

    async def _get_guild(self, call: Call, guild_id: str) -> Args:
        guild = self._guild(guild_id)
        answer = self._guild_create(guild, 0)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            answer.pop(key)
        return answer

    async def _get_member(self, call: Call, guild_id: str, user_id: str) -> Args:
        guild = self._guild(guild_id)
        if int(user_id) not in (*guild.members, self.bot_user_id):
            raise DiscordError(404, 10007, "Unknown Member")
        member = self._member(int(user_id), guild.id)
        member.pop("permissions")
        return member

    def _guild(self, guild_id: str) -> FakeGuild:
        if int(guild_id) not in self.guilds:
            raise DiscordError(404, 10004, "Unknown Guild")
        return self.guilds[int(guild_id)]

    # ---- REST: channels and messages

    async def _create_dm(self, call: Call) -> Args:
        recipient = _as_int((call.json or {}).get("recipient_id"))
        if recipient is None:
            raise _invalid("recipient_id is required")
        return self._channels[self.dm_channel_of(recipient)]

    async def _get_channel(self, call: Call, channel_id: str) -> Args:
        return self._channel(channel_id)

    async def _typing(self, call: Call, channel_id: str) -> object:
        self._channel(channel_id)
        return NO_CONTENT

    async def _post_message(self, call: Call, channel_id: str) -> Args:
        channel = self._channel(channel_id)
        body = call.json or {}
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self.closed_dms:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        key = (int(channel_id), str(body.get("nonce")))
        if body.get("enforce_nonce") and "nonce" in body and key in self._nonces:
            sent_at, message_id = self._nonces[key]
            if time.monotonic() - sent_at <= self.nonce_window and message_id in self._by_id:
                return self._by_id[message_id]
        _check_message(body, call.files)
        message = self._store_message(int(channel_id), body, files=call.files)
        if body.get("enforce_nonce") and "nonce" in body:
            self._nonces[key] = (time.monotonic(), int(message["id"]))
        await self._echo(message)
        return message

    async def _list_messages(self, call: Call, channel_id: str) -> list[Args]:
        self._channel(channel_id)
        newest_first = list(reversed(self.messages.get(int(channel_id), [])))
        if before := _as_int(call.query.get("before")):
            newest_first = [m for m in newest_first if int(m["id"]) < before]
        if after := _as_int(call.query.get("after")):
            newest_first = [m for m in newest_first if int(m["id"]) > after]
        return newest_first[: min(int(call.query.get("limit", 50)), 100)]

    async def _get_message(self, call: Call, channel_id: str, message_id: str) -> Args:
        return self._channel_message(channel_id, message_id)

    async def _edit_message(self, call: Call, channel_id: str, message_id: str) -> Args:
        message = self._channel_message(channel_id, message_id)
        if int(message["author"]["id"]) != self.bot_user_id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return self._apply_edit(message, call.json or {}, call.files)

    async def _delete_message(self, call: Call, channel_id: str, message_id: str) -> object:
        self._forget(self._channel_message(channel_id, message_id))
        return NO_CONTENT

    def _channel(self, channel_id: str) -> Args:
        if int(channel_id) not in self._channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return self._channels[int(channel_id)]

    def _channel_message(self, channel_id: str, message_id: str) -> Args:
        self._channel(channel_id)
        message = self._by_id.get(int(message_id))
        if message is None or message["channel_id"] != channel_id:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    def _store_message(
        self,
        channel_id: int,
        body: Args,
        *,
        author: Args | None = None,
        files: Sequence[UploadedFile] = (),
        extra: Args | None = None,
    ) -> Args:
        message_id = self._snowflake()
        message: Args = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author or self.bot_user,
            "content": body.get("content") or "",
            "timestamp": _iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, body, files),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
        }
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        message |= extra or {}
        self._by_id[message_id] = message
        if not message["flags"] & EPHEMERAL:
            self.messages.setdefault(channel_id, []).append(message)
        return message

    def _apply_edit(self, message: Args, body: Args, files: Sequence[UploadedFile]) -> Args:
        _check_message(body, files, edit=True)
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "flags" in body and body["flags"] is not None:
            kept = message["flags"] & (EPHEMERAL | COMPONENTS_V2)
            message["flags"] = int(body["flags"]) | kept
        if "attachments" in body or files:
            message["attachments"] = self._attachments(int(message["channel_id"]), body, files)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = _iso_now()
        return message

    def _forget(self, message: Args) -> None:
        self._by_id.pop(int(message["id"]), None)
        kept = self.messages.get(int(message["channel_id"]), [])
        self.messages[int(message["channel_id"])] = [m for m in kept if m is not message]

    def _attachments(
        self, channel_id: int, body: Args, files: Sequence[UploadedFile]
    ) -> list[Args]:
        """Attachment objects for uploaded files (``files[n]`` matches attachment id n)."""
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        attachments = []
        for index, upload in enumerate(files):
            attachment_id = self._snowflake()
            filename = described.get(str(index), {}).get("filename") or upload.filename
            url = f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(upload.content),
                    "url": url,
                    "proxy_url": url,
                    "content_type": "application/octet-stream",
                }
            )
        return attachments

    # ---- REST: application commands

    async def _get_commands(
        self, call: Call, application_id: str, guild_id: str | None = None
    ) -> list[Args]:
        self._check_application(application_id, guild_id)
        return self.commands.get(_as_int(guild_id), [])

    async def _put_commands(
        self, call: Call, application_id: str, guild_id: str | None = None
    ) -> list[Args]:
        """Bulk overwrite: the list replaces what was published; ids survive by name."""
        self._check_application(application_id, guild_id)
        if not isinstance(call.json, list):
            raise _invalid("a list of commands is required")
        problems = _command_problems(call.json)
        if problems:
            raise _invalid("; ".join(problems))
        scope = _as_int(guild_id)
        self.commands[scope] = [self._stored_command(command, scope) for command in call.json]
        return self.commands[scope]

    async def _post_command(self, call: Call, application_id: str) -> Args:
        self._check_application(application_id, None)
        problems = _command_problems([call.json or {}])
        if problems:
            raise _invalid("; ".join(problems))
        stored = self._stored_command(call.json, None)
        kept = [c for c in self.commands.get(None, []) if c["id"] != stored["id"]]
        self.commands[None] = [*kept, stored]
        return stored

    async def _delete_command(self, call: Call, application_id: str, command_id: str) -> object:
        self._check_application(application_id, None)
        self.commands[None] = [c for c in self.commands.get(None, []) if c["id"] != command_id]
        return NO_CONTENT

    def _check_application(self, application_id: str, guild_id: str | None) -> None:
        if int(application_id) != self.application_id:
            raise DiscordError(404, 10002, "Unknown Application")
        if guild_id is not None and int(guild_id) not in self.guilds:
            raise DiscordError(403, 50001, "Missing Access")

    def _stored_command(self, command: Args, scope: int | None) -> Args:
        kind = command.get("type", 1)
        old = next(
            (
                c
                for c in self.commands.get(scope, [])
                if (c["name"], c.get("type", 1)) == (command["name"], kind)
            ),
            None,
        )
        stored: Args = {"description": "", "default_member_permissions": None, "nsfw": False}
        stored |= command
        stored |= {
            "id": old["id"] if old else str(self._snowflake()),
            "application_id": str(self.application_id),
            "version": str(self._snowflake()),
            "type": kind,
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    # ---- REST: interaction callbacks and webhooks

    async def _callback(self, call: Call, interaction_id: str, token: str) -> Any:
        interaction = self.interactions.get(int(interaction_id))
        if interaction is None or interaction.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if asyncio.get_running_loop().time() - interaction.created_at > self.response_deadline:
            raise DiscordError(404, 10062, "Unknown interaction")
        body = call.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        _check_response_type(interaction.type, kind)
        if kind in (ResponseType.MESSAGE, ResponseType.DEFERRED_MESSAGE):
            if kind == ResponseType.MESSAGE:
                _check_message(data, call.files)
            else:
                data = {"flags": (int(data.get("flags") or 0) & EPHEMERAL) | LOADING}
            interaction.original = self._store_message(
                int(interaction.payload["channel_id"]),
                data,
                author=self.bot_user,
                files=call.files,
                extra=self._interaction_extra(interaction),
            )
        elif kind in (ResponseType.DEFERRED_UPDATE, ResponseType.UPDATE_MESSAGE):
            source = interaction.payload.get("message")
            if source is None:
                raise _invalid(f"type: {kind} needs a message, and this interaction has none")
            target = self._by_id.get(int(source["id"]))
            if target is None:
                raise DiscordError(404, 10008, "Unknown Message")
            if kind == ResponseType.UPDATE_MESSAGE:
                self._apply_edit(target, data, call.files)
            interaction.original = target
        elif kind == ResponseType.MODAL:
            _check_modal(data)
            self.modals[data["custom_id"]] = (interaction, data)
        interaction.callback = body
        if kind in (ResponseType.MESSAGE, ResponseType.DEFERRED_MESSAGE):
            assert interaction.original is not None
            await self._echo(interaction.original)
        if "with_response" not in call.query:
            return NO_CONTENT
        return self._callback_answer(interaction, int(kind))

    def _callback_answer(self, interaction: Interaction, kind: int) -> Args:
        summary: Args = {"id": str(interaction.id), "type": interaction.type}
        answer: Args = {"interaction": summary, "resource": {"type": kind}}
        message = interaction.original
        if message is not None and kind != ResponseType.DEFERRED_UPDATE:
            summary |= {
                "response_message_id": message["id"],
                "response_message_loading": bool(message["flags"] & LOADING),
                "response_message_ephemeral": bool(message["flags"] & EPHEMERAL),
            }
            answer["resource"]["message"] = message
        return answer

    def _interaction_extra(self, interaction: Interaction) -> Args:
        """What marks a message as an interaction's: webhook id, metadata, type."""
        invoker = _invoker(interaction.payload)
        metadata: Args = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": invoker,
            "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
        }
        if interaction.type == InteractionType.COMMAND:
            metadata["name"] = interaction.payload["data"]["name"]
        return {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "type": 20 if interaction.type == InteractionType.COMMAND else 0,
            "interaction_metadata": metadata,
        }

    def _webhook_interaction(self, application_id: str, token: str) -> Interaction:
        interaction = self._by_token.get(token)
        if int(application_id) != self.application_id or interaction is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if interaction.callback is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return interaction

    async def _followup(self, call: Call, application_id: str, token: str) -> Any:
        """A follow-up; the first one after a deferral replaces the "thinking" message."""
        interaction = self._webhook_interaction(application_id, token)
        body = call.json or {}
        original = interaction.original
        if (
            original is not None
            and original["flags"] & LOADING
            and interaction.response_type == ResponseType.DEFERRED_MESSAGE
        ):
            _check_message(body, call.files)
            message = self._apply_edit(
                original, {k: v for k, v in body.items() if k != "flags"}, call.files
            )
        else:
            _check_message(body, call.files)
            message = self._store_message(
                int(interaction.payload["channel_id"]),
                {**body, "flags": int(body.get("flags") or 0) & (EPHEMERAL | COMPONENTS_V2)},
                files=call.files,
                extra=self._interaction_extra(interaction),
            )
            await self._echo(message)
        interaction.followups.append(message)
        return message if call.query.get("wait") in ("1", "true", "True") else NO_CONTENT

    def _hook_message(self, interaction: Interaction, message_id: str) -> Args:
        if message_id == "@original":
            if interaction.original is None or int(interaction.original["id"]) not in self._by_id:
                raise DiscordError(404, 10008, "Unknown Message")
            return interaction.original
        message = self._by_id.get(int(message_id))
        if message is None or message not in (interaction.original, *interaction.followups):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _hook_get(self, call: Call, application_id: str, token: str, message_id: str) -> Args:
        interaction = self._webhook_interaction(application_id, token)
        return self._hook_message(interaction, message_id)

    async def _hook_edit(
        self, call: Call, application_id: str, token: str, message_id: str
    ) -> Args:
        interaction = self._webhook_interaction(application_id, token)
        message = self._hook_message(interaction, message_id)
        return self._apply_edit(message, call.json or {}, call.files)

    async def _hook_del(
        self, call: Call, application_id: str, token: str, message_id: str
    ) -> object:
        interaction = self._webhook_interaction(application_id, token)
        self._forget(self._hook_message(interaction, message_id))
        return NO_CONTENT


# ---- pointing discord.py at the fake, and running a client against it


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at `fake`; restore them after.

    Both are class attributes (``Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY``),
    so leaving them set would send a later test's client to a stopped fake.
    """
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


@contextlib.asynccontextmanager
async def started(
    client: discord.Client,
    fake: FakeDiscord,
    token: str = "fake-bot-token",
    timeout: float = DEFAULT_TIMEOUT,
) -> AsyncIterator[discord.Client]:
    """Run ``client.start(token)`` until it is ready; on exit close it and wait for it.

    Raises what ``start`` raised if it ended first (a refused IDENTIFY, a 401), or
    later while the block ran. Give the client a small ``guild_ready_timeout``:
    discord.py waits that long after the last GUILD_CREATE (2 s by default).
    """
    if fake.api_base != Route.BASE:
        raise AssertionError("discord.py is not pointed at this fake: use `with pointed_at(fake)`")
    running = asyncio.create_task(client.start(token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
    try:
        first = asyncio.FIRST_COMPLETED
        done, _ = await asyncio.wait({running, ready}, timeout=timeout, return_when=first)
        if running in done:
            running.result()
            raise AssertionError("the client stopped before it was ready")
        if not done:
            raise AssertionError(f"the client was not ready within {timeout}s")
        yield client
        if running.done():
            running.result()
    finally:
        ready.cancel()
        await client.close()
        if not (await asyncio.wait({running}, timeout=timeout))[0]:
            running.cancel()
        await asyncio.gather(running, ready, return_exceptions=True)


# ---- helpers


def _matches(method: str, path: str, want_method: str, want: str | re.Pattern[str]) -> bool:
    if want_method not in ("*", method):
        return False
    return path.startswith(want) if isinstance(want, str) else bool(want.fullmatch(path))


def _as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _iso_now() -> str:
    return datetime.now(UTC).isoformat()


def _text_channel(channel_id: int, guild_id: int, name: str) -> Args:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def _invoker(payload: Args) -> Args:
    """The user behind an interaction: ``member.user`` in guilds, ``user`` in DMs."""
    return payload["member"]["user"] if "member" in payload else payload["user"]


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def _json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """JSON with Content-Type exactly ``application/json``: discord.py reads text otherwise."""
    all_headers = {**(headers or {}), "Content-Type": "application/json"}
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


def _bucket(method: str, path: str) -> str:
    template = re.sub(r"\d{6,}", "{id}", path)
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]


def _ratelimit_headers(method: str, path: str) -> dict[str, str]:
    """A roomy bucket, so discord.py never waits before a request on its own."""
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": _bucket(method, path),
        "Via": "1.1 google",
    }


def _failure_response(failure: _Failure, path: str) -> tuple[int, Args, dict[str, str]]:
    if failure.status != 429:
        default = {500: "500: Internal Server Error", 502: "502: Bad Gateway"}.get(
            failure.status, f"{failure.status}: fake Discord failure"
        )
        body = {"message": failure.message or default, "code": failure.code or 0}
        return failure.status, body, {"Via": "1.1 google"}
    body = {
        "message": failure.message or "You are being rate limited.",
        "retry_after": failure.retry_after,
        "global": failure.global_,
    }
    if failure.code is not None:
        body["code"] = failure.code
    headers = {
        "Retry-After": str(math.ceil(failure.retry_after)),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + failure.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{failure.retry_after:.3f}",
        "X-RateLimit-Bucket": _bucket("*", path),
        "X-RateLimit-Scope": "global" if failure.global_ else "user",
        "Via": "1.1 google",
    }
    if failure.global_:
        headers["X-RateLimit-Global"] = "true"
    return 429, body, headers


async def _read_body(request: web.Request) -> tuple[Any, tuple[UploadedFile, ...]]:
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


def _walk_components(components: Iterable[Args]) -> Iterator[Args]:
    """Every component, nested ones too (rows, labels, sections, containers)."""
    for component in components:
        yield component
        yield from _walk_components(component.get("components", []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from _walk_components([component[key]])


def _find_component(components: Iterable[Args], custom_id: str) -> Args | None:
    return next((c for c in _walk_components(components) if c.get("custom_id") == custom_id), None)


def _submitted(component: Args, values: Mapping[str, str | Sequence[str]]) -> Args:
    """A modal component as the submission carries it: inputs with what was entered."""
    kind = component["type"]
    answer: Args = {"type": kind}
    if "id" in component:
        answer["id"] = component["id"]
    if kind == 1:
        answer["components"] = [_submitted(c, values) for c in component.get("components", [])]
    elif kind == 18:
        answer["component"] = _submitted(component["component"], values)
    elif "custom_id" in component:
        custom_id = component["custom_id"]
        answer["custom_id"] = custom_id
        if kind == 4:
            value = values.get(custom_id, "")
            if not isinstance(value, str):
                raise AssertionError(f"text input {custom_id!r} takes a str, not {value!r}")
            if component.get("required", True) and not value:
                raise AssertionError(f"text input {custom_id!r} is required: give it a value")
            if len(value) > component.get("max_length", 4000):
                raise AssertionError(f"text input {custom_id!r} allows {component['max_length']}")
            answer["value"] = value
        else:
            chosen = values.get(custom_id, [])
            answer["values"] = [chosen] if isinstance(chosen, str) else list(chosen)
    return answer


def _check_message(body: Args, files: Sequence[UploadedFile], *, edit: bool = False) -> None:
    """Discord's checks on a message body: length, emptiness, component counts."""
    content = body.get("content") or ""
    if len(content) > 2000:
        raise _invalid(f"content: must be 2000 or fewer in length (was {len(content)})")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        raise _invalid("embeds: must be 10 or fewer in length")
    for embed in embeds:
        if len(embed.get("description") or "") > 4096:
            raise _invalid("embeds: description must be 4096 or fewer in length")
    components = body.get("components") or []
    if not int(body.get("flags") or 0) & COMPONENTS_V2:
        if len(components) > 5:
            raise _invalid("components: must be 5 or fewer in length")
        for row in components:
            if row.get("type") != 1 or len(row.get("components", [])) > 5:
                raise _invalid("components: each must be an action row of at most 5")
    for component in _walk_components(components):
        if len(component.get("custom_id") or "") > 100:
            raise _invalid("components: custom_id must be 100 or fewer in length")
        if len(component.get("label") or "") > 80:
            raise _invalid("components: label must be 80 or fewer in length")
    parts = ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    if not edit and not files and not any(body.get(key) for key in parts):
        raise DiscordError(400, 50006, "Cannot send an empty message")


def _check_modal(data: Args) -> None:
    if not data.get("custom_id") or len(data["custom_id"]) > 100:
        raise _invalid("modal custom_id: 1 to 100 characters")
    if not 1 <= len(data.get("title") or "") <= 45:
        raise _invalid("modal title: 1 to 45 characters")
    if not 1 <= len(data.get("components") or []) <= 5:
        raise _invalid("modal components: 1 to 5")


_ALLOWED_RESPONSES: dict[int, frozenset[int]] = {
    InteractionType.COMMAND: frozenset({4, 5, 9}),
    InteractionType.COMPONENT: frozenset({4, 5, 6, 7, 9}),
    InteractionType.AUTOCOMPLETE: frozenset({8}),
    InteractionType.MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}


def _check_response_type(interaction_type: int, response_type: Any) -> None:
    if response_type not in _ALLOWED_RESPONSES[interaction_type]:
        raise _invalid(f"type: {response_type} is not a valid answer to a type {interaction_type}")


_COMMAND_NAME = re.compile(r"[-_\w]{1,32}")


def _command_problems(commands: Sequence[Args]) -> list[str]:
    """What Discord would refuse in a command list: names, descriptions, option order."""
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for command in commands:
        name, kind = command.get("name") or "", command.get("type", 1)
        if (name, kind) in seen:
            problems.append(f"{name}: duplicate name")
        seen.add((name, kind))
        if kind == 1:
            problems += _named_problems(command, name)
    return problems


def _named_problems(item: Args, where: str) -> list[str]:
    problems: list[str] = []
    name = item.get("name") or ""
    if not _COMMAND_NAME.fullmatch(name) or name != name.lower():
        problems.append(f"{where}: name must be 1-32 lowercase letters, digits, - or _")
    if not 1 <= len(item.get("description") or "") <= 100:
        problems.append(f"{where}: description must be 1-100 characters")
    options = item.get("options") or []
    if len(options) > 25:
        problems.append(f"{where}: at most 25 options")
    if len(item.get("choices") or []) > 25:
        problems.append(f"{where}: at most 25 choices")
    required = [bool(o.get("required")) for o in options if o.get("type") not in (1, 2)]
    if required != sorted(required, reverse=True):
        problems.append(f"{where}: required options must come before optional ones")
    for option in options:
        problems += _named_problems(option, f"{where}.{option.get('name')}")
    return problems
