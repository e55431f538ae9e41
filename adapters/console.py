"""The local chat: Bounceback in a terminal, on the same core and store as the platforms.

Reads one line at a time from any stream (a terminal or a pipe) and exits at
the end of input. The console is a direct message, so nothing is ever shared
by accident; posts meant for the group are printed and marked as such.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.core import Bounceback
from bot.events import PLAIN_TEXT, Command, Inbound, Member, Origin, Reply, Text, Visibility
from bot.plain import as_plain_text

CONSOLE = Origin(channel="console", in_dm=True)
PROMPT = "you> "


def console_member(user: str) -> Member:
    return Member("console", "local", user, display_name=user)


def read_line(member: Member, line: str) -> Inbound:
    """`/name args` is a command; anything else is an answer."""
    text = line.rstrip("\r\n")
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return Command(member, CONSOLE, name, args.strip())
    return Text(member, CONSOLE, text)


class ConsoleChat:
    def __init__(
        self, core: Bounceback, member: Member, out: TextIO, exports: Path, *, prompt: bool
    ) -> None:
        self.core = core
        self.member = member
        self.out = out
        self.exports = exports
        self.prompt = prompt

    def run(self, lines: TextIO) -> int:
        self.show(
            [
                Reply(
                    f"Hello {self.member.display_name}. Type /help to begin, or /rejected "
                    "after a no. Ctrl-D leaves."
                )
            ]
        )
        self._prompt()
        for line in lines:
            self.show(self.core.handle(read_line(self.member, line), PLAIN_TEXT))
            self._prompt()
        return 0

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            text = as_plain_text(reply)
            if reply.visibility is Visibility.GROUP:
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
