"""Settings from the environment; `.env.example` documents each one.

Reading `.env` is the CLI's job (bot/ never touches files it was not given),
so tests build Settings from a plain mapping and never see a developer's `.env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LONGEST_TTL_HOURS = 24 * 366


class ConfigError(Exception):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default="", repr=False)  # may carry a password
    data_dir: Path = Path("data")
    playbook_dir: Path | None = None
    default_timezone: str = "UTC"
    conversation_ttl_hours: int = 72
    crisis_contact: str = ""
    facilitators: tuple[str, ...] = ()  # "platform:workspace:user", allowed to run /group
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_mode: str = "socket"
    slack_api_url: str = "https://slack.com/api/"
    port: int = 3000
    discord_token: str = field(default="", repr=False)

    @property
    def database(self) -> str:
        """DATABASE_URL, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'bounceback.db'}"


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
    playbook = env.get("BOUNCEBACK_PLAYBOOK_DIR", "")
    return Settings(
        database_url=env.get("DATABASE_URL", ""),
        data_dir=Path(env.get("BOUNCEBACK_DATA_DIR", "data")),
        playbook_dir=Path(playbook) if playbook else None,
        default_timezone=zone,
        conversation_ttl_hours=int(ttl),
        crisis_contact=env.get("BOUNCEBACK_CRISIS_CONTACT", ""),
        facilitators=_facilitators(env.get("BOUNCEBACK_FACILITATORS", "")),
        **_slack(env),
        discord_token=env.get("DISCORD_TOKEN", ""),
    )


def _slack(env: Mapping[str, str]) -> dict[str, object]:
    """Slack's settings, checked together: each mode needs its own secret."""
    token = env.get("SLACK_BOT_TOKEN", "")
    mode = env.get("SLACK_MODE", "socket") or "socket"
    if mode not in ("socket", "http"):
        raise ConfigError(f"SLACK_MODE must be socket or http, not {mode!r}")
    app_token = env.get("SLACK_APP_TOKEN", "")
    secret = env.get("SLACK_SIGNING_SECRET", "")
    if token and mode == "socket" and not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_MODE=socket needs SLACK_APP_TOKEN, an app-level token (xapp-...)")
    if token and mode == "http" and not secret:
        raise ConfigError("SLACK_MODE=http needs SLACK_SIGNING_SECRET to verify Slack's requests")
    port = env.get("PORT", "3000") or "3000"
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        raise ConfigError(f"PORT must be a port number, not {port!r}")
    api_url = env.get("SLACK_API_URL", "") or "https://slack.com/api/"
    return {
        "slack_bot_token": token,
        "slack_app_token": app_token,
        "slack_signing_secret": secret,
        "slack_mode": mode,
        "slack_api_url": api_url if api_url.endswith("/") else api_url + "/",
        "port": int(port),
    }


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
