"""The manifest in the repo is the one the code makes: every command, no more scopes."""

from __future__ import annotations

import json

from adapters.slack.manifest import MANIFEST, as_text, manifest
from bot.catalogue import COMMANDS


def test_the_manifest_in_the_repo_is_current() -> None:
    assert MANIFEST.read_text() == as_text()


def test_every_command_is_declared_and_none_other() -> None:
    declared = [command["command"] for command in manifest()["features"]["slash_commands"]]
    assert declared == [f"/{spec.name}" for spec in COMMANDS]


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
