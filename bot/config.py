"""Settings from the environment; `.env.example` documents each one.

Reading `.env` is the CLI's job (bot/ never touches files it was not given),
so tests build Settings from a plain mapping and never see a developer's `.env`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet

LONGEST_TTL_HOURS = 24 * 366
LONGEST_LEASE_SECONDS = 24 * 3600
MAKE_FERNET_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
_MOST_SHARDS = 10_000  # far beyond any bot Discord would shard for
_SLACK_SCOPE = re.compile(r"[a-z][a-z._-]*(:[a-z._-]+)?")


class ConfigError(Exception):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default="", repr=False)  # may carry a password
    data_dir: Path = Path("data")
    playbook_dir: Path | None = None
    default_timezone: str = "UTC"
    conversation_ttl_hours: int = 72
    lease_seconds: int = 120  # how long a worker holds a reminder it is sending
    crisis_contact: str = ""
    facilitators: tuple[str, ...] = ()  # "platform:workspace:user", allowed to run /group
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_mode: str = "socket"
    slack_api_url: str = "https://slack.com/api/"
    slack_client_id: str = ""  # not a secret: it is in every install link
    slack_client_secret: str = field(default="", repr=False)
    slack_encryption_key: str = field(default="", repr=False)
    slack_scopes: tuple[str, ...] = ()  # empty: the ones the Slack adapter needs
    port: int = 3000
    discord_token: str = field(default="", repr=False)
    discord_shard_count: int | None = None  # None: as many as Discord recommends
    discord_shard_ids: tuple[int, ...] = ()  # empty: every shard of the count
    discord_dev_guild: int | None = None  # commands sync there at once, for development
    discord_api_url: str = "https://discord.com/api/v10"

    @property
    def database(self) -> str:
        """DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'bounceback.db'}"

    @property
    def database_setting(self) -> str:
        """The setting that names the database, for a message about it."""
        return "DATABASE_URL" if self.database_url else "BOUNCEBACK_DATA_DIR"

    @property
    def lease(self) -> timedelta:
        """The outbox lease: after a crash mid-send, a reminder waits this long to be retried."""
        return timedelta(seconds=self.lease_seconds)

    @property
    def slack_oauth(self) -> bool:
        """Installed by many workspaces through OAuth, rather than one workspace's token."""
        return self.slack_mode == "http" and bool(self.slack_client_id) and not self.slack_bot_token


def log_level(env: Mapping[str, str]) -> int:
    """LOG_LEVEL as a level number; read apart from Settings, as logging starts first."""
    raw = env.get("LOG_LEVEL", "")
    levels = logging.getLevelNamesMapping()
    if (name := raw.strip().upper() or "WARNING") not in levels:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {raw[:20]!r}")
    return levels[name]


def load_settings(env: Mapping[str, str]) -> Settings:
    zone = env.get("BOUNCEBACK_TIMEZONE", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # `Europe` is a folder: OSError
        raise ConfigError(
            f"BOUNCEBACK_TIMEZONE={zone!r} is not an IANA zone name like Europe/Berlin"
        ) from None
    ttl = env.get("BOUNCEBACK_CONVERSATION_TTL_HOURS", "72")
    if not (ttl.isascii() and ttl.isdigit()) or not 1 <= int(ttl) <= LONGEST_TTL_HOURS:
        raise ConfigError(
            "BOUNCEBACK_CONVERSATION_TTL_HOURS must be a whole number of hours, "
            f"from 1 to {LONGEST_TTL_HOURS:,} (a year)"
        )
    lease = env.get("BOUNCEBACK_LEASE_SECONDS", "120") or "120"
    if not (lease.isascii() and lease.isdigit()) or not 1 <= int(lease) <= LONGEST_LEASE_SECONDS:
        raise ConfigError(
            "BOUNCEBACK_LEASE_SECONDS must be a whole number of seconds, "
            f"from 1 to {LONGEST_LEASE_SECONDS:,} (a day)"
        )
    playbook = env.get("BOUNCEBACK_PLAYBOOK_DIR", "")
    return Settings(
        database_url=env.get("DATABASE_URL", ""),
        data_dir=Path(env.get("BOUNCEBACK_DATA_DIR", "data")),
        playbook_dir=Path(playbook) if playbook else None,
        default_timezone=zone,
        conversation_ttl_hours=int(ttl),
        lease_seconds=int(lease),
        crisis_contact=env.get("BOUNCEBACK_CRISIS_CONTACT", ""),
        facilitators=_facilitators(env.get("BOUNCEBACK_FACILITATORS", "")),
        **_slack(env),
        **_discord(env),
    )


class _SlackSettings(TypedDict):
    """Settings' Slack fields, as `_slack` checks them together."""

    slack_bot_token: str
    slack_app_token: str
    slack_signing_secret: str
    slack_mode: str
    slack_api_url: str
    slack_client_id: str
    slack_client_secret: str
    slack_encryption_key: str
    slack_scopes: tuple[str, ...]
    port: int


class _DiscordSettings(TypedDict):
    """Settings' Discord fields, as `_discord` checks them together."""

    discord_token: str
    discord_shard_count: int | None
    discord_shard_ids: tuple[int, ...]
    discord_dev_guild: int | None
    discord_api_url: str


def _slack(env: Mapping[str, str]) -> _SlackSettings:
    """Slack's settings, checked together: each mode needs its own secret."""
    token = env.get("SLACK_BOT_TOKEN", "")
    mode = env.get("SLACK_MODE", "socket") or "socket"
    if mode not in ("socket", "http"):
        raise ConfigError(f"SLACK_MODE must be socket or http, not {mode!r}")
    app_token = env.get("SLACK_APP_TOKEN", "")
    secret = env.get("SLACK_SIGNING_SECRET", "")
    if token and mode == "socket" and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_MODE=socket needs SLACK_APP_TOKEN, an app-level token (xapp-...)")
    client_id = env.get("SLACK_CLIENT_ID", "")
    client_secret = env.get("SLACK_CLIENT_SECRET", "")
    if bool(client_id) != bool(client_secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise ConfigError(
            f"Installing in several workspaces needs {missing} too: SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET come together from Basic Information > App Credentials"
        )
    if client_id and token:
        raise ConfigError(
            "Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
            "(installed by several workspaces), not both"
        )
    if client_id and mode != "http":
        raise ConfigError(
            "SLACK_CLIENT_ID (installed by several workspaces) needs SLACK_MODE=http: "
            "Slack sends installers back to /slack/oauth_redirect"
        )
    if (token or client_id) and mode == "http" and not secret:
        raise ConfigError("SLACK_MODE=http needs SLACK_SIGNING_SECRET to verify Slack's requests")
    key = env.get("SLACK_ENCRYPTION_KEY", "")
    if client_id and not key:
        raise ConfigError(
            "SLACK_CLIENT_ID needs SLACK_ENCRYPTION_KEY, the key that keeps each workspace's "
            f"bot token encrypted in the database; make one with: {MAKE_FERNET_KEY}"
        )
    if key:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                f"SLACK_ENCRYPTION_KEY is not a Fernet key; make one with: {MAKE_FERNET_KEY}"
            ) from None
    port = env.get("PORT", "3000") or "3000"
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ConfigError(f"PORT must be a port number, not {port!r}")
    api_url = env.get("SLACK_API_URL", "") or "https://slack.com/api/"
    scopes = tuple(dict.fromkeys(s.strip() for s in env.get("SLACK_SCOPES", "").split(",")))
    scopes = tuple(scope for scope in scopes if scope)
    if bad := next((scope for scope in scopes if not _SLACK_SCOPE.fullmatch(scope)), None):
        raise ConfigError(
            f"SLACK_SCOPES entry {bad[:40]!r} is not a Slack scope; "
            "give them comma-separated, e.g. commands,chat:write"
        )
    return {
        "slack_bot_token": token,
        "slack_app_token": app_token,
        "slack_signing_secret": secret,
        "slack_mode": mode,
        "slack_api_url": api_url if api_url.endswith("/") else api_url + "/",
        "slack_client_id": client_id,
        "slack_client_secret": client_secret,
        "slack_encryption_key": key,
        "slack_scopes": scopes,
        "port": int(port),
    }


def _discord(env: Mapping[str, str]) -> _DiscordSettings:
    """Discord's settings: which shards this process runs, checked against the count."""
    count = _whole_number(env, "DISCORD_SHARD_COUNT", "a whole number of shards, e.g. 4")
    raw_ids = [part.strip() for part in env.get("DISCORD_SHARD_IDS", "").split(",")]
    ids: list[int] = []
    for part in filter(None, raw_ids):
        if not (part.isascii() and part.isdigit()):
            raise ConfigError(
                f"DISCORD_SHARD_IDS entry {part[:20]!r} is not a shard number; "
                "give them comma-separated, e.g. 0,1"
            )
        ids.append(int(part))
    if ids and count is None:
        raise ConfigError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT, the total across processes")
    if count is not None and not 1 <= count <= _MOST_SHARDS:
        raise ConfigError(f"DISCORD_SHARD_COUNT must be from 1 to {_MOST_SHARDS:,}")
    if count is not None and any(shard >= count for shard in ids):
        raise ConfigError(
            f"DISCORD_SHARD_IDS run from 0 to DISCORD_SHARD_COUNT - 1 ({count - 1}), not {max(ids)}"
        )
    guild = _whole_number(env, "DISCORD_DEV_GUILD", "a server id (a number)")
    api_url = (env.get("DISCORD_API_URL", "") or "https://discord.com/api/v10").rstrip("/")
    return {
        "discord_token": env.get("DISCORD_TOKEN", ""),
        "discord_shard_count": count,
        "discord_shard_ids": tuple(dict.fromkeys(ids)),
        "discord_dev_guild": guild,
        "discord_api_url": api_url,
    }


def _whole_number(env: Mapping[str, str], name: str, what: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20:
        raise ConfigError(f"{name} must be {what}, not {raw[:24]!r}")
    return int(raw)


def _facilitators(raw: str) -> tuple[str, ...]:
    """Comma-separated `platform:workspace:user` ids; blanks between commas are ignored."""
    found: list[str] = []
    for entry in (item.strip() for item in raw.split(",")):
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) != 3 or not all(
            part and part.isprintable() and not any(ch.isspace() for ch in part) for part in parts
        ):
            shown = entry if len(entry) <= 40 else entry[:40] + "..."
            raise ConfigError(
                f"BOUNCEBACK_FACILITATORS entry {shown!r} is not platform:workspace:user, "
                "e.g. slack:T0123ABC:U0456DEF"
            )
        if entry not in found:
            found.append(entry)
    return tuple(found)
