"""What every part of the fake shares: the guilds, users, calls, messages and
interactions it holds, its addresses, and waiting until a test's condition holds."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from aiohttp import web

from ._wire import (
    ADMINISTRATOR,
    API_VERSION,
    APPLICATION_ID,
    BOT_NAME,
    BOT_USER_ID,
    DEFAULT_TIMEOUT,
    DISCORD_EPOCH_MS,
    GUILD_ID,
    HOST,
    MEMBER_PERMISSIONS,
    Args,
    Call,
    FakeGuild,
    matches,
    text_channel,
)

if TYPE_CHECKING:
    from ._gateway import Connection, Session
    from ._interactions import Interaction
    from ._rate_limits import Failure, GlobalLimit


class State:
    """The fake's state and the lookups every section uses; the sections add behaviour."""

    def __init__(
        self,
        *,
        guilds: Iterable[int | FakeGuild] = (GUILD_ID,),
        application_id: int = APPLICATION_ID,
        bot_user_id: int = BOT_USER_ID,
        token: str | None = None,
        privileged_intents: int = 0,
        recommended_shards: int = 1,
        answer_delay: float = 0.0,
        global_limit: GlobalLimit | None = None,
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
        # Seconds before answering a call that creates a message (a channel message, an
        # interaction's follow-up), as Discord takes 50-300 ms; 0 answers at once.
        self.answer_delay = answer_delay
        self.global_limit = global_limit  # None: no global limit, only asked-for 429s

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
        self.uploads: dict[str, bytes] = {}  # attachment id -> the bytes uploaded

        self._changed = asyncio.Condition()
        self._failures: list[Failure] = []
        self._channels: dict[int, Args] = {}
        self._dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self._by_id: dict[int, Args] = {}  # every message, ephemeral ones too
        self._nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self._by_token: dict[str, Interaction] = {}
        self._sessions: list[Session] = []
        self._connections: list[Connection] = []
        self._last_snowflake = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        for guild in self.guilds.values():
            for channel_id, name in guild.channel_names.items():
                self._channels[channel_id] = text_channel(channel_id, guild.id, name)

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

    def calls_to(self, method: str, path: str | re.Pattern[str]) -> list[Call]:
        """Every recorded call matching (failed attempts included), oldest first."""
        return [call for call in self.calls if matches(call.method, call.path, method, path)]

    def per_second(
        self, method: str = "*", path: str | re.Pattern[str] = "", status: int | None = 200
    ) -> Counter[int]:
        """How many matching calls (answered `status`; None: any) arrived in each
        wall-clock second, keyed by ``int(received_at)``."""
        return Counter(
            int(call.received_at)
            for call in self.calls
            if (status is None or call.status == status)
            and matches(call.method, call.path, method, path)
        )

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
