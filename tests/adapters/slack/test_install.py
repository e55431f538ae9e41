"""Installed by many workspaces: Slack's OAuth flow against the fake Slack, each
workspace's bot token stored encrypted, and each workspace's requests authorized with
its own token."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text

from adapters.slack.install import (
    BOT_SECONDS,
    INSTALL_PATH,
    REDIRECT_PATH,
    EncryptedInstallationStore,
    StateStore,
    installation_store,
    oauth_settings,
    slack_metadata,
)
from adapters.slack.manifest import BOT_SCOPES
from bot.config import MAKE_FERNET_KEY, ConfigError, Settings, load_settings
from tests.adapters.slack.harness import SECRET
from tests.adapters.slack.oauth_harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY,
    OAUTH_ACCESS,
    oauth_fields,
    served,
)
from tests.conftest import SAM
from tests.helpers import FIRST_DUE, PLAN, Chat

AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"  # never called: the browser goes there
OAUTH_ENV = {
    "SLACK_MODE": "http",
    "SLACK_SIGNING_SECRET": SECRET,
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    "SLACK_ENCRYPTION_KEY": KEY,
}


@pytest.fixture
def oauth(settings: Settings) -> Settings:
    return replace(settings, **oauth_fields())


def _installation(team: str, token: str, **fields: Any) -> Installation:
    return Installation(
        app_id="A-bounceback",
        team_id=team,
        team_name=f"Team {team}",
        bot_token=token,
        bot_id="B-bounceback",
        bot_user_id="U-bounceback",
        bot_scopes=list(BOT_SCOPES),
        user_id="U-sam",
        **fields,
    )


# ---- the store


def test_the_migrations_build_slack_sdks_tables_as_the_stores_use_them(engine) -> None:
    tables = slack_metadata().tables

    def slack_only(name: str | None, type_: str, _parents: object) -> bool:
        return type_ != "table" or name in tables

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": slack_only})
        assert compare_metadata(context, slack_metadata()) == []


def test_a_saved_installation_is_found_with_its_token(engine, oauth) -> None:
    store = installation_store(oauth, engine)

    async def scenario() -> None:
        await store.async_save(_installation("T1", "xoxb-T1-secret"))
        found = await store.async_find_installation(enterprise_id=None, team_id="T1")
        assert found is not None and found.bot_token == "xoxb-T1-secret"
        bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and bot.bot_token == "xoxb-T1-secret"
        assert await store.async_find_installation(enterprise_id=None, team_id="T2") is None
        assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None

    asyncio.run(scenario())


def test_the_database_holds_ciphertext_never_the_token(engine, oauth) -> None:
    """Rotating tokens too: their ciphertext (near 300 characters) outgrows slack-sdk's
    VARCHAR(200), which PostgreSQL would refuse."""
    store = installation_store(oauth, engine)
    refresh = "xoxe-1-" + "r" * 160
    rotating = "xoxe.xoxb-1-" + "b" * 150

    async def scenario() -> None:
        await store.async_save(_installation("T1", "xoxb-T1-secret"))
        await store.async_save(
            _installation("T2", rotating, bot_refresh_token=refresh, bot_token_expires_in=43200)
        )
        found = await store.async_find_installation(enterprise_id=None, team_id="T2")
        assert found is not None
        assert (found.bot_token, found.bot_refresh_token) == (rotating, refresh)

    asyncio.run(scenario())
    with engine.connect() as connection:
        stored = [
            value
            for table in ("slack_installations", "slack_bots")
            for row in connection.execute(
                text(f"SELECT bot_token, bot_refresh_token FROM {table} ORDER BY team_id")
            )
            for value in row
            if value is not None
        ]
    assert len(stored) == 6  # T1's token, T2's token and refresh token, in both tables
    assert not any("xox" in value for value in stored)
    fernet = Fernet(KEY)
    assert {fernet.decrypt(value.encode()).decode() for value in stored} == {
        "xoxb-T1-secret",
        rotating,
        refresh,
    }


def test_a_found_bot_is_remembered_a_minute_and_forgotten_on_any_change(engine, oauth) -> None:
    """Reminders look a token up each; an uninstall on this instance is seen at once."""
    now = [0.0]
    stored = installation_store(oauth, engine)
    store = EncryptedInstallationStore(stored.tables, stored.cipher, clock=lambda: now[0])

    async def scenario() -> None:
        await store.async_save(_installation("T1", "xoxb-T1-secret"))
        assert await store.async_find_bot(enterprise_id=None, team_id="T1") is not None
        store.tables.delete_bot(enterprise_id=None, team_id="T1")  # another instance's uninstall
        now[0] = BOT_SECONDS - 1
        assert await store.async_find_bot(enterprise_id=None, team_id="T1") is not None
        now[0] = BOT_SECONDS
        assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None

        await store.async_save(_installation("T2", "xoxb-T2-secret"))
        assert await store.async_find_bot(enterprise_id=None, team_id="T2") is not None
        await store.async_delete_all(enterprise_id=None, team_id="T2")  # this instance's
        assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None

    asyncio.run(scenario())


def test_a_store_opened_with_another_key_fails_naming_the_key(engine, oauth) -> None:
    async def scenario() -> None:
        await installation_store(oauth, engine).async_save(_installation("T1", "xoxb-T1-s"))
        other = replace(oauth, slack_encryption_key=Fernet.generate_key().decode())
        wrong = installation_store(other, engine)
        with pytest.raises(ConfigError, match="SLACK_ENCRYPTION_KEY"):
            await wrong.async_find_installation(enterprise_id=None, team_id="T1")
        with pytest.raises(ConfigError, match="SLACK_ENCRYPTION_KEY"):
            await wrong.async_find_bot(enterprise_id=None, team_id="T1")

    asyncio.run(scenario())


def test_a_token_stored_in_the_clear_is_refused_not_used(engine, oauth) -> None:
    store = installation_store(oauth, engine)
    store.tables.save(_installation("T1", "xoxb-T1-plain"))  # behind the cipher's back

    async def scenario() -> None:
        with pytest.raises(ConfigError, match="SLACK_ENCRYPTION_KEY"):
            await store.async_find_bot(enterprise_id=None, team_id="T1")

    asyncio.run(scenario())


def test_a_state_is_good_once_and_expired_ones_are_cleared(engine) -> None:
    async def scenario() -> None:
        expired = StateStore(engine, expiration_seconds=-1)
        stale = await expired.async_issue()
        store = StateStore(engine)
        state = await store.async_issue()
        assert not await store.async_consume(stale)
        assert await store.async_consume(state)
        assert not await store.async_consume(state)

    asyncio.run(scenario())
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM slack_oauth_states")) == 0


def test_the_install_asks_for_the_manifest_scopes_and_no_broader_ones(engine, oauth) -> None:
    settings = oauth_settings(oauth, engine)
    assert isinstance(settings, AsyncOAuthSettings)
    assert tuple(settings.scopes or ()) == BOT_SCOPES
    assert {"commands", "chat:write", "im:write", "im:history", "users:read"} <= set(BOT_SCOPES)
    assert not {"chat:write.public", "channels:history", "chat:write.customize"} & set(BOT_SCOPES)
    assert settings.user_scopes == []
    assert (settings.install_path, settings.redirect_uri_path) == (INSTALL_PATH, REDIRECT_PATH)
    chosen = replace(oauth, slack_scopes=("commands", "chat:write"))
    assert oauth_settings(chosen, engine).scopes == ["commands", "chat:write"]


# ---- configuration


def test_oauth_is_http_mode_with_client_credentials_and_no_bot_token() -> None:
    loaded = load_settings(OAUTH_ENV | {"SLACK_SCOPES": " commands, chat:write,,commands"})
    assert loaded.slack_oauth
    assert loaded.slack_scopes == ("commands", "chat:write")
    assert KEY not in repr(loaded) and CLIENT_SECRET not in repr(loaded)
    assert not load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).slack_oauth


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID"),
        ({"SLACK_ENCRYPTION_KEY": ""}, "SLACK_ENCRYPTION_KEY"),
        ({"SLACK_ENCRYPTION_KEY": "not-a-fernet-key"}, "SLACK_ENCRYPTION_KEY"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_MODE": "socket"}, "SLACK_MODE=http"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SCOPES": "commands,chat write"}, "SLACK_SCOPES"),
    ],
)
def test_each_oauth_setting_is_asked_for_by_name(changes: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(OAUTH_ENV | changes)


def test_a_missing_key_says_how_to_make_one() -> None:
    with pytest.raises(ConfigError) as problem:
        load_settings(OAUTH_ENV | {"SLACK_ENCRYPTION_KEY": ""})
    assert MAKE_FERNET_KEY in str(problem.value)


# ---- the whole flow, served as in production


def test_install_sends_the_installer_to_slack_with_a_state_cookie(core, settings) -> None:
    async def scenario() -> None:
        async with served(core, settings) as app:
            location, state = await app.start_install()
            url = urlsplit(location)
            assert f"{url.scheme}://{url.netloc}{url.path}" == AUTHORIZE_URL
            query = parse_qs(url.query)
            assert query["state"] == [state] and query["client_id"] == [CLIENT_ID]
            assert query["scope"] == [",".join(BOT_SCOPES)]
            assert app.slack.calls == []
            with core.engine.connect() as connection:
                stored = connection.scalars(text("SELECT state FROM slack_oauth_states")).all()
            assert stored == [state]

    asyncio.run(scenario())


@OAUTH_ACCESS
def test_the_redirect_stores_the_token_encrypted_and_the_workspace_is_served_with_it(
    core, settings
) -> None:
    async def scenario() -> None:
        async with served(core, settings) as app:
            _, state = await app.start_install()
            status, page = await app.finish_install("abc", state)
            assert status == 200, page
            [access] = app.slack.calls_to("oauth.v2.access")
            assert access.error is None
            assert (access.args["code"], access.args["client_id"]) == ("abc", CLIENT_ID)
            assert access.args["client_secret"] == CLIENT_SECRET
            assert app.tokens("auth.test") == ["xoxb-T1-abc"]  # Bolt learns the bot's id

            with core.engine.connect() as connection:
                [stored] = connection.scalars(text("SELECT bot_token FROM slack_bots")).all()
            assert "xoxb" not in stored
            assert Fernet(KEY).decrypt(stored.encode()).decode() == "xoxb-T1-abc"

            await app.command("stats")  # Bolt authorizes it with the stored token
            await app.slack.wait_for("auth.test", 2)
            assert app.tokens("auth.test") == ["xoxb-T1-abc", "xoxb-T1-abc"]

    asyncio.run(scenario())


@OAUTH_ACCESS
def test_a_redirect_from_another_browser_or_a_replayed_state_installs_nothing(
    core, settings
) -> None:
    async def scenario() -> None:
        async with served(core, settings) as app:
            _, state = await app.start_install()
            status, _ = await app.finish_install("abc", state, cookie="someone-elses")
            assert status == 400
            assert app.slack.calls_to("oauth.v2.access") == []
            status, _ = await app.finish_install("abc", state)
            assert status == 200
            status, _ = await app.finish_install("abc", state)  # the state is used up
            assert status == 401
            assert len(app.slack.calls_to("oauth.v2.access")) == 1

    asyncio.run(scenario())


@OAUTH_ACCESS
def test_each_workspace_is_served_with_its_own_token_and_others_with_none(core, settings) -> None:
    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.install("T2", "xyz")
            installed = len(app.slack.calls)

            response_url = app.slack.response_url()
            status, _ = await app.command("stats", team_id="T3", response_url=response_url)
            assert status == 200
            await app.slack.wait_until(lambda: bool(app.slack.responses))
            [answer] = app.slack.responses
            assert answer.url == response_url and "install" in answer.body["text"]
            assert app.slack.calls[installed:] == []  # T3 got no one's token

            installs = len(app.slack.calls_to("auth.test"))
            for team in ("T2", "T1", "T2"):
                await app.command("stats", team_id=team)
            await app.slack.wait_for("auth.test", installs + 3)
            assert app.tokens("auth.test")[installs:] == [
                "xoxb-T2-xyz",
                "xoxb-T1-abc",
                "xoxb-T2-xyz",
            ]

    asyncio.run(scenario())


@OAUTH_ACCESS
def test_replies_go_out_with_the_token_of_the_workspace_that_asked(core, settings) -> None:
    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.install("T2", "xyz")
            for team, token in (("T1", "xoxb-T1-abc"), ("T2", "xoxb-T2-xyz")):
                before = len(app.slack.calls)
                status, _ = await app.command("rejected", "Acme", team_id=team)
                assert status == 200

                def replied(start: int = before) -> bool:  # the dialogue's question is the last
                    return any(
                        call.method == "chat.postMessage"
                        and "How are you feeling" in str(call.args)
                        for call in app.slack.calls[start:]
                    )

                await app.slack.wait_until(replied)
                replies = [c for c in app.slack.calls[before:] if c.method != "auth.test"]
                assert {call.token for call in replies} == {token}

    asyncio.run(scenario())


@OAUTH_ACCESS
def test_no_token_secret_or_key_reaches_the_logs_even_at_debug(
    core, settings, clock, caplog
) -> None:
    """slack_sdk logs oauth.v2.access's answer, the new bot token in it, at debug;
    a reminder's send looks the token up and decrypts it."""
    caplog.set_level(logging.DEBUG)
    Chat(core, SAM).steps(*PLAN)
    clock.now = FIRST_DUE

    async def scenario() -> None:
        async with served(core, settings) as app:
            await app.install("T1", "abc")
            await app.command("stats")
            await app.slack.wait_for("auth.test", 2)
            assert (await app.dispatcher.tick()).sent == 1

    asyncio.run(scenario())
    assert any("oauth.v2.access" in record.getMessage() for record in caplog.records)
    assert any("chat.postMessage" in record.getMessage() for record in caplog.records)
    for secret in ("xoxb-T1-abc", CLIENT_SECRET, KEY, SECRET):
        assert secret not in caplog.text
