"""One member's data within one turn's transaction: what a dialogue holds as `turn.repo`.

The member and their place are this object's own (bot/store/members.py); what hangs
off them has a repository each, on the same connection: `rejections`, `wins`,
`reminders`, `checkins`, `interviews`, and their tenant's `group` and `roster`. What
spans them lives here: the silence rule's count, the journey's tally, and erasure. The
caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete

from bot.store.checkins import Checkins
from bot.store.groups import Groups
from bot.store.interviews import Interviews
from bot.store.members import Members, Place, Profile, Roster
from bot.store.models import (
    CHECKINS,
    INTERVIEWS,
    OPEN,
    REJECTIONS,
    REMINDERS,
    WINS,
    ReminderStatus,
)
from bot.store.owner import owned
from bot.store.rejections import Rejections, Wins
from bot.store.reminders import Reminders


@dataclass(frozen=True)
class Tally:
    """A member's journey in numbers, for /stats and the resilience count."""

    rejections: int
    by_stage: dict[str, int]
    feedback_received: int
    wins: int
    wins_shared: int
    followups_done: int
    followups_pending: int


# What hangs off a member, deleted before them.
_THEIR_ROWS = [
    delete(table).where(owned(table))
    for table in (REMINDERS, CHECKINS, INTERVIEWS, WINS, REJECTIONS)
]


class Repository(Members):
    """One member's data within one transaction, a repository per aggregate."""

    def __init__(self, db: Connection, member: Profile, place: Place | None) -> None:
        super().__init__(db, member, place)
        self.rejections = Rejections(db, self.owner)
        self.wins = Wins(db, self.owner)
        self.reminders = Reminders(db, self.owner)
        self.checkins = Checkins(db, self.owner)
        self.interviews = Interviews(db, self.owner)
        self.group = Groups(db, member.platform, member.workspace)
        self.roster = Roster(db, member.platform, member.workspace)
        self.forgotten = False

    def reserve_nudge(self, reminder_id: int, most: int) -> int | None:
        """Count one more reminder going out unanswered, unless `most` already are: the
        reminder's number in the row, or None. The count and the reminder's own record
        of it change together and atomically, so workers racing for one member each get
        their own number, and a reminder retried after a crash keeps its number."""
        count = self.count_nudge(most)
        if count is not None:
            self.reminders.mark_nudge(reminder_id, count)
        return count

    def release_nudge(self, reminder_id: int) -> None:
        """A reserved reminder that did not go out after all (a failed or deferred send)."""
        if self.reminders.unmark_nudge(reminder_id):
            self.uncount_nudge()

    def tally(self) -> Tally:
        by_stage = self.rejections.by_stage()
        wins, shared = self.wins.counts()
        followups = self.reminders.by_status()
        return Tally(
            rejections=sum(by_stage.values()),
            by_stage=by_stage,
            feedback_received=self.rejections.feedback_count(),
            wins=wins,
            wins_shared=shared,
            followups_done=followups.get(ReminderStatus.DONE, 0),
            followups_pending=sum(followups.get(status, 0) for status in OPEN),
        )

    def forget(self) -> None:
        """Delete the member and everything that hangs off them, in this tenant."""
        for statement in _THEIR_ROWS:
            self.db.execute(statement, self.owner.fence)
        self.forget_member()
        self.forgotten = True
