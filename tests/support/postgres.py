"""A throwaway PostgreSQL server for the test run.

The tests need a real PostgreSQL (SQLite hides too many differences), but CI is a
bare Debian machine with no database service. So the test run starts its own
server from Debian's ``postgresql`` package: a fresh data directory under /tmp,
listening only on a Unix socket there, with durability switched off for speed,
and everything removed again afterwards.

Set ``BOUNCEBACK_TEST_DATABASE_URL`` to use an existing server instead.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

URL_ENV_VAR = "BOUNCEBACK_TEST_DATABASE_URL"
DATABASE = "bounceback_test"
SUPERUSER = "postgres"
# Fixed, because the socket directory is private; passed explicitly so a stray
# PGPORT in the environment cannot point the client somewhere else.
PORT = 5432
STARTUP_TIMEOUT = 30.0
SHUTDOWN_TIMEOUT = 15.0
# Unix socket paths are limited to ~107 bytes, and ".s.PGSQL.5432" needs room.
MAX_SOCKET_DIR_LENGTH = 90


@contextmanager
def running_postgres() -> Iterator[str]:
    """Run a private PostgreSQL server and yield a SQLAlchemy URL for its test database.

    The URL looks like
    ``postgresql+psycopg://postgres@/bounceback_test?host=/tmp/bb-pg-XXXX&port=5432``.
    The server and its data are gone once the ``with`` block exits.
    """
    if url := os.environ.get(URL_ENV_VAR):
        yield url
        return
    with restartable_postgres() as server:
        yield server.url


@contextmanager
def restartable_postgres() -> Iterator[PostgresServer]:
    """A private server of its own that a test may stop and start again (reliability
    tests take the database away mid-work); never the shared one other tests use."""
    server = PostgresServer()
    try:
        server.start()
        with server.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        yield server
    finally:
        server.remove()


class PostgresServer:
    """One cluster in its own /tmp folder: start, stop and start again on the same
    socket and data, as a database restart looks to its clients."""

    def __init__(self) -> None:
        self.bindir = find_server_bindir()
        self.as_postgres = _run_as_prefix()
        self.workdir = _make_workdir()
        self.datadir, self.logfile = self.workdir / "data", self.workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        try:
            _initdb(self.bindir, self.datadir, self.as_postgres)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{DATABASE}?host={self.workdir}&port={PORT}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        with self.logfile.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *self.as_postgres,
                    str(self.bindir / "postgres"),
                    "-D", str(self.datadir),
                    "-p", str(PORT),
                    "-k", str(self.workdir),
                    "-c", "listen_addresses=",
                    "-c", "fsync=off",
                    "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )  # fmt: skip
        _wait_until_ready(self.process, self.workdir, self.logfile)

    def stop(self, signal_: signal.Signals = signal.SIGQUIT) -> None:
        """Stop the server: SIGQUIT (immediate) by default; SIGINT is a fast shutdown,
        which ends every session and keeps the data, as an operator's restart does."""
        if self.process is not None:
            _stop(self.process, self.datadir, signal_)
            self.process = None

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=str(self.workdir), port=PORT, user=SUPERUSER, dbname=dbname, autocommit=True
        )

    def remove(self) -> None:
        """Stop the server, if it runs, and delete its data."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def find_server_bindir() -> Path:
    """Return the directory holding ``initdb`` and ``postgres``, newest version first.

    Debian keeps the server binaries off PATH in /usr/lib/postgresql/<version>/bin;
    other installs (Homebrew, source builds) put ``initdb`` on PATH.
    """
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda bindir: _version_key(bindir.parent.name),
        reverse=True,
    )
    if initdb := shutil.which("initdb"):
        candidates += [Path(initdb).parent, Path(initdb).resolve().parent]
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in ("initdb", "postgres")):
            return bindir
    raise RuntimeError(
        "No PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin "
        "and for initdb on PATH). Run scripts/ensure-postgres to install them."
    )


def _version_key(name: str) -> tuple[int, ...]:
    """Sort "15" above "9.6"; ignore directories that are not version numbers."""
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return (-1,)


def _run_as_prefix() -> list[str]:
    """PostgreSQL refuses to run as root, so root runs it as the postgres user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise RuntimeError(
            f"Running as root but there is no '{SUPERUSER}' system user to run the "
            "server as. Run scripts/ensure-postgres to install Debian's postgresql package."
        ) from None
    return ["runuser", "-u", SUPERUSER, "--"]


def _make_workdir() -> Path:
    """Create a short, private-to-the-server directory for data, socket and log.

    It lives directly in /tmp (not $TMPDIR) so the socket path stays short and the
    postgres user can traverse every parent directory.
    """
    base = "/tmp" if os.path.isdir("/tmp") else None
    workdir = Path(tempfile.mkdtemp(prefix="bb-pg-", dir=base))
    if len(str(workdir)) > MAX_SOCKET_DIR_LENGTH:
        shutil.rmtree(workdir)
        raise RuntimeError(f"Temporary directory path too long for a Unix socket: {workdir}")
    workdir.chmod(0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SUPERUSER)
        os.chown(workdir, user.pw_uid, user.pw_gid)
    return workdir


def _initdb(bindir: Path, datadir: Path, as_postgres: list[str]) -> None:
    """Create a fresh cluster; C.UTF-8 keeps sorting identical on every machine."""
    result = subprocess.run(
        [
            *as_postgres,
            str(bindir / "initdb"),
            "-D", str(datadir),
            "-U", SUPERUSER,
            "-A", "trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        cwd=datadir.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{result.stdout}{result.stderr}")


def _wait_until_ready(server: subprocess.Popen[bytes], socket_dir: Path, logfile: Path) -> None:
    """Poll until the server accepts connections."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited during startup:\n{_tail(logfile)}")
        try:
            conn = psycopg.connect(
                host=str(socket_dir),
                port=PORT,
                user=SUPERUSER,
                dbname="postgres",
                autocommit=True,
                connect_timeout=2,
            )
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL not ready after {STARTUP_TIMEOUT:.0f}s:\n{_tail(logfile)}"
                ) from None
            time.sleep(0.02)
    conn.close()


def _stop(
    server: subprocess.Popen[bytes], datadir: Path, signal_: signal.Signals = signal.SIGQUIT
) -> None:
    """Shut down; SIGQUIT, immediate mode, unless told otherwise (the data is thrown away).

    The signal goes to the postmaster named in postmaster.pid, because when running
    as root ``server`` is only the runuser wrapper; it exits once the server has.
    """
    try:
        pid = int((datadir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal_)
    except (OSError, ValueError, IndexError):  # no pid file yet, or already gone
        server.terminate()
    try:
        server.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _tail(logfile: Path, lines: int = 20) -> str:
    """The end of the server log, for error messages."""
    with suppress(OSError):
        return "\n".join(logfile.read_text(errors="replace").splitlines()[-lines:])
    return "(no server log)"
