"""What a due follow-up says when it arrives, and whether it should arrive now.

The scheduler owns timing and retries; this module owns the member's side:
their pause, their quiet hours, the silence rule (after three reminders in a
row go unanswered, offer a pause instead of a fourth), the late note after
downtime, and the words and buttons of the message itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.conversation.events import Option, Reply
from bot.member.settings import next_allowed, release_held
from bot.playbook import Playbook
from bot.rejection.notes import follow_up_note
from bot.rejection.plan import KEPT_NOTES
from bot.store.rejections import RejectionRecord
from bot.store.repository import Repository

SILENCE = 3  # unanswered reminders in a row before a pause is offered
LATE_AFTER = timedelta(hours=2)
HELD_FOR = timedelta(days=1)  # how long to wait for an answer to the pause offer
ACTION = "reminder"  # option values: reminder:<id>:<action>
PAUSE = "pause:"  # the pause offer's option values: pause:<weeks>
SNOOZES = {"1d": 1, "3d": 3, "7d": 7}


class DueRow(Protocol):
    """An outbox row being delivered, as the scheduler hands it over; read-only, so the
    scheduler's claimed row and the store's record (frozen dataclasses) both are one."""

    @property
    def id(self) -> int: ...

    @property
    def platform(self) -> str: ...

    @property
    def workspace(self) -> str: ...

    @property
    def member_id(self) -> int | None: ...  # None: a group post

    @property
    def rejection_id(self) -> int | None: ...

    @property
    def checkin_id(self) -> int | None: ...  # a goal nudge's week

    @property
    def interview_id(self) -> int | None: ...

    @property
    def kind(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...

    @property
    def local_due(self) -> datetime: ...

    @property
    def zone(self) -> str: ...

    @property
    def nudge(self) -> int | None: ...  # set once prepared: a retry repeats the same decision


@dataclass(frozen=True)
class Send:
    replies: list[Reply]
    late: bool
    offers_pause: bool = False  # the replies are the pause offer, not the reminder


@dataclass(frozen=True)
class Wait:
    until: datetime


Decision = Send | Wait


def decide(
    playbook: Playbook,
    repo: Repository,
    row: DueRow,
    rejection: RejectionRecord | None,
    now: datetime,
) -> Decision:
    """Send this reminder now, offer a pause instead, or hold it until later.

    Deciding to send reserves the member's attention (see Repository.reserve_nudge):
    the caller commits that with the decision and releases it if nothing goes out.
    """
    held = held_back(repo, row, now)
    if held is not None:
        return held
    member = repo.member
    late = now - row.due_at > LATE_AFTER
    message = reminder_message(
        playbook,
        row,
        rejection,
        late=late,
        member_name=member.signature,
        at=local_time(now, member.timezone),
    )
    return Send([message], late=late)


def held_back(repo: Repository, row: DueRow, now: datetime) -> Decision | None:
    """What comes instead of this message now: a wait (a pause, quiet hours, an open
    pause offer) or the pause offer itself; None when the message may go. Every message
    the member did not ask for counts towards the silence rule: reminders and check-ins."""
    member = repo.member
    if member.paused_until is not None and member.paused_until > now:
        return Wait(member.paused_until)
    window = (
        (member.quiet_from, member.quiet_until)
        if member.quiet_from is not None and member.quiet_until is not None
        else None
    )
    allowed = next_allowed(now, member.timezone, window)
    if allowed > now:
        return Wait(allowed)
    count = row.nudge if row.nudge is not None else repo.reserve_nudge(row.id, most=SILENCE)
    if count is None:
        return Wait(now + HELD_FOR)  # the pause offer is out; wait for an answer
    if count > SILENCE:
        return Send([pause_offer()], late=False, offers_pause=True)
    return None


def local_time(now: datetime, zone: str) -> datetime:
    """The member's wall clock at this naive-UTC moment."""
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def welcome_back(repo: Repository, now: datetime) -> None:
    """The member spoke: the silence count restarts, and what was held for them comes."""
    if not repo.member.unanswered:
        return
    if repo.member.unanswered > SILENCE:
        release_held(repo, now)
    repo.change(unanswered=0)


def reminder_message(
    playbook: Playbook,
    row: DueRow,
    rejection: RejectionRecord | None,
    *,
    late: bool,
    member_name: str = "",
    at: datetime | None = None,
) -> Reply:
    """The reminder, greeted for the member's hour `at` it arrives (none when asked
    again mid-dialogue), with the draft it is about, ready to copy."""
    facts = {
        "company": rejection.company if rejection else "them",
        "role": rejection.role if rejection else "",
    }
    text = playbook.text(f"plan.reminders.{row.kind}.message", **facts)
    if late:
        text = "This one is late: I was offline for a while. " + text
    if at is not None:
        text = f"{greeting(playbook, at)} {text}"
    draft = reminder_draft(playbook, row.kind, rejection, member_name)
    return Reply(text, options=reminder_options(row.id, row.kind), quote=draft)


def greeting(playbook: Playbook, local: datetime) -> str:
    if 5 <= local.hour < 12:
        return playbook.text("plan.greetings.morning")
    if 12 <= local.hour < 18:
        return playbook.text("plan.greetings.afternoon")
    return playbook.text("plan.greetings.evening")


def reminder_draft(
    playbook: Playbook, kind: str, rejection: RejectionRecord | None, member_name: str
) -> str | None:
    """The note a reminder asks the member to send: the one they kept, or its draft."""
    if rejection is None or kind == "check_in":
        return None
    if kind in KEPT_NOTES:
        return rejection.note or None
    return follow_up_note(
        playbook,
        kind,
        company=rejection.company,
        role=rejection.role,
        contact_name=rejection.contact_name,
        member_name=member_name,
    )


DONE_WORDS = ("did it", "sent it", "finished")
SNOOZE_WORDS = ("snooze", "later", "not now", "remind me")  # each snooze, asked which


def reminder_options(reminder_id: int, kind: str) -> tuple[Option, ...]:
    options = [Option(action_value(reminder_id, "done"), "Done", also=DONE_WORDS)]
    if kind != "check_in":
        options.append(Option(action_value(reminder_id, "replied"), "They replied"))
    options += [
        Option(action_value(reminder_id, "1d"), "Tomorrow", also=SNOOZE_WORDS),
        Option(action_value(reminder_id, "3d"), "In 3 days", also=SNOOZE_WORDS),
        Option(action_value(reminder_id, "7d"), "Next week", also=SNOOZE_WORDS),
        Option(action_value(reminder_id, "later"), "Another day", also=SNOOZE_WORDS),
        Option(action_value(reminder_id, "skip"), "Skip this one"),
        Option(action_value(reminder_id, "win"), "Log a win"),
    ]
    return tuple(options)


def pause_offer() -> Reply:
    text = (
        "I've sent you a few reminders without hearing back, and that's fine: job hunting "
        "has seasons. Shall I pause them for a while? Nothing is lost; they'll wait for you."
    )
    options = (
        Option(f"{PAUSE}2", "Pause for 2 weeks"),
        Option(f"{PAUSE}4", "Pause for 4 weeks"),
        Option(f"{PAUSE}0", "Keep them coming"),
    )
    return Reply(text, options=options)


def action_value(reminder_id: int, action: str) -> str:
    return f"{ACTION}:{reminder_id}:{action}"


_ACTION_VALUE = re.compile(rf"^{ACTION}:(\d+):(\w+)$")


def parse_action(value: str) -> tuple[int, str] | None:
    """`reminder:12:done` as (12, "done"); None for anything else."""
    match = _ACTION_VALUE.match(value)
    return (int(match[1]), match[2]) if match else None
