"""Installed by many workspaces: Bolt's OAuth flow, its stores on the project's database.

Each workspace that installs Bounceback gets rows in slack-sdk's own tables
(`slack_installations`, `slack_bots`, `slack_oauth_states`, made by migration 0004)
on the same engine as everything else, so several instances behind a load balancer
share them. Bot, user
and refresh tokens are encrypted with Fernet (SLACK_ENCRYPTION_KEY) before they
reach the database: a copy of the database alone opens no one's workspace.

slack-sdk's synchronous SQLAlchemy stores do the SQL and run in a worker thread,
like the core's own transactions. Its asyncio variants would need an AsyncEngine,
hence a second connection pool and an async SQLite driver, for the same tables.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, Table, Text

from adapters.slack.manifest import BOT_SCOPES
from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)
# The Web API clients' log in OAuth mode. slack_sdk logs response bodies at debug,
# and oauth.v2.access answers with the new bot token; this one shows no token.
WEB_API_LOG = logging.getLogger("slack_sdk.web.tokens_redacted")
_TOKEN = re.compile(r"\b(xox[a-z]?(?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+")
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
BOT_SECONDS = 60.0  # how long a workspace's bot token is reused before the store is read again
STATE_SECONDS = 600  # an installer has ten minutes between /slack/install and the redirect
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
WRONG_KEY = (
    "SLACK_ENCRYPTION_KEY does not decrypt the Slack tokens stored in the database: it is "
    "not the key they were saved with. Put that key back, or have each workspace install "
    "Bounceback again."
)

Record = TypeVar("Record", Installation, Bot)


class _TokensRedacted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN.sub(r"\1-(redacted)", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


WEB_API_LOG.addFilter(_TokensRedacted())


class InstallationTables(SQLAlchemyInstallationStore):
    """slack-sdk's installation tables, with room for ciphertext in the token columns.

    Its VARCHAR(200) holds a plain bot token, but the Fernet text of a rotating
    token (150 characters and more) is near 300, which PostgreSQL would refuse.
    """

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _wide_tokens(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _wide_tokens(super().build_bots_table(metadata, table_name))


def _wide_tokens(table: Table) -> Table:
    for name in TOKEN_FIELDS:
        if name in table.c:
            table.c[name].type = Text()
    return table


class TokenCipher:
    """Fernet over the token fields of slack-sdk's records."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError:
            raise ConfigError("SLACK_ENCRYPTION_KEY is not a Fernet key") from None

    def sealed(self, record: Record) -> Record:
        """A copy to store: every token encrypted."""
        sealed = copy.copy(record)
        for name, token in _tokens(record):
            setattr(sealed, name, self._fernet.encrypt(token.encode()).decode())
        return sealed

    def opened(self, record: Record | None) -> Record | None:
        """The stored record with its tokens readable again; a wrong key is a ConfigError."""
        if record is None:
            return None
        for name, sealed in _tokens(record):
            try:
                setattr(record, name, self._fernet.decrypt(sealed.encode()).decode())
            except InvalidToken:
                raise ConfigError(WRONG_KEY) from None
        return record


def _tokens(record: Installation | Bot) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name in TOKEN_FIELDS
        if isinstance(value := getattr(record, name, None), str) and value
    ]


class EncryptedInstallationStore(AsyncInstallationStore):
    """Bolt's installation store: slack-sdk's SQLAlchemy one, tokens encrypted, off the loop.

    Each workspace's bot is remembered for BOT_SECONDS once found: every reminder looks
    its workspace's token up, and a burst of them should not each read and decrypt it.
    Any save or delete forgets them all, so an uninstall here is seen at once; one on
    another instance within that minute meets Slack's refusal of the dead token instead.
    """

    def __init__(
        self,
        tables: SQLAlchemyInstallationStore,
        cipher: TokenCipher,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tables = tables
        self.cipher = cipher
        self._clock = clock
        self._bots: dict[tuple[str | None, str | None, bool], tuple[float, Bot]] = {}

    @property
    def logger(self) -> logging.Logger:
        return self.tables.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.tables.save, self.cipher.sealed(installation))
        self._bots.clear()

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.tables.save_bot, self.cipher.sealed(bot))
        self._bots.clear()

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        found_at, bot = self._bots.get(key, (-BOT_SECONDS, None))
        if bot is not None and self._clock() - found_at < BOT_SECONDS:
            return bot
        bot = self.cipher.opened(
            await asyncio.to_thread(
                self.tables.find_bot,
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )
        if bot is not None:
            self._bots[key] = (self._clock(), bot)
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await asyncio.to_thread(
            self.tables.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self.cipher.opened(found)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            self.tables.delete_bot, enterprise_id=enterprise_id, team_id=team_id
        )
        self._bots.clear()

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        await asyncio.to_thread(
            self.tables.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )
        self._bots.clear()


class StateStore(AsyncOAuthStateStore):
    """The OAuth `state` values in flight, on the same database, so any instance can
    take the redirect of an install another one started."""

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
        self.states = SQLAlchemyOAuthStateStore(expiration_seconds, engine, logger=log)

    @property
    def logger(self) -> logging.Logger:
        return self.states.logger

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        return await asyncio.to_thread(self._issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.states.consume, state)

    def _issue(self) -> str:
        """A new state; those of installs abandoned on Slack's page are cleared on the way."""
        table = self.states.oauth_states
        now = datetime.now(UTC).replace(tzinfo=None)  # slack-sdk stores naive UTC
        with self.states.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.expire_at <= now))
        return self.states.issue()


def installation_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    tables = InstallationTables(client_id=settings.slack_client_id, engine=engine, logger=log)
    return EncryptedInstallationStore(tables, TokenCipher(settings.slack_encryption_key))


def slack_metadata() -> MetaData:
    """slack-sdk's three tables, as the stores above use them: migration 0004 must
    build exactly these."""
    metadata = MetaData()
    InstallationTables.build_installations_table(
        metadata, InstallationTables.default_installations_table_name
    )
    InstallationTables.build_bots_table(metadata, InstallationTables.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(
        metadata, SQLAlchemyOAuthStateStore.default_table_name
    )
    return metadata


def oauth_settings(settings: Settings, engine: Engine) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: /slack/install sends the installer straight to Slack with a
    state cookie, and /slack/oauth_redirect stores the workspace's bot token encrypted.
    Their tables come with the migrations (`bounceback db upgrade`, or at start-up)."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(settings.slack_scopes or BOT_SCOPES),
        user_scopes=[],  # a bot install: no member grants Bounceback their own token
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store(settings, engine),
        state_store=StateStore(engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
