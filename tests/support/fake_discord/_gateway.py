"""The gateway: HELLO, IDENTIFY and RESUME per shard, events dispatched to the shard
that owns a guild, and the REST routes a client reads before it connects."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from ._state import State
from ._wire import (
    API_VERSION,
    BOT_NAME,
    DEFAULT_TIMEOUT,
    DIRECT_MESSAGES,
    GUILD_MEMBERS,
    GUILD_MESSAGES,
    GUILDS,
    MEMBER_ID,
    MEMBER_PERMISSIONS,
    MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
    Args,
    Call,
    DiscordError,
    FakeGuild,
    as_int,
)


class Connection:
    """One gateway WebSocket; sends are serialised so zlib-stream frames stay in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._compressor = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()
        self.session: Session | None = None
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
class Session:
    """A gateway session: outlives its socket so a RESUME can replay what was missed."""

    id: str
    shard: tuple[int, int]
    intents: int
    connection: Connection | None
    seq: int = 0
    backlog: list[Args] = field(default_factory=list)

    def covers(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)

    @property
    def live(self) -> bool:
        return self.connection is not None and not self.connection.ws.closed


class Gateway(State):
    """Gateway sessions, what they dispatch, and how a test drops them."""

    # ---- what tests wait for and do

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

    # ---- the socket

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        connection = Connection(ws, compress=request.query.get("compress") == "zlib-stream")
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

    async def _gateway_closed(self, connection: Connection) -> None:
        """A client's clean close (1000/1001) ends its session, as Discord does."""
        session = connection.session
        if session is not None and session.connection is connection:
            session.connection = None
            clean = connection.ws.close_code in (1000, 1001) and not connection.dropped
            if clean and session in self._sessions:
                self._sessions.remove(session)
        await self._notify()

    async def _gateway_receive(self, connection: Connection, payload: Args) -> None:
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

    async def _identify(self, connection: Connection, data: Args) -> None:
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
        session = Session(secrets.token_hex(16), (shard_id, count), intents, connection)
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

    async def _resume(self, connection: Connection, data: Args) -> None:
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

    async def _dispatch(self, session: Session, event: str, data: Args) -> None:
        """Send a DISPATCH on the session; kept in its backlog for a RESUME to replay."""
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.backlog = [*session.backlog[-999:], payload]
        if session.live:
            assert session.connection is not None
            await session.connection.send(payload)

    async def _session_for(self, guild_id: int | None) -> Session:
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
        guild_id = as_int(channel.get("guild_id"))
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

    # ---- REST: the bot, its guilds and the gateway

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
