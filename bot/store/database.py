"""Opening the database: a SQLite file by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

# Re-exported (`X as X`): what the rest of bot/ holds of the database (an engine, a
# turn's connection) and the failures it tells apart, so SQLAlchemy stays in bot/store/.
from sqlalchemy import Connection as Connection
from sqlalchemy import Engine as Engine
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import IntegrityError as IntegrityError
from sqlalchemy.exc import OperationalError as OperationalError

from bot.config import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
# Each migration's file is named by its revision, "0005_heartbeats.py" for "0005".
REVISIONS = sorted(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]" * 4 + "_*.py"))
LATEST = REVISIONS[-1]
# SQLite's own checkpoint runs inside whichever commit crosses the threshold and
# fsyncs there: a 20-70 ms stall on one member's message. The Checkpointer does
# that work off the per-message path; this larger threshold is only a backstop.
BACKSTOP_CHECKPOINT_PAGES = 10_000

log = logging.getLogger(__name__)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine tuned for its backend; a URL it cannot be made from is a ConfigError
    naming DATABASE_URL (never showing it: it may hold a password)."""
    scheme = url.partition("://")[0][:40]
    try:
        return _engine(url)
    except NoSuchModuleError:
        raise ConfigError(
            f"DATABASE_URL: SQLAlchemy knows no database {scheme!r}; "
            "use postgresql+psycopg://... or sqlite:///..."
        ) from None
    except (ArgumentError, ValueError):
        raise ConfigError(
            "DATABASE_URL is not a database URL, e.g. postgresql+psycopg://user:password@host/db"
        ) from None
    except ImportError as error:
        raise ConfigError(
            f"DATABASE_URL: {scheme!r} needs the {error.name} driver, which is not installed"
        ) from None


def _engine(url: str) -> Engine:
    """WAL and foreign keys on SQLite."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _tune_sqlite)
    return engine


def _tune_sqlite(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> int:
    """Apply the Alembic migrations not yet applied, and say how many; start-up and
    `db upgrade` call it.

    Alembic is imported only when one is due: at an up-to-date database's every start
    it cost a quarter of a second and 11 MiB for nothing.
    """
    before = applied(engine) or ""
    if revision == "head" and before == LATEST:
        return 0
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        _enforce_foreign_keys(connection, False)
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        _enforce_foreign_keys(connection, True)
    after = applied(engine) or ""
    return sum(before < number <= after for number in REVISIONS)


def _enforce_foreign_keys(connection: Connection, on: bool) -> None:
    """Off while SQLite migrates: a table rebuilt by a migration is dropped and made
    anew, and with its foreign keys enforced the drop would cascade to every row that
    points at it (members: their conversations). A no-op inside a transaction, so it
    runs outside the migrations' own."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        connection.commit()


def applied(engine: Engine) -> str | None:
    """The database's migration revision; None before the first."""
    with engine.connect() as db:
        if not inspect(db).has_table("alembic_version"):
            return None
        return db.scalar(text("SELECT version_num FROM alembic_version"))


class Checkpointer:
    """Copies SQLite's write-ahead log into the database file in a background thread.

    A passive checkpoint never blocks writers; it is the fsync that would
    otherwise land on a member's message. PostgreSQL needs none of this.
    """

    def __init__(self, engine: Engine, every: float = 1.0) -> None:
        self.engine = engine
        self.every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sqlite-checkpoint", daemon=True)

    def start(self) -> Checkpointer:
        if self.engine.dialect.name == "sqlite":
            self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()

    def run_once(self) -> tuple[int, int, int]:
        """(busy, frames in the log, frames checkpointed), as SQLite reports them."""
        with self.engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return (int(row[0]), int(row[1]), int(row[2]))

    def _loop(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                self.run_once()
            except Exception:  # a failed checkpoint is retried; the backstop still holds
                log.exception("SQLite checkpoint failed")
