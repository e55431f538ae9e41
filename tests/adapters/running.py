"""`bounceback run` as a real process, as an operator starts it, read through its log.

The child gets a bare environment (no developer `.env`: it runs in an empty
folder) with LOG_LEVEL=INFO; a test waits for lines of its log, never for time.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.runner import READY

REPO = Path(__file__).parents[2]
ENTRY_POINT = Path(sys.executable).parent / "bounceback"  # the installed console script
TIMEOUT = 60.0


def free_port() -> int:
    """PORT=0 is refused by the configuration: ask the system for a free one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
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

    async def logged(self, text: str, timeout: float = TIMEOUT) -> str:
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

    async def stop(self, number: int = signal.SIGTERM, timeout: float = TIMEOUT) -> int:
        """Send the signal; the exit code, once the process has ended."""
        self.process.send_signal(number)
        return await self.ended(timeout)

    async def ended(self, timeout: float = TIMEOUT) -> int:
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
                self.lines.append(line.decode())
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()


@asynccontextmanager
async def bounceback_run(folder: Path, **env: str) -> AsyncIterator[Running]:
    """`bounceback run` in `folder` until its scheduler ticks; killed if still running after."""
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "LOG_LEVEL": "INFO", **env}
    process = await asyncio.create_subprocess_exec(
        str(ENTRY_POINT),
        "run",
        cwd=folder,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    running = Running(process)
    try:
        await running.logged(READY)
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await running._reader
