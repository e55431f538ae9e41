"""The core's half of delivering an outbox row: what to send, to whom, and after.

The scheduler claims a row and asks `prepare` what it means now: a message
for a member's DM or a group's channel, a wait (a pause, quiet hours, the
silence rule), or nothing (the member or group is gone). Once the platform
has taken the message, `record` runs inside the scheduler's transaction that
marks the row sent, so the two are saved together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.checkins.arrival import decide_checkin
from bot.conversation.events import Member, Reply
from bot.conversation.registry import ASKING
from bot.group.rhythm import group_post
from bot.interviews.arrival import decide_interview
from bot.member.settings_dialogue import FirstZone, SettingsDialogue
from bot.playbook import Playbook
from bot.reminders.actions import Action, PauseOffer, ReminderDialogue
from bot.reminders.arrival import Decision, DueRow, Send, Wait, decide
from bot.reminders.asking import row_data
from bot.store.database import Connection, Engine
from bot.store.members import Place
from bot.store.reminders import CHECKIN_KINDS, INTERVIEW_KINDS
from bot.store.repository import Repository


@dataclass(frozen=True)
class Outgoing:
    """A message on its way: to a member's DM, or to a group's channel."""

    platform: str
    workspace: str
    replies: list[Reply]
    member: Member | None = None
    channel: str | None = None
    late: bool = False
    offers_pause: bool = False
    requests: int = 1  # the platform calls it takes: two while the member's DM is unopened

    @property
    def route(self) -> str:
        """The conversation it lands in, for per-channel rate limits."""
        return self.channel or f"dm:{self.member.user if self.member else ''}"


Prepared = Outgoing | Wait | None


class Delivery:
    def __init__(self, engine: Engine, playbook: Playbook) -> None:
        self.engine = engine
        self.playbook = playbook

    def prepare(self, row: DueRow, now: datetime) -> Prepared:
        with self.engine.begin() as db:
            if row.member_id is None:
                post = group_post(
                    db,
                    self.playbook,
                    platform=row.platform,
                    workspace=row.workspace,
                    kind=row.kind,
                    local_due=row.local_due,
                    due_at=row.due_at,
                    now=now,
                )
                if post is None:
                    return None
                return Outgoing(
                    row.platform, row.workspace, [post.reply], channel=post.channel, late=post.late
                )
            repo = Repository.of_member(db, row.platform, row.workspace, row.member_id)
            if repo is None:
                return None
            decision: Decision | None
            if row.kind in CHECKIN_KINDS:
                busy = repo.place is not None and not gives_way_to_a_reminder(repo.place)
                decision = decide_checkin(self.playbook, repo, row, now, busy=busy)
            elif row.kind in INTERVIEW_KINDS:
                decision = decide_interview(self.playbook, repo, row, now)
            else:
                rejection = repo.rejections.get(row.rejection_id) if row.rejection_id else None
                decision = decide(self.playbook, repo, row, rejection, now)
            if decision is None or isinstance(decision, Wait):
                return decision
            return _to_member(row, repo, decision)

    def record(self, db: Connection, row: DueRow, sent: Outgoing, now: datetime) -> None:
        """After a member's reminder went out: make it their open question."""
        if row.member_id is None:
            return
        repo = Repository.of_member(db, row.platform, row.workspace, row.member_id)
        if repo is None:
            return
        if sent.offers_pause:
            repo.reminders.unmark_nudge(row.id)  # the offer went out; the reminder itself waits
        if repo.place is not None and not gives_way_to_a_reminder(repo.place):
            return  # mid-dialogue: the reminder's buttons still work on their own
        if row.kind in ASKING and not sent.offers_pause:
            dialogue, question = ASKING[row.kind]  # for a typed answer; buttons work any time
            repo.offer_place(dialogue.name, question.name, row_data(row), now)
            return
        step = PauseOffer if sent.offers_pause else Action
        # The newest reminder is the open question, with the ones still unanswered before
        # it, so a typed answer can ask which; if the member started a dialogue this very
        # moment, theirs wins.
        data = {"reminder_id": row.id, "waiting": [*_unanswered(repo.place), row.id]}
        repo.offer_place(ReminderDialogue.name, step.name, data, now)

    def release(self, row: DueRow) -> None:
        """A prepared message that did not go out: give back the attention it reserved."""
        if row.member_id is None:
            return
        with self.engine.begin() as db:
            repo = Repository.of_member(db, row.platform, row.workspace, row.member_id)
            if repo is not None:
                repo.release_nudge(row.id)


def _unanswered(place: Place | None) -> list[int]:
    if place is None or place.dialogue != ReminderDialogue.name:
        return []
    return list(place.data.get("waiting") or [place.data["reminder_id"]])


def gives_way_to_a_reminder(place: Place) -> bool:
    """An older reminder or delivered question still unanswered, or the once-only zone
    question, is no dialogue to keep: a newly arrived one becomes the question, so a
    typed `1` answers it."""
    if place.dialogue == ReminderDialogue.name:
        return True
    if (place.dialogue, place.step) == (SettingsDialogue.name, FirstZone.name):
        return True
    return any(
        (place.dialogue, place.step) == (dialogue.name, step.name)
        for dialogue, step in ASKING.values()
    )


def _to_member(row: DueRow, repo: Repository, send: Send) -> Outgoing:
    return Outgoing(
        row.platform,
        row.workspace,
        send.replies,
        member=repo.who,
        late=send.late,
        offers_pause=send.offers_pause,
        requests=1 if repo.member.dm_channel else 2,
    )
