"""What the fake's Discord is made of: ids, intents, flags, the shapes of a call, a
guild and an error, and small readers of payloads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from tests.support.loopback import HOST as HOST  # the fake's address, with its wire

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
    parsed body, or the ``payload_json`` part of a multipart body; `received_at` is
    when it arrived, on the wall clock (`time.time()`), which is what the global
    limit and the per-second counts go by.
    """

    method: str
    path: str
    json: Any
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)
    files: tuple[UploadedFile, ...] = ()
    status: int = 200
    answer: Any = None
    received_at: float = 0.0


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


class DiscordError(Exception):
    """Raised by a route handler to answer Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: Args = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def invalid(problem: str) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", {"_errors": [{"message": problem}]})


def matches(method: str, path: str, want_method: str, want: str | re.Pattern[str]) -> bool:
    if want_method not in ("*", method):
        return False
    return path.startswith(want) if isinstance(want, str) else bool(want.fullmatch(path))


def as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def text_channel(channel_id: int, guild_id: int, name: str) -> Args:
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


def invoker_of(payload: Args) -> Args:
    """The user behind an interaction: ``member.user`` in guilds, ``user`` in DMs."""
    return payload["member"]["user"] if "member" in payload else payload["user"]


def option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3
