"""The manifest in the repo is the one the code makes: three commands, no more scopes."""

from __future__ import annotations

import json

from adapters.slack.manifest import MANIFEST, as_text, manifest
from bot.conversation.registry import UNDER_HOME


def test_the_manifest_in_the_repo_is_current() -> None:
    assert MANIFEST.read_text() == as_text()


def test_slack_has_rejected_win_and_bounceback_for_the_rest() -> None:
    """Slack's commands are global to a workspace: no generic /help or /settings."""
    declared = [command["command"] for command in manifest()["features"]["slash_commands"]]
    assert declared == ["/rejected", "/win", "/bounceback"]


def test_the_bounceback_hint_lists_every_other_command() -> None:
    home = manifest()["features"]["slash_commands"][-1]
    hinted = home["usage_hint"].split(" | ")
    assert hinted == [spec.name for spec in UNDER_HOME]
    assert {"help", "settings", "feedback", "stats", "export"} <= set(hinted)


def test_http_mode_sends_every_request_to_the_events_path() -> None:
    http = manifest("https://bounceback.example.org/")
    urls = {command["url"] for command in http["features"]["slash_commands"]}
    urls |= {http["settings"]["event_subscriptions"]["request_url"]}
    urls |= {http["settings"]["interactivity"]["request_url"]}
    assert urls == {"https://bounceback.example.org/slack/events"}
    assert http["settings"]["socket_mode_enabled"] is False


def test_no_scope_reads_channels_or_posts_where_the_bot_was_not_invited() -> None:
    scopes = set(json.loads(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])
    assert not scopes & {"channels:history", "groups:history", "chat:write.public", "admin"}
