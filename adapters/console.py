"""The local chat: Bounceback in a terminal, on the same core and store as the platforms.

Reads one line at a time from any stream (a terminal or a pipe) and exits at
the end of input. The console is a direct message, so nothing is ever shared
by accident; posts meant for the group are printed and marked as such.

It is also a transport for the scheduler: due reminders are printed as they
fall due (checked after every line, and every few seconds at a terminal),
and `/clock +3d` moves the console's own clock forward, so a whole plan can
be watched in a minute.
"""

from __future__ import annotations

import asyncio
import re
import select
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.conversation.commands import slash_to_command
from bot.conversation.core import Bounceback, utc_now
from bot.conversation.events import (
    PLAIN_TEXT,
    ChannelPost,
    Command,
    Inbound,
    Member,
    Origin,
    Reply,
    Text,
)
from bot.conversation.plain_text import as_plain_text
from bot.reminders.delivery import Outgoing
from scheduler.dispatcher import Dispatcher

CONSOLE = Origin(channel="console", in_dm=True)
PROMPT = "you> "
IDLE_TICK = 5.0  # seconds between checks for due reminders while nobody types
CLOCK_STRIDE = timedelta(minutes=15)  # how finely /clock walks time
LONGEST_MOVE = timedelta(days=366)  # a walk of 15-minute strides: a year takes minutes
_MOVE = re.compile(r"^\+\s*(\d{1,4})\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ConsoleClock:
    """Real time plus however far /clock has moved it: the console's only time machine."""

    def __init__(self, base: Callable[[], datetime] = utc_now) -> None:
        self.base = base
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.base() + self.offset

    def parse(self, spec: str) -> timedelta | None:
        """`+3d`, `+2h`, `+1w`, `+30m` as a step forward; None if it is not one."""
        match = _MOVE.match(spec.strip().lower())
        return timedelta(**{_UNITS[match[2]]: int(match[1])}) if match else None


def console_member(user: str) -> Member:
    return Member("console", "local", user, display_name=user)


def read_line(member: Member, line: str) -> Inbound:
    """`/name args` is a command; anything else is an answer."""
    text = line.rstrip("\r\n")
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return Command(member, CONSOLE, *slash_to_command(name, args.strip()))
    return Text(member, CONSOLE, text)


class ConsoleChat:
    """One member chatting in a terminal; also the scheduler's transport to that terminal."""

    platform = "console"

    def __init__(
        self,
        core: Bounceback,
        member: Member,
        out: TextIO,
        exports: Path,
        *,
        prompt: bool,
        clock: ConsoleClock | None = None,
    ) -> None:
        self.core = core
        self.member = member
        self.out = out
        self.exports = exports
        self.prompt = prompt
        self.clock = clock
        self.dispatcher: Dispatcher | None = None

    def run(self, lines: TextIO) -> int:
        self.show(
            [
                Reply(
                    f"Hello {self.member.display_name}. Type /help to begin, or /rejected "
                    "after a no. Ctrl-D leaves."
                )
            ]
        )
        self._deliver_due()
        self._prompt()
        for line in _lines(lines, wait=IDLE_TICK if self.prompt else None):
            if line is None:
                self._deliver_due()
                continue
            self.take(line)
            self._prompt()
        return 0

    def take(self, line: str) -> None:
        """One typed line, answered, and whatever falls due after it."""
        self._handle(line)
        self._deliver_due()

    async def send(self, message: Outgoing, *, key: str, resend: bool) -> None:
        """Print a due reminder or group post; the console has no one else to reach."""
        if message.member is not None and message.member != self.member:
            self.out.write(f"[for {message.member.user}, who is not at this console]\n")
        self.show(message.replies)

    def _handle(self, line: str) -> None:
        if line.startswith("/clock") and self.clock is not None:
            self._move_clock(line.removeprefix("/clock"))
            return
        self.show(self.core.handle(read_line(self.member, line), PLAIN_TEXT))

    def _move_clock(self, spec: str) -> None:
        """Walk the clock forward an hour at a time, so each reminder arrives when it
        falls due rather than all at once, marked late."""
        assert self.clock is not None
        step = self.clock.parse(spec)
        if step is None:
            self.show([Reply("Move the clock forward with `/clock +3d`, `+2h`, `+1w` or `+30m`.")])
            return
        if step > LONGEST_MOVE:
            self.show([Reply("The clock moves up to a year at a time: try `/clock +52w`.")])
            return
        target = self.clock() + step
        while self.clock() < target:
            self.clock.offset += min(CLOCK_STRIDE, target - self.clock())
            self._deliver_due()
        self.show([Reply(f"The console's clock now reads {target:%a %-d %b %Y %H:%M} UTC.")])

    def _deliver_due(self) -> None:
        if self.dispatcher is not None:
            asyncio.run(self.dispatcher.tick())

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            text = as_plain_text(reply)
            if isinstance(reply, ChannelPost):
                text = "[posted to the group channel] " + text
            for attachment in reply.attachments:
                self.exports.mkdir(parents=True, exist_ok=True)
                path = self.exports / attachment.filename
                path.write_bytes(attachment.content)
                text += f"\n  saved {path}"
            self.out.write(f"bounceback> {text}\n\n")
        self.out.flush()

    def _prompt(self) -> None:
        if self.prompt:
            self.out.write(PROMPT)
            self.out.flush()


def _lines(stream: TextIO, *, wait: float | None) -> Iterator[str | None]:
    """Each line as it comes; at a terminal, None after `wait` idle seconds."""
    if wait is None:
        yield from stream
        return
    while True:
        ready, _, _ = select.select([stream], [], [], wait)
        if not ready:
            yield None
            continue
        line = stream.readline()
        if not line:
            return
        yield line
