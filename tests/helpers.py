"""Test helpers shaped like the real thing: a clock to move, and a member who chats.

`Chat` is the fake transport for the core: it sends what a member types and
keeps every reply, so a dialogue test reads like the transcript of a chat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core import Bounceback
from bot.events import (
    PLAIN_TEXT,
    Capabilities,
    Choice,
    Command,
    Form,
    FormSubmitted,
    Inbound,
    Member,
    Origin,
    Reply,
    Text,
    Visibility,
)
from bot.plain import as_plain_text

DM = Origin("D1", in_dm=True)
CHANNEL = Origin("C-group", in_dm=False)
WITH_FORMS = Capabilities(buttons=True, forms=True)


@dataclass
class FakeClock:
    """Naive UTC, moved by hand: no test waits for real time."""

    now: datetime = datetime(2026, 11, 23, 14, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Replies(list[Reply]):
    """What the member saw after one message; `"text" in replies` searches all of it."""

    @property
    def text(self) -> str:
        return "\n\n".join(as_plain_text(reply) for reply in self)

    def __contains__(self, snippet: object) -> bool:
        return isinstance(snippet, str) and snippet in self.text

    @property
    def options(self) -> list[str]:
        """The values of the last question's options: what a button would send."""
        asking = [reply for reply in self if reply.options]
        return [option.value for option in asking[-1].options] if asking else []

    @property
    def form(self) -> Form | None:
        return next((reply.form for reply in self if reply.form), None)

    def seen_by(self, visibility: Visibility) -> Replies:
        return Replies(reply for reply in self if reply.visibility is visibility)


@dataclass
class Chat:
    core: Bounceback
    member: Member
    capabilities: Capabilities = PLAIN_TEXT
    origin: Origin = DM
    transcript: list[tuple[str, Replies]] = field(default_factory=list)

    def say(self, text: str) -> Replies:
        if text.startswith("/"):
            name, _, args = text[1:].partition(" ")
            return self.send(Command(self.member, self.origin, name, args))
        return self.send(Text(self.member, self.origin, text))

    def press(self, value: str) -> Replies:
        return self.send(Choice(self.member, self.origin, value))

    def submit(self, form_id: str, **values: str) -> Replies:
        return self.send(FormSubmitted(self.member, self.origin, form_id, values))

    def send(self, event: Inbound) -> Replies:
        replies = Replies(self.core.handle(event, self.capabilities))
        self.transcript.append((repr(event), replies))
        return replies

    def steps(self, *answers: str) -> Replies:
        """Several messages in a row; the replies to the last one."""
        replies = Replies()
        for answer in answers:
            replies = self.say(answer)
        return replies

    def group_posts(self) -> Iterator[Reply]:
        for _, replies in self.transcript:
            yield from replies.seen_by(Visibility.GROUP)


def give_group_channel(core: Bounceback, member: Member, channel: str = CHANNEL.channel) -> None:
    """The member's group posts in `channel`, as after their `/group channel` there."""
    Chat(core, member, origin=Origin(channel, in_dm=False)).say("/group channel")


def plan_for(chat: Chat, company: str) -> Replies:
    """The shortest /rejected from an interview to an accepted plan of follow-ups."""
    return chat.steps(
        f"/rejected {company}",
        "2",
        "3",
        "Analyst",
        "skip",
        "today",
        "skip",
        "keep",
        "skip",
        "no, keep it private",
        "Sounds good",
    )
