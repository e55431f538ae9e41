"""The Slack app manifest, made from the one list of commands so it never drifts.

Slash commands are global to a workspace: only /rejected and /win are
commands of their own, and /bounceback holds the rest (`/bounceback settings`).

`bounceback slack-manifest` prints it (Socket Mode by default; `--url` for
HTTP mode), and adapters/slack/manifest.json is the Socket Mode one, ready to
paste into api.slack.com/apps > Create New App > From a manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.slack.app import EVENTS_PATH
from bot.conversation.commands import HOME
from bot.conversation.registry import SLACK_COMMANDS, UNDER_HOME

MANIFEST = Path(__file__).with_name("manifest.json")
# What the adapter uses, and nothing more: no channel history, no chat:write.public,
# no way to mention @everyone. The bot posts in the group's channel once invited to it.
BOT_SCOPES = ("commands", "chat:write", "im:write", "im:history", "users:read", "files:write")
# app_uninstalled and tokens_revoked: a departed workspace's token is deleted at once.
BOT_EVENTS = ("app_home_opened", "message.im", "app_uninstalled", "tokens_revoked")


def manifest(url: str | None = None) -> dict[str, Any]:
    """Socket Mode without a URL; HTTP mode with the public base URL Slack should call."""
    events = f"{url.rstrip('/')}{EVENTS_PATH}" if url else None
    commands = [_slash(spec.name, spec.description, spec.options_usage) for spec in SLACK_COMMANDS]
    commands.append(_slash(HOME, HOME_DESCRIPTION, " | ".join(s.name for s in UNDER_HOME)))
    if events:
        for command in commands:
            command["url"] = events
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": events is None,
        "token_rotation_enabled": False,
    }
    if events:
        settings["event_subscriptions"]["request_url"] = events
        settings["interactivity"]["request_url"] = events
    return {
        "display_information": {
            "name": "Bounceback",
            "description": "A private companion for job-search groups, for the days after a no.",
            "background_color": "#2f4858",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Bounceback", "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": settings,
    }


HOME_DESCRIPTION = "Help, settings, follow-ups, stats and the rest: /bounceback help lists them."


def _slash(name: str, description: str, usage_hint: str) -> dict[str, Any]:
    command: dict[str, Any] = {
        "command": f"/{name}",
        "description": description[:100],
        "should_escape": False,
    }
    if usage_hint:
        command["usage_hint"] = usage_hint
    return command


def as_text(url: str | None = None) -> str:
    return json.dumps(manifest(url), indent=2) + "\n"
