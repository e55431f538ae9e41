"""Every query the core makes, each scoped to one member of one tenant.

Writes run as Core statements built once, on the turn's own connection:
composing ORM queries cost more than running them (benchmarks/README.md). The
per-message path (who is this and where are they in a dialogue; their new place)
runs on the driver itself (store/driver.py), SQLAlchemy's execution being most of
a message's time. Reads that hand rows to dialogues return typed ORM objects,
through a session joined to the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, time
from functools import cache, cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.conversation.events import Member
from bot.store import inbox
from bot.store.driver import OnDriver
from bot.store.models import Conversation, MemberRow, Rejection, Reminder, Win

OPEN = ("pending", "sending", "sent")  # a follow-up the member has not yet closed


class CrossedAnswers(Exception):
    """Another event for this member changed their place first; this one must not win."""


@dataclass(frozen=True)
class MemberRecord:
    id: int
    platform: str
    workspace: str
    user_id: str
    display_name: str
    timezone: str
    timezone_chosen: bool
    timezone_asked: bool
    quiet_from: time | None
    quiet_until: time | None
    paused_until: datetime | None
    unanswered: int
    created_at: datetime


@dataclass(frozen=True)
class Place:
    """Where a member is in a dialogue; `version` fences answers that cross."""

    dialogue: str
    step: str
    data: dict[str, Any]
    version: int
    updated_at: datetime


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


_members, _places = MemberRow.__table__, Conversation.__table__
_rejections, _wins, _reminders = Rejection.__table__, Win.__table__, Reminder.__table__


def _owned(table: Table) -> ColumnElement[bool]:
    """This member's rows in this tenant; bound from Repository.fence at execution."""
    return (
        (table.c.platform == bindparam("t_platform"))
        & (table.c.workspace == bindparam("t_workspace"))
        & (table.c.member_id == bindparam("t_member"))
    )


# Columns in the order of the records' fields, so a row unpacks by position.
_MEMBER_COLUMNS = [_members.c[field.name] for field in fields(MemberRecord)]
_PLACE_COLUMNS = [_places.c[field.name] for field in fields(Place)]
_MEMBER_AND_PLACE = (
    select(*_MEMBER_COLUMNS, *_PLACE_COLUMNS)
    .select_from(_members.outerjoin(_places, _places.c.member_id == _members.c.id))
    .where(
        _members.c.platform == bindparam("platform"),
        _members.c.workspace == bindparam("workspace"),
    )
)
_BY_USER = OnDriver(_MEMBER_AND_PLACE.where(_members.c.user_id == bindparam("user")))
_BY_ID = _MEMBER_AND_PLACE.where(_members.c.id == bindparam("member"))
_THIS_PLACE = _owned(_places) & (_places.c.version == bindparam("t_version"))
_INSERT_PLACE = insert(_places)
# For the scheduler, which must not abort its transaction when a member's own dialogue
# got there first: both backends skip a conflicting row instead of raising.
_INSERT_PLACE_IF_NONE = {
    "sqlite": sqlite.insert(_places).on_conflict_do_nothing().returning(_places.c.version),
    "postgresql": postgresql.insert(_places).on_conflict_do_nothing().returning(_places.c.version),
}
_UPDATE_PLACE = OnDriver(
    update(_places)
    .where(_THIS_PLACE)
    .values(
        {name: bindparam(name) for name in ("dialogue", "step", "data", "version", "updated_at")}
    )
)
_DELETE_PLACE = OnDriver(delete(_places).where(_THIS_PLACE))
# The columns to set come from the parameters given at execution.
_UPDATE_MEMBER = update(_members).where(_members.c.id == bindparam("t_member"))
_RESERVE_NUDGE = (
    update(_members)
    .where(_members.c.id == bindparam("t_member"), _members.c.unanswered <= bindparam("most"))
    .values(unanswered=_members.c.unanswered + 1)
    .returning(_members.c.unanswered)
)
_MARK_NUDGE = (
    update(_reminders)
    .where(_owned(_reminders), _reminders.c.id == bindparam("t_id"))
    .values(nudge=bindparam("nudge"))
)
_UNMARK_NUDGE = (
    update(_reminders)
    .where(
        _owned(_reminders), _reminders.c.id == bindparam("t_id"), _reminders.c.nudge.is_not(None)
    )
    .values(nudge=None)
)
_RELEASE_NUDGE = (
    update(_members)
    .where(_members.c.id == bindparam("t_member"), _members.c.unanswered > 0)
    .values(unanswered=_members.c.unanswered - 1)
)
# Statements built once: composing them per call cost more than running them.
_INSERT_REJECTION = insert(_rejections).returning(_rejections.c.id)
_THIS_REJECTION = _owned(_rejections) & (_rejections.c.id == bindparam("t_id"))
_REJECTION = select(Rejection).where(_owned(_rejections), Rejection.id == bindparam("t_id"))
_REJECTIONS = (
    select(Rejection)
    .where(_owned(_rejections))
    .order_by(Rejection.heard_on.desc(), Rejection.id.desc())
)
_LATEST_REJECTIONS = _REJECTIONS.limit(bindparam("t_limit"))
_REJECTION_COUNT = select(func.count()).select_from(_rejections).where(_owned(_rejections))
_NEWEST_WINS = (_wins.c.created_at.desc(), _wins.c.id.desc())
_WINS = select(Win).where(_owned(_wins)).order_by(*_NEWEST_WINS)
# The few lines a dialogue quotes back, without an ORM round: it runs on a hot step.
_RECENT_WINS = (
    select(_wins.c.kind, _wins.c.description)
    .where(_owned(_wins))
    .order_by(*_NEWEST_WINS)
    .limit(bindparam("t_limit"))
)
_INSERT_WIN = insert(_wins).returning(_wins.c.id)
_INSERT_REMINDERS = insert(_reminders)
_INSERT_MEMBER = insert(_members)


class Repository:
    """One member's data within one transaction (the caller commits)."""

    def __init__(self, db: Connection, member: MemberRecord, place: Place | None) -> None:
        self.db = db
        self.member = member
        self.place = place
        self.forgotten = False
        self.fence = {
            "t_platform": member.platform,
            "t_workspace": member.workspace,
            "t_member": member.id,
        }

    @classmethod
    def open(
        cls, db: Connection, who: Member, now: datetime, *, timezone: str = "UTC"
    ) -> Repository:
        """The member (created on first contact) and their place, in one query."""
        identity = {"platform": who.platform, "workspace": who.workspace, "user": who.user}
        row = _BY_USER.first(db, identity)
        if row is None:
            new = {
                "platform": who.platform,
                "workspace": who.workspace,
                "user_id": who.user,
                "display_name": who.display_name,
                "timezone": timezone,
                "created_at": now,
            }
            db.execute(_INSERT_MEMBER, new)
            row = _BY_USER.first(db, identity)
            assert row is not None
        repo = cls._from_row(db, row)
        if who.display_name and repo.member.display_name != who.display_name:
            db.execute(
                _UPDATE_MEMBER, {"t_member": repo.member.id, "display_name": who.display_name}
            )
        return repo

    @classmethod
    def of_member(
        cls, db: Connection, platform: str, workspace: str, member_id: int
    ) -> Repository | None:
        """A member found by id within a tenant, as the scheduler knows them; None if gone."""
        params = {"platform": platform, "workspace": workspace, "member": member_id}
        row = db.execute(_BY_ID, params).first()
        return None if row is None else cls._from_row(db, row)

    @classmethod
    def _from_row(cls, db: Connection, row: Any) -> Repository:
        member = MemberRecord(*row[: len(_MEMBER_COLUMNS)])
        place_values = row[len(_MEMBER_COLUMNS) :]
        place = Place(*place_values) if place_values[0] is not None else None
        return cls(db, member, place)

    @property
    def who(self) -> Member:
        """The member as an adapter addresses them."""
        m = self.member
        return Member(m.platform, m.workspace, m.user_id, display_name=m.display_name)

    def reserve_nudge(self, reminder_id: int, most: int) -> int | None:
        """Count one more reminder going out unanswered, unless `most` already are: the
        reminder's number in the row, or None. The count and the reminder's own record
        of it change together and atomically, so workers racing for one member each get
        their own number, and a reminder retried after a crash keeps its number."""
        params = {"t_member": self.member.id, "most": most}
        count = self.db.execute(_RESERVE_NUDGE, params).scalar()
        if count is not None:
            self.db.execute(_MARK_NUDGE, {"t_id": reminder_id, "nudge": count, **self.fence})
            self.member = replace(self.member, unanswered=count)
        return count

    def release_nudge(self, reminder_id: int) -> None:
        """A reserved reminder that did not go out after all (a failed or deferred send)."""
        if self.forget_nudge(reminder_id):
            self.db.execute(_RELEASE_NUDGE, {"t_member": self.member.id})

    def forget_nudge(self, reminder_id: int) -> bool:
        """The reminder will be prepared afresh next time; the member's count stands."""
        return bool(self.db.execute(_UNMARK_NUDGE, {"t_id": reminder_id, **self.fence}).rowcount)

    def set_unanswered(self, count: int) -> None:
        self.db.execute(_UPDATE_MEMBER, {"t_member": self.member.id, "unanswered": count})
        self.member = replace(self.member, unanswered=count)

    @cached_property
    def session(self) -> Session:
        """ORM reads, inside the turn's transaction: it never commits on its own."""
        return Session(bind=self.db)

    def _tenant(self) -> dict[str, Any]:
        return {
            "platform": self.member.platform,
            "workspace": self.member.workspace,
            "member_id": self.member.id,
        }

    def _mine(self, model: type[Any]) -> list[Any]:
        """WHERE clauses that keep a query inside this member's tenant and rows."""
        return [
            model.platform == self.member.platform,
            model.workspace == self.member.workspace,
            model.member_id == self.member.id,
        ]

    # Where the member is in a dialogue

    def save_place(self, dialogue: str, step: str, data: dict[str, Any], now: datetime) -> None:
        if self.place is None:
            values = {"dialogue": dialogue, "step": step, "data": data, "version": 1}
            self.db.execute(_INSERT_PLACE, {**values, "updated_at": now, **self._tenant()})
            self.place = Place(dialogue, step, data, 1, now)
            return
        if (self.place.dialogue, self.place.step, self.place.data) == (dialogue, step, data):
            return  # an answer that changed nothing writes nothing
        version = self.place.version + 1
        changes = {"dialogue": dialogue, "step": step, "data": data, "version": version}
        self._fenced(_UPDATE_PLACE, {**changes, "updated_at": now})
        self.place = Place(dialogue, step, data, version, now)

    def offer_place(self, dialogue: str, step: str, data: dict[str, Any], now: datetime) -> bool:
        """Save the place unless the member moved first (a new dialogue, another answer):
        then nothing changes, and no error spoils the caller's transaction."""
        values = {"dialogue": dialogue, "step": step, "data": data, "updated_at": now}
        if self.place is None:
            insert_once = _INSERT_PLACE_IF_NONE[self.db.dialect.name]
            row = {**values, "version": 1, **self._tenant()}
            if self.db.execute(insert_once, row).first() is None:  # rowcount: -1 on psycopg
                return False
            self.place = Place(dialogue, step, data, 1, now)
            return True
        try:
            self.save_place(dialogue, step, data, now)
        except CrossedAnswers:
            return False
        return True

    def end_place(self) -> None:
        if self.place is not None:
            self._fenced(_DELETE_PLACE, {})
            self.place = None

    def _fenced(self, statement: OnDriver, values: dict[str, Any]) -> None:
        assert self.place is not None
        fence = {**self.fence, "t_version": self.place.version}
        if statement.rowcount(self.db, {**values, **fence}) != 1:
            raise CrossedAnswers

    # Rejections

    def add_rejection(self, **facts: Any) -> int:
        """Record a rejection; its id."""
        return int(self.db.execute(_INSERT_REJECTION, {**facts, **self._tenant()}).scalar_one())

    def update_rejection(self, rejection_id: int, **values: Any) -> bool:
        """Change one of this member's rejections; False if it is gone."""
        changes = _rejection_update(tuple(values))
        return bool(changes.rowcount(self.db, {**values, **self.fence, "t_id": rejection_id}))

    def rejection(self, rejection_id: int) -> Rejection | None:
        found = self.session.scalars(_REJECTION, {**self.fence, "t_id": rejection_id})
        return found.first()

    def rejections(self, limit: int | None = None) -> Sequence[Rejection]:
        """Newest first; every one unless a limit is given."""
        if limit is None:
            return self.session.scalars(_REJECTIONS, self.fence).all()
        return self.session.scalars(_LATEST_REJECTIONS, {**self.fence, "t_limit": limit}).all()

    def rejection_count(self) -> int:
        """How many rejections this member has come through: the resilience count."""
        return int(self.db.execute(_REJECTION_COUNT, self.fence).scalar_one())

    # Wins

    def add_win(self, **fields: Any) -> int:
        """Record a win; its id."""
        return int(self.db.execute(_INSERT_WIN, {**fields, **self._tenant()}).scalar_one())

    def wins(self) -> Sequence[Win]:
        """Every one, newest first."""
        return self.session.scalars(_WINS, self.fence).all()

    def recent_wins(self, limit: int) -> list[tuple[str, str]]:
        """The kind and words of the newest few wins."""
        rows = self.db.execute(_RECENT_WINS, {**self.fence, "t_limit": limit})
        return [(kind, description) for kind, description in rows]

    # Reminders

    def add_reminders(self, reminders: Iterable[dict[str, Any]]) -> None:
        rows = [{**fields, **self._tenant()} for fields in reminders]
        if rows:
            self.db.execute(_INSERT_REMINDERS, rows)

    def open_reminders(self) -> Sequence[Reminder]:
        query = select(Reminder).where(*self._mine(Reminder), Reminder.status.in_(OPEN))
        return self.session.scalars(query.order_by(Reminder.due_at, Reminder.id)).all()

    def reminder(self, reminder_id: int) -> Reminder | None:
        query = select(Reminder).where(*self._mine(Reminder), Reminder.id == reminder_id)
        return self.session.scalars(query).first()

    def close_reminder(self, reminder_id: int, status: str, now: datetime) -> bool:
        return self._change_open_reminder(reminder_id, status=status, closed_at=now)

    def snooze_reminder(self, reminder_id: int, due_at: datetime, local_due: datetime) -> bool:
        """Due again later, as a fresh reminder: no attempts, not late."""
        return self._change_open_reminder(
            reminder_id,
            status="pending",
            due_at=due_at,
            local_due=local_due,
            attempts=0,
            late=False,
        )

    def _change_open_reminder(self, reminder_id: int, **values: Any) -> bool:
        result = self.db.execute(
            update(Reminder)
            .where(*self._mine(Reminder), Reminder.id == reminder_id, Reminder.status.in_(OPEN))
            .values(**values)
        )
        return bool(result.rowcount)

    def cancel_reminders(self, rejection_id: int, kinds: Iterable[str], now: datetime) -> int:
        result = self.db.execute(
            update(Reminder)
            .where(
                *self._mine(Reminder),
                Reminder.rejection_id == rejection_id,
                Reminder.kind.in_(list(kinds)),
                Reminder.status.in_(OPEN),
            )
            .values(status="cancelled", closed_at=now)
        )
        return int(result.rowcount)

    def release_held(self, now: datetime, local_now: datetime) -> int:
        """Reminders whose planned time has passed but were held back: due at once."""
        result = self.db.execute(
            update(Reminder)
            .where(
                *self._mine(Reminder),
                Reminder.status == "pending",
                Reminder.local_due <= local_now,
                Reminder.due_at > now,
            )
            .values(due_at=now)
        )
        return int(result.rowcount)

    def reminders(self) -> Sequence[Reminder]:
        query = select(Reminder).where(*self._mine(Reminder)).order_by(Reminder.due_at)
        return self.session.scalars(query).all()

    # The journey, export and erasure

    def tally(self) -> Tally:
        by_stage = self._count_by(Rejection, Rejection.stage)
        feedback = select(func.count()).where(*self._mine(Rejection), Rejection.feedback != "")
        wins = self.db.execute(
            select(func.count(), func.count().filter(Win.shared)).where(*self._mine(Win))
        ).one()
        followups = self._count_by(Reminder, Reminder.status)
        return Tally(
            rejections=sum(by_stage.values()),
            by_stage=by_stage,
            feedback_received=self.db.scalar(feedback) or 0,
            wins=wins[0],
            wins_shared=wins[1],
            followups_done=followups.get("done", 0),
            followups_pending=sum(followups.get(status, 0) for status in OPEN),
        )

    def _count_by(self, model: type[Any], column: Any) -> dict[str, int]:
        query = select(column, func.count()).where(*self._mine(model)).group_by(column)
        return {key: count for key, count in self.db.execute(query)}

    def forget(self) -> None:
        """Delete the member and everything that hangs off them, in this tenant."""
        for model in (Conversation, Reminder, Win, Rejection):
            self.db.execute(delete(model).where(*self._mine(model)))
        self.db.execute(
            delete(MemberRow).where(
                MemberRow.platform == self.member.platform,
                MemberRow.workspace == self.member.workspace,
                MemberRow.id == self.member.id,
            )
        )
        inbox.forget(
            self.db, Member(self.member.platform, self.member.workspace, self.member.user_id)
        )
        self.place = None
        self.forgotten = True


@cache
def _rejection_update(columns: tuple[str, ...]) -> OnDriver:
    """A dialogue saves each fact as it is given: one statement per set of columns."""
    changes = {name: bindparam(name) for name in columns}
    return OnDriver(update(_rejections).where(_THIS_REJECTION).values(changes))
