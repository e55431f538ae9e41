"""Test helpers shaped like the real thing: a clock to move, and a member who chats.

`Chat` is the fake transport for the core: it sends what a member types and
keeps every reply, so a dialogue test reads like the transcript of a chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.core import Bounceback
from bot.conversation.events import (
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
from bot.conversation.plain_text import as_plain_text
from bot.store.groups import Groups
from bot.store.models import Base, CheckinRow, Conversation, Rejection, Reminder
from scheduler.dispatcher import Dispatcher, Tally
from tests.support.transport import FakeTransport

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


# A whole /rejected through to an accepted plan, as most reminder tests start; its
# first follow-up is due the morning after.
PLAN = (
    "/rejected Acme",
    "Disappointed",
    "Interviews",
    "Data Analyst",
    "Jane Doe",
    "yesterday",
    "They chose someone with more experience",
    "Hiring manager",
    "keep",
    "Yes, that's it",  # someone better qualified has the role: no opening to pass on
    "Sounds good",
)
FIRST_DUE = datetime(2026, 11, 24, 9, 0)  # the thank-you note, the morning after


def outbox(core: Bounceback) -> dict[str, tuple[str, datetime]]:
    """Each reminder kind with its status and due time, soonest first."""
    with Session(core.engine) as session:
        rows = session.scalars(select(Reminder).order_by(Reminder.due_at))
        return {row.kind: (row.status, row.due_at) for row in rows}


def two_thank_yous_due(chat: Chat, clock: FakeClock) -> None:
    """Plans for Acme and Globex, the clock at the morning both thank-yous fall due."""
    chat.steps(*PLAN)
    plan_for(chat, "Globex")
    clock.now = FIRST_DUE


def thank_yous(core: Bounceback) -> dict[str, str]:
    """The status of each company's thank-you reminder, when several plans are out."""
    with Session(core.engine) as session:
        rows = session.execute(
            select(Rejection.company, Reminder.status)
            .join(Rejection, Reminder.rejection_id == Rejection.id)
            .where(Reminder.kind == "send_note")
        )
        return {company: status for company, status in rows}


def snapshot(core: Bounceback) -> dict[str, list[tuple]]:
    """Every row of every table: to show a turn changed nothing."""
    with Session(core.engine) as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def deliver(dispatcher: Dispatcher) -> Tally:
    """One tick of the scheduler: whatever is due goes out."""
    return asyncio.run(dispatcher.tick())


def place(core: Bounceback) -> tuple[str, str] | None:
    """The (dialogue, step) the member is at, if any."""
    with Session(core.engine) as session:
        found = session.scalars(select(Conversation)).first()
        return (found.dialogue, found.step) if found else None


PRIVATE_CHECKIN_WORDS = ("Rough", "cried", "Hooli")


def a_week_of_check_ins(core: Bounceback, sharer: Member, *others: Member) -> None:
    """Members answer this week's check-in; only `sharer` shares a goal, and the others'
    answers hold words (PRIVATE_CHECKIN_WORDS) that must never reach the group."""
    Chat(core, sharer).steps(
        "/checkin", "Good", "two applications out", "two applications and a coffee chat"
    )
    Chat(core, sharer).say("Share my goal")
    for member in others:
        Chat(core, member).steps("/checkin", "Rough", "cried after the Hooli call", "call Hooli")
        Chat(core, member).say("Keep it private")


CHECKIN_DUE = datetime(2026, 11, 30, 9, 0)  # a group's default: Monday 09:00, here in UTC


def a_check_in_due(core: Bounceback, member: Member, clock: FakeClock) -> None:
    """The member's group asks weekly check-ins, the member has them on, and the clock
    reads the moment the next one is due."""
    with core.engine.begin() as db:
        group = Groups(db, member.platform, member.workspace)
        group.create(timezone="UTC", facilitators=[], now=clock.now)
    Chat(core, member).say("/checkin on")
    clock.now = CHECKIN_DUE


def this_weeks_check_in(core: Bounceback) -> CheckinRow:
    with Session(core.engine) as session:
        return session.scalars(select(CheckinRow)).one()


def arrivals(
    dispatcher: Dispatcher, platform: FakeTransport, clock: FakeClock, until: datetime
) -> list[str]:
    """What reached members' DMs, the scheduler ticking hour by hour until then."""
    seen = len(platform.sent)
    while clock.now < until:
        clock.advance(hours=1)
        deliver(dispatcher)
    return [
        as_plain_text(reply)
        for message, _ in platform.sent[seen:]
        if message.member is not None
        for reply in message.replies
    ]
