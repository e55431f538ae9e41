"""Settings from a plain mapping: sensible defaults, a bad value stops start-up with its
name, and secrets stay out of anything that might be printed or logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, Settings, load_settings

PROPERTY = settings(max_examples=200, deadline=None)
FULL = {
    "DATABASE_URL": "postgresql+psycopg://bounceback@db.internal/bounceback",
    "BOUNCEBACK_DATA_DIR": "/var/lib/bounceback",
    "BOUNCEBACK_PLAYBOOK_DIR": "/etc/bounceback/playbook",
    "BOUNCEBACK_TIMEZONE": "Europe/Berlin",
    "BOUNCEBACK_CONVERSATION_TTL_HOURS": "24",
    "BOUNCEBACK_LEASE_SECONDS": "30",
    "BOUNCEBACK_CRISIS_CONTACT": "Priya, our facilitator",
    "BOUNCEBACK_FACILITATORS": "slack:T1:U-priya, discord:G9:42,,slack:T1:U-priya",
    "SLACK_BOT_TOKEN": "xoxb-1234-abcd",
    "SLACK_MODE": "http",
    "SLACK_SIGNING_SECRET": "8f14e45fceea167a",
    "SLACK_APP_TOKEN": "xapp-1-A1-5678",
    "PORT": "8080",
    "SLACK_API_URL": "https://slack-gov.com/api/",
    "DISCORD_TOKEN": "MTIz.abc.def",
    "DISCORD_SHARD_COUNT": "4",
    "DISCORD_SHARD_IDS": "2, 3,2",
    "DISCORD_DEV_GUILD": "81234567890123456",
    "DISCORD_API_URL": "http://127.0.0.1:9999/api/v10/",
}


def test_an_empty_environment_gives_the_defaults() -> None:
    loaded = load_settings({})
    assert loaded == Settings()
    assert loaded.default_timezone == "UTC"
    assert loaded.conversation_ttl_hours == 72
    assert loaded.playbook_dir is None
    assert loaded.database == f"sqlite:///{Path('data') / 'bounceback.db'}"


def test_every_variable_is_read_into_its_setting() -> None:
    assert load_settings(FULL) == Settings(
        database_url=FULL["DATABASE_URL"],
        data_dir=Path("/var/lib/bounceback"),
        playbook_dir=Path("/etc/bounceback/playbook"),
        default_timezone="Europe/Berlin",
        conversation_ttl_hours=24,
        lease_seconds=30,
        crisis_contact="Priya, our facilitator",
        facilitators=("slack:T1:U-priya", "discord:G9:42"),
        slack_bot_token="xoxb-1234-abcd",
        slack_app_token="xapp-1-A1-5678",
        slack_signing_secret="8f14e45fceea167a",
        slack_mode="http",
        slack_api_url="https://slack-gov.com/api/",
        port=8080,
        discord_token="MTIz.abc.def",
        discord_shard_count=4,
        discord_shard_ids=(2, 3),
        discord_dev_guild=81234567890123456,
        discord_api_url="http://127.0.0.1:9999/api/v10",
    )
    assert load_settings(FULL).database == FULL["DATABASE_URL"]


def test_unrelated_variables_are_ignored() -> None:
    assert load_settings({"PATH": "/usr/bin", "LOG_LEVEL": "DEBUG"}) == Settings()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOUNCEBACK_TIMEZONE", "Mars/Olympus"),
        ("BOUNCEBACK_TIMEZONE", "Europe/Berlinn"),
        ("BOUNCEBACK_TIMEZONE", "+02:00"),
        ("BOUNCEBACK_TIMEZONE", "../../etc/passwd"),
        ("BOUNCEBACK_TIMEZONE", " Europe/Berlin"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "0"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "-1"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "1.5"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "72h"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "three days"),
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "\u0663"),  # an Arabic-Indic three
        ("BOUNCEBACK_CONVERSATION_TTL_HOURS", "\u00b2"),
        ("BOUNCEBACK_LEASE_SECONDS", "0"),
        ("BOUNCEBACK_LEASE_SECONDS", "2m"),
        ("BOUNCEBACK_LEASE_SECONDS", "86401"),
        ("BOUNCEBACK_FACILITATORS", "U-priya"),
        ("BOUNCEBACK_FACILITATORS", "slack:T1:U-priya:extra"),
        ("BOUNCEBACK_FACILITATORS", "slack::U-priya"),
        ("DISCORD_SHARD_COUNT", "0"),
        ("DISCORD_SHARD_COUNT", "four"),
        ("DISCORD_SHARD_IDS", "0,1"),  # without a count
        ("DISCORD_DEV_GUILD", "my-server"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable) as refused:
        load_settings({variable: value})
    message = str(refused.value)
    assert "\n" not in message and len(message) < 200


@pytest.mark.parametrize("ids", ["4", "0,x", "-1"])
def test_shard_ids_must_be_shards_of_the_count(ids: str) -> None:
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS"):
        load_settings({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": ids})


@PROPERTY
@given(st.text(max_size=20))
def test_any_ttl_is_a_whole_number_of_hours_or_refused_by_name(raw: str) -> None:
    try:
        loaded = load_settings({"BOUNCEBACK_CONVERSATION_TTL_HOURS": raw})
    except ConfigError as problem:
        assert "BOUNCEBACK_CONVERSATION_TTL_HOURS" in str(problem)
        return
    assert loaded.conversation_ttl_hours >= 1
    assert str(loaded.conversation_ttl_hours) == raw.lstrip("0")


@PROPERTY
@given(st.text(max_size=30))
def test_any_timezone_is_a_real_zone_or_refused_by_name(raw: str) -> None:
    try:
        loaded = load_settings({"BOUNCEBACK_TIMEZONE": raw})
    except ConfigError as problem:
        assert "BOUNCEBACK_TIMEZONE" in str(problem)
        return
    assert loaded.default_timezone == raw


tokens = st.text(min_size=1, max_size=40)


@PROPERTY
@given(tokens, tokens)
def test_tokens_never_show_in_the_printed_settings(slack: str, discord: str) -> None:
    """repr and str look the same with or without tokens, so nothing of them can leak."""
    plain = load_settings({})
    tokens = {
        "SLACK_BOT_TOKEN": slack,
        "SLACK_APP_TOKEN": f"xapp-{slack}",
        "DISCORD_TOKEN": discord,
    }
    secret = load_settings(tokens)
    assert (secret.slack_bot_token, secret.discord_token) == (slack, discord)
    assert repr(secret) == repr(plain)
    assert str(secret) == str(plain)


def test_the_settings_cannot_be_changed_after_start_up() -> None:
    loaded = load_settings({})
    with pytest.raises(AttributeError):
        loaded.crisis_contact = "someone"  # type: ignore[misc]


def test_a_region_without_a_city_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="BOUNCEBACK_TIMEZONE"):
        load_settings({"BOUNCEBACK_TIMEZONE": "Europe"})


def test_the_database_password_never_shows_in_the_printed_settings() -> None:
    loaded = load_settings(
        {"DATABASE_URL": "postgresql+psycopg://bounceback:hunter2@db/bounceback"}
    )
    assert "hunter2" not in repr(loaded)


def test_a_ttl_too_long_to_use_is_refused_at_start_up() -> None:
    try:
        loaded = load_settings({"BOUNCEBACK_CONVERSATION_TTL_HOURS": "1000000000"})
    except ConfigError as problem:
        assert "BOUNCEBACK_CONVERSATION_TTL_HOURS" in str(problem)
        return
    # Accepted, then it has to work where the core uses it.
    assert datetime(2026, 11, 23) + timedelta(hours=loaded.conversation_ttl_hours)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_MODE": "http"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_MODE": "webhook"}, "SLACK_MODE"),
        ({"PORT": "80000"}, "PORT"),
    ],
)
def test_each_slack_mode_asks_for_what_it_needs_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)


def test_the_slack_api_url_always_ends_with_a_slash() -> None:
    loaded = load_settings({"SLACK_API_URL": "https://slack-gov.com/api"})
    assert loaded.slack_api_url == "https://slack-gov.com/api/"
