"""Settings from the environment; `.env.example` documents each one.

Reading `.env` is the CLI's job (bot/ never touches files it was not given),
so tests build Settings from a plain mapping and never see a developer's `.env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    data_dir: Path = Path("data")
    playbook_dir: Path | None = None
    default_timezone: str = "UTC"
    conversation_ttl_hours: int = 72
    crisis_contact: str = ""
    slack_bot_token: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)

    @property
    def database(self) -> str:
        """DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'bounceback.db'}"

    @property
    def platforms_configured(self) -> bool:
        return bool(self.slack_bot_token or self.discord_token)


def load_settings(env: Mapping[str, str]) -> Settings:
    zone = env.get("BOUNCEBACK_TIMEZONE", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"BOUNCEBACK_TIMEZONE={zone!r} is not an IANA zone name like Europe/Berlin"
        ) from None
    ttl = env.get("BOUNCEBACK_CONVERSATION_TTL_HOURS", "72")
    if not (ttl.isascii() and ttl.isdigit()) or int(ttl) < 1:
        raise ConfigError("BOUNCEBACK_CONVERSATION_TTL_HOURS must be a whole number of hours")
    playbook = env.get("BOUNCEBACK_PLAYBOOK_DIR", "")
    return Settings(
        database_url=env.get("DATABASE_URL", ""),
        data_dir=Path(env.get("BOUNCEBACK_DATA_DIR", "data")),
        playbook_dir=Path(playbook) if playbook else None,
        default_timezone=zone,
        conversation_ttl_hours=int(ttl),
        crisis_contact=env.get("BOUNCEBACK_CRISIS_CONTACT", ""),
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        discord_token=env.get("DISCORD_TOKEN", ""),
    )
