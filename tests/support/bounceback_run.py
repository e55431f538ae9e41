"""`bounceback run` as a real process, started as an operator starts it, read through its log.

The child runs in a folder the caller gives (so no developer's `.env` is found) with a
bare environment: PATH, PYTHONPATH to this checkout, LOG_LEVEL=INFO, and what the caller
adds. Callers wait for lines of its log, each with a deadline, never for time. No pytest
here: benchmarks/ start the process with it too.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.runner import READY

REPO = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).parent / "bounceback"  # the installed console script
WAIT = 60.0  # seconds: a deadline for what takes a few on an idle machine


def free_port() -> int:
    """PORT=0 is refused by the settings: ask the system for a free one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BouncebackRun:
    """The child process and every line it has logged so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._changed = asyncio.Condition()
        assert process.stderr is not None
        self._reader = asyncio.create_task(self._read(process.stderr))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def logged(self, text: str, timeout: float = WAIT) -> str:
        """The first line holding `text`, once it is logged; fails if the process ends first."""

        def found() -> str | None:
            return next((line for line in self.lines if text in line), None)

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: found() is not None or self._reader.done()),
                    timeout,
                )
            except TimeoutError:
                problem = f"{text!r} not logged within {timeout} s"
                raise AssertionError(f"{problem}:\n{self.log}") from None
        line = found()
        if line is None:
            raise AssertionError(f"bounceback run ended without logging {text!r}:\n{self.log}")
        return line

    async def stop(self, number: int = signal.SIGTERM, timeout: float = WAIT) -> int:
        """Send the signal (as a supervisor or Ctrl-C does); the exit code, once it ended."""
        if self.alive:
            self.process.send_signal(number)
        return await self.ended(timeout)

    async def kill(self) -> int:
        """SIGKILL: no shutdown of any kind, leases and all left as they were."""
        return await self.stop(signal.SIGKILL)

    async def ended(self, timeout: float = WAIT) -> int:
        """The exit code, once the process has ended and its log has been read to the end."""
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            problem = f"bounceback run still running after {timeout} s"
            raise AssertionError(f"{problem}:\n{self.log}") from None
        await self._reader
        return code

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            async with self._changed:
                self.lines.append(line.decode(errors="replace"))
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()


@asynccontextmanager
async def bounceback_run(
    folder: Path, *, launcher: Sequence[str] = (), **env: str
) -> AsyncIterator[BouncebackRun]:
    """`bounceback run` in `folder`, once it has started every platform and its scheduler
    ticks (READY: an HTTP port is open by then); killed on the way out if still running.
    `launcher` runs it under another command, such as a profiler."""
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "LOG_LEVEL": "INFO", **env}
    process = await asyncio.create_subprocess_exec(
        *launcher,
        str(ENTRY_POINT),
        "run",
        cwd=folder,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    run = BouncebackRun(process)
    try:
        await run.logged(READY)
        yield run
    finally:
        await run.kill()
