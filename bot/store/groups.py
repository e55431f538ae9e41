"""A tenant's group: its channel and rhythm, its posts in the outbox, its week in counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Column, Connection, String, cast, distinct, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import (
    CHECKINS,
    GROUPS,
    MEMBERS,
    REJECTIONS,
    REMINDERS,
    WINS,
    ReminderStatus,
)
from bot.store.owner import columns_of, of_tenant
from bot.store.reminders import FOLLOW_UP, WEEKLY_CHECKIN

CHECKIN, DIGEST = "group_checkin", "group_digest"  # the outbox kinds of a group's posts


@dataclass(frozen=True)
class Rhythm:
    """One tenant's group: where it posts, in which zone, and when."""

    platform: str
    workspace: str
    channel: str
    timezone: str
    checkin_day: str
    checkin_at: time
    digest_day: str
    digest_at: time
    rhythm_on: bool
    nudge_day: str  # the day members are asked how their week's goal went
    ask_goals: bool
    facilitators: tuple[str, ...]
    support: str  # who members can reach in a hard moment, as its facilitators wrote it

    def when(self, kind: str) -> tuple[str, time]:
        """The weekday and local time a kind of post goes out."""
        if kind == CHECKIN:
            return self.checkin_day, self.checkin_at
        return self.digest_day, self.digest_at

    @property
    def planned(self) -> bool:
        return self.rhythm_on and bool(self.channel)


@dataclass(frozen=True)
class Spread:
    """How many rows, and how many members made them."""

    rows: int
    members: int


@dataclass(frozen=True)
class WeekActivity:
    """A tenant's week, as its digest counts it."""

    rejections: Spread
    followups_done: Spread
    shared_wins: tuple[tuple[str, int], ...]  # (kind, count), most frequent first
    sharers: tuple[str, ...]  # display names of the members who shared a win
    checkins: Spread  # check-ins answered
    goals_met: int
    shared_goals: tuple[tuple[str, str], ...]  # (display name, goal), only those shared


@dataclass(frozen=True)
class Effort:
    """A tenant's week of follow-through, as the digest's chart counts it."""

    followups_due: Spread  # follow-ups that fell due, whatever became of them since
    followups_done: Spread
    advice_asked: Spread  # follow-ups done that asked for an advice conversation
    wins_shared: int


ADVICE = "advice_meeting"  # the follow-up that asks for an advice conversation
_groups, _reminders, _members = GROUPS, REMINDERS, MEMBERS
_rejections, _wins, _checkins = REJECTIONS, WINS, CHECKINS
_RHYTHM = select(*columns_of(Rhythm, _groups))


def _rhythm(row: Any) -> Rhythm:
    """A group's row, its flag and its facilitators (loosely typed by the database) made exact."""
    columns = row._asdict()
    columns.update(
        rhythm_on=bool(row.rhythm_on),
        ask_goals=bool(row.ask_goals),
        facilitators=tuple(row.facilitators or ()),
    )
    return Rhythm(**columns)


class Groups:
    """One tenant's group, on the turn's connection."""

    def __init__(self, db: Connection, platform: str, workspace: str) -> None:
        self.db = db
        self.platform, self.workspace = platform, workspace

    def _of(self, table: Any) -> list[Any]:
        return of_tenant(table, self.platform, self.workspace)

    def find(self) -> Rhythm | None:
        row = self.db.execute(_RHYTHM.where(*self._of(_groups))).first()
        return _rhythm(row) if row is not None else None

    def create(self, *, timezone: str, facilitators: Iterable[str], now: datetime) -> Rhythm:
        """A new group with the default rhythm (the table's defaults) and no channel yet:
        nothing is posted until a facilitator picks one."""
        self.db.execute(
            _groups.insert().values(
                platform=self.platform,
                workspace=self.workspace,
                timezone=timezone,
                facilitators=list(facilitators),
                created_at=now,
            )
        )
        group = self.find()
        assert group is not None
        return group

    def update(self, **values: Any) -> None:
        self.db.execute(update(_groups).where(*self._of(_groups)).values(**values))

    def cancel_planned(self, kinds: Iterable[str], now: datetime) -> int:
        """Cancel the group's posts not yet sent and still ahead, so they are re-planned;
        with the check-in, its members' own check-ins too.

        A cancelled row gives up its idempotency key (the row id is appended), so
        a new schedule that lands on the same local date can still be planned;
        rows already sent keep theirs, so a date that had its post never gets two.
        """
        kinds = list(kinds)
        posts = _reminders.c.member_id.is_(None) & _reminders.c.kind.in_(kinds)
        if CHECKIN in kinds:  # the members' own check-ins keep the group's day and time
            posts = posts | (_reminders.c.kind == WEEKLY_CHECKIN)
        cancelled = (
            update(_reminders)
            .where(
                *self._of(_reminders),
                posts,
                _reminders.c.status == ReminderStatus.PENDING,
                _reminders.c.due_at > now,
            )
            .values(
                status=ReminderStatus.CANCELLED,
                closed_at=now,
                idempotency_key=_reminders.c.idempotency_key
                + ":cancelled:"
                + cast(_reminders.c.id, String),
            )
        )
        return int(self.db.execute(cancelled).rowcount)

    def week(self, start: datetime, end: datetime) -> WeekActivity:
        """What the tenant's members did in (start, end]."""

        def within(column: Column[Any]) -> list[Any]:
            return [column > start, column <= end]

        rejections = self._spread(
            _rejections, [*self._of(_rejections), *within(_rejections.c.created_at)]
        )
        followups = self._spread(_reminders, self._followups_done(start, end))
        shared = self._wins_shared(start, end)
        by_kind = self.db.execute(
            select(_wins.c.kind, func.count())
            .where(*shared)
            .group_by(_wins.c.kind)
            .order_by(func.count().desc(), _wins.c.kind)
        )
        names = self.db.scalars(
            select(_members.c.display_name)
            .join(_wins, _wins.c.member_id == _members.c.id)
            .where(*self._of(_members), *shared)
            .distinct()
        )
        kinds = tuple((kind, int(count)) for kind, count in by_kind)
        answered = [*self._of(_checkins), *within(_checkins.c.created_at)]
        goals = self.db.execute(
            select(_members.c.display_name, _checkins.c.goal)
            .join(_checkins, _checkins.c.member_id == _members.c.id)
            .where(*answered, _checkins.c.goal_shared.is_(True), _checkins.c.goal != "")
            .order_by(_checkins.c.id)
        )
        return WeekActivity(
            rejections,
            followups,
            kinds,
            tuple(name or "" for name in names),
            checkins=self._spread(_checkins, answered),
            goals_met=self._spread(_checkins, [*answered, _checkins.c.goal_outcome == "done"]).rows,
            shared_goals=tuple((name or "", goal) for name, goal in goals),
        )

    def effort(self, start: datetime, end: datetime) -> Effort:
        """What the tenant's members followed through on in (start, end]."""
        done = self._followups_done(start, end)
        due = [
            *self._followups(),
            _reminders.c.status != ReminderStatus.CANCELLED,
            _reminders.c.due_at > start,
            _reminders.c.due_at <= end,
        ]
        wins = self.db.scalar(select(func.count()).where(*self._wins_shared(start, end)))
        return Effort(
            self._spread(_reminders, due),
            self._spread(_reminders, done),
            self._spread(_reminders, [*done, _reminders.c.kind == ADVICE]),
            int(wins or 0),
        )

    def _followups(self) -> list[Any]:
        """The tenant's members' follow-ups: no check-in, interview or group post."""
        return [*self._of(_reminders), FOLLOW_UP, _reminders.c.member_id.is_not(None)]

    def _followups_done(self, start: datetime, end: datetime) -> list[Any]:
        closed = _reminders.c.closed_at
        return [
            *self._followups(),
            _reminders.c.status == ReminderStatus.DONE,
            closed > start,
            closed <= end,
        ]

    def _wins_shared(self, start: datetime, end: datetime) -> list[Any]:
        created = _wins.c.created_at
        return [*self._of(_wins), _wins.c.shared.is_(True), created > start, created <= end]

    def _spread(self, table: Any, where: list[Any]) -> Spread:
        count, members = self.db.execute(
            select(func.count(), func.count(distinct(table.c.member_id))).where(*where)
        ).one()
        return Spread(int(count), int(members))


def planned_groups(db: Connection) -> list[Rhythm]:
    """Every tenant's group whose rhythm is on and has a channel to post in."""
    found = _RHYTHM.where(_groups.c.rhythm_on.is_(True), _groups.c.channel != "")
    return [_rhythm(row) for row in db.execute(found)]


def checkin_groups(db: Connection) -> list[Rhythm]:
    """Every tenant's group whose rhythm is on: its members are asked each week, in
    their DMs, whether or not it has a channel."""
    return [_rhythm(row) for row in db.execute(_RHYTHM.where(_groups.c.rhythm_on.is_(True)))]


# Each dialect's insert of group posts that skips a post whose idempotency key exists.
_KEY = [_reminders.c.idempotency_key]
_NEW_POSTS = {
    "postgresql": postgresql.insert(_reminders).on_conflict_do_nothing(index_elements=_KEY),
    "sqlite": sqlite.insert(_reminders).on_conflict_do_nothing(index_elements=_KEY),
}


def add_posts(db: Connection, rows: list[dict[str, Any]]) -> int:
    """Group posts into the outbox, each unless its idempotency key exists: how many
    were new. Two runs or two instances thus plan each post once."""
    if not rows:
        return 0
    statement = _NEW_POSTS[db.dialect.name].values(rows).returning(_reminders.c.id)
    return len(db.execute(statement).all())
