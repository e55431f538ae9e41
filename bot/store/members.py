"""A member and their place in a dialogue; the members of a tenant, looked up; and the
DM channel each is reached at.

The per-message path (who is this and where are they in a dialogue; their new
place) is one joined select and one fenced write, each a statement built once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, time
from typing import Any, Self

from sqlalchemy import ColumnElement, Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.conversation.events import Member
from bot.store import inbox
from bot.store.models import CONVERSATIONS, MEMBERS
from bot.store.owner import Owner, columns_of, owned


class CrossedAnswers(Exception):
    """Another event for this member changed their place first; this one must not win."""


@dataclass(frozen=True)
class Profile:
    """What Bounceback keeps about a member (their `members` row): the `Member` an
    event names is only who they are; this is their zone, quiet hours, pause."""

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
    checkins_on: bool
    away_until: datetime | None
    signs_as: str
    created_at: datetime
    dm_channel: str | None  # the bot's DM with them on their platform, once opened
    tell_facilitator: bool  # named to the facilitators when they go quiet

    @property
    def signature(self) -> str:
        """The name their drafts are signed with: the one they gave, else their own."""
        return self.signs_as or self.display_name


@dataclass(frozen=True)
class FormFilling:
    """A form asked one field at a time: the field it is at, and the answers so far."""

    position: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Place:
    """Where a member is in a dialogue; `version` fences answers that cross.

    `data` is the dialogue's own; `held` (for care) and `filling` are the engine's.
    """

    dialogue: str
    step: str
    data: dict[str, Any]
    version: int
    updated_at: datetime
    held: int = 0  # messages heard while held for care; 0 when not held
    filling: FormFilling | None = None

    @classmethod
    def from_row(cls, *values: Any) -> Place:
        dialogue, step, data, version, updated_at, held, filling = values
        form = FormFilling(**filling) if filling else None
        return cls(dialogue, step, data, version, updated_at, held, form)


_members, _places = MEMBERS, CONVERSATIONS
_MEMBER_COLUMNS = columns_of(Profile, _members)
_MEMBER_AND_PLACE = (
    select(*_MEMBER_COLUMNS, *columns_of(Place, _places))
    .select_from(_members.outerjoin(_places, _places.c.member_id == _members.c.id))
    .where(
        _members.c.platform == bindparam("platform"),
        _members.c.workspace == bindparam("workspace"),
    )
)
_BY_USER = _MEMBER_AND_PLACE.where(_members.c.user_id == bindparam("user"))
_BY_ID = _MEMBER_AND_PLACE.where(_members.c.id == bindparam("member"))
_INSERT_MEMBER = insert(_members)
_THIS_MEMBER = (
    (_members.c.platform == bindparam("t_platform"))
    & (_members.c.workspace == bindparam("t_workspace"))
    & (_members.c.id == bindparam("t_member"))
)
_UPDATE_MEMBER = update(_members).where(_THIS_MEMBER)  # the columns: the parameters given
_COUNT_NUDGE = (
    update(_members)
    .where(_THIS_MEMBER, _members.c.unanswered <= bindparam("most"))
    .values(unanswered=_members.c.unanswered + 1)
    .returning(_members.c.unanswered)
)
_UNCOUNT_NUDGE = (
    update(_members)
    .where(_THIS_MEMBER, _members.c.unanswered > 0)
    .values(unanswered=_members.c.unanswered - 1)
)
_DELETE_MEMBER = delete(_members).where(_THIS_MEMBER)
_THIS_USER = (  # named apart from the columns: an UPDATE binds those for its SET
    (_members.c.platform == bindparam("u_platform"))
    & (_members.c.workspace == bindparam("u_workspace"))
    & (_members.c.user_id == bindparam("u_user"))
)
_DM_CHANNEL = select(_members.c.dm_channel).where(_THIS_USER)
_REMEMBER_DM_CHANNEL = update(_members).where(_THIS_USER).values(dm_channel=bindparam("channel"))
_FORGET_DM_CHANNEL = (
    update(_members)
    .where(_THIS_USER, _members.c.dm_channel == bindparam("channel"))
    .values(dm_channel=None)
)
_THIS_PLACE = owned(_places) & (_places.c.version == bindparam("t_version"))
_INSERT_PLACE = insert(_places)
# For the scheduler, which must not abort its transaction when a member's own dialogue
# got there first: both backends skip a conflicting row instead of raising.
_INSERT_PLACE_IF_NONE = {
    "sqlite": sqlite.insert(_places).on_conflict_do_nothing().returning(_places.c.version),
    "postgresql": postgresql.insert(_places).on_conflict_do_nothing().returning(_places.c.version),
}
_PLACE_FIELDS = ("dialogue", "step", "data", "version", "updated_at", "held", "filling")
_UPDATE_PLACE = (
    update(_places).where(_THIS_PLACE).values({name: bindparam(name) for name in _PLACE_FIELDS})
)
_DELETE_PLACE = delete(_places).where(_THIS_PLACE)
_DELETE_PLACES = delete(_places).where(owned(_places))


class Members:
    """One member's row and their place in a dialogue, within one transaction.

    `member` and `place` follow every change made here, so a turn sees its own writes.
    """

    def __init__(self, db: Connection, member: Profile, place: Place | None) -> None:
        self.db = db
        self.member = member
        self.place = place
        self.owner = Owner(member.platform, member.workspace, member.id)

    @classmethod
    def open(cls, db: Connection, who: Member, now: datetime, *, timezone: str = "UTC") -> Self:
        """The member (created on first contact) and their place, in one query."""
        identity = {"platform": who.platform, "workspace": who.workspace, "user": who.user}
        row = db.execute(_BY_USER, identity).first()
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
            row = db.execute(_BY_USER, identity).first()
            assert row is not None
        found = cls._from_row(db, row)
        if who.display_name and found.member.display_name != who.display_name:
            found.change(display_name=who.display_name)
        return found

    @classmethod
    def of_member(
        cls, db: Connection, platform: str, workspace: str, member_id: int
    ) -> Self | None:
        """A member found by id within a tenant, as the scheduler knows them; None if gone."""
        params = {"platform": platform, "workspace": workspace, "member": member_id}
        row = db.execute(_BY_ID, params).first()
        return None if row is None else cls._from_row(db, row)

    @classmethod
    def _from_row(cls, db: Connection, row: Any) -> Self:
        member = Profile(*row[: len(_MEMBER_COLUMNS)])
        place_values = row[len(_MEMBER_COLUMNS) :]
        place = Place.from_row(*place_values) if place_values[0] is not None else None
        return cls(db, member, place)

    @property
    def who(self) -> Member:
        """The member as an adapter addresses them."""
        m = self.member
        return Member(m.platform, m.workspace, m.user_id, display_name=m.display_name)

    def change(self, **values: Any) -> None:
        """Set columns of the member's row (their settings, their silence count)."""
        self.db.execute(_UPDATE_MEMBER, {**values, **self.owner.fence})
        self.member = replace(self.member, **values)

    def count_nudge(self, most: int) -> int | None:
        """One more reminder out unanswered, unless `most` already are: the new count."""
        params = {"most": most, **self.owner.fence}
        count = self.db.execute(_COUNT_NUDGE, params).scalar()
        if count is not None:
            self.member = replace(self.member, unanswered=count)
        return count

    def uncount_nudge(self) -> None:
        self.db.execute(_UNCOUNT_NUDGE, self.owner.fence)

    # Where the member is in a dialogue

    def save_place(
        self,
        dialogue: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
        *,
        held: int = 0,
        filling: FormFilling | None = None,
    ) -> None:
        """Write the member's new place, fenced on the version this turn read."""
        version = 1 if self.place is None else self.place.version + 1
        new = Place(dialogue, step, data, version, now, held, filling)
        if self.place is None:
            self.db.execute(_INSERT_PLACE, {**_place_values(new), **self.owner.columns})
        elif _unmoved(self.place, new):
            return  # an answer that changed nothing writes nothing
        else:
            self._fenced(_UPDATE_PLACE, _place_values(new))
        self.place = new

    def offer_place(self, dialogue: str, step: str, data: dict[str, Any], now: datetime) -> bool:
        """Save the place unless the member moved first (a new dialogue, another answer):
        then nothing changes, and no error spoils the caller's transaction."""
        if self.place is None:
            new = Place(dialogue, step, data, 1, now)
            insert_once = _INSERT_PLACE_IF_NONE[self.db.dialect.name]
            row = {**_place_values(new), **self.owner.columns}
            if self.db.execute(insert_once, row).first() is None:  # rowcount: -1 on psycopg
                return False
            self.place = new
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

    def _fenced(self, statement: Any, values: dict[str, Any]) -> None:
        assert self.place is not None
        fence = {**self.owner.fence, "t_version": self.place.version}
        if self.db.execute(statement, {**values, **fence}).rowcount != 1:
            raise CrossedAnswers

    def forget_member(self) -> None:
        """Delete the member's row (their DM channel's id with it), their place and the
        events they sent us."""
        self.db.execute(_DELETE_PLACES, self.owner.fence)
        self.db.execute(_DELETE_MEMBER, self.owner.fence)
        inbox.forget(self.db, self.who)
        self.place = None


def _place_values(place: Place) -> dict[str, Any]:
    values = {name: getattr(place, name) for name in _PLACE_FIELDS}
    values["filling"] = asdict(place.filling) if place.filling else None
    return values


def _unmoved(saved: Place, new: Place) -> bool:
    """Whether a turn left the place as it was: then no write, no new version."""
    where = ("dialogue", "step", "data", "held", "filling")
    return all(getattr(saved, name) == getattr(new, name) for name in where)


class Roster:
    """The members of one tenant, as a group's facilitators name them."""

    def __init__(self, db: Connection, platform: str, workspace: str) -> None:
        self.db = db
        self.platform, self.workspace = platform, workspace

    @property
    def tenant(self) -> ColumnElement[bool]:
        return (_members.c.platform == self.platform) & (_members.c.workspace == self.workspace)

    def knows(self, user: str) -> bool:
        """Whether this user has talked to Bounceback in this tenant."""
        found = select(_members.c.id).where(self.tenant, _members.c.user_id == user)
        return self.db.scalar(found) is not None

    def names(self, users: list[str]) -> dict[str, str]:
        """The display names these users last had, by user id."""
        if not users:
            return {}
        named = select(_members.c.user_id, _members.c.display_name).where(
            self.tenant, _members.c.user_id.in_(users)
        )
        return {user: name for user, name in self.db.execute(named)}

    def named(self, name: str, most: int) -> list[str]:
        """Up to `most` users whose display name is this one, in any case."""
        found = select(_members.c.user_id).where(
            self.tenant, func.lower(_members.c.display_name) == name.lower()
        )
        return list(self.db.scalars(found.limit(most)))


def workspace_of(db: Connection, platform: str, user: str) -> str | None:
    """Where a user last talked to Bounceback: the tenant of their open dialogue, else
    the newest they joined."""
    latest = (
        select(_members.c.workspace)
        .outerjoin(_places, _places.c.member_id == _members.c.id)
        .where(_members.c.platform == platform, _members.c.user_id == user)
        .order_by(
            _places.c.updated_at.is_(None),
            _places.c.updated_at.desc(),
            _members.c.created_at.desc(),
            _members.c.id.desc(),
        )
        .limit(1)
    )
    return db.scalar(latest)


# The member's DM channel: read and written by user id, outside any turn, for the
# adapters' sends (bot/conversation/dm_channels.py).


def dm_channel(db: Connection, who: Member) -> str | None:
    """The DM channel remembered for the member; None if none is, or no member is."""
    return db.scalar(_DM_CHANNEL, _user_fence(who))


def remember_dm_channel(db: Connection, who: Member, channel: str) -> None:
    """Kept in their row; a user not (yet) a member has none, and nothing is kept."""
    db.execute(_REMEMBER_DM_CHANNEL, {**_user_fence(who), "channel": channel})


def forget_dm_channel(db: Connection, who: Member, channel: str) -> None:
    """Only if it is still this one: another process may have remembered a new one since."""
    db.execute(_FORGET_DM_CHANNEL, {**_user_fence(who), "channel": channel})


def _user_fence(who: Member) -> dict[str, str]:
    return {"u_platform": who.platform, "u_workspace": who.workspace, "u_user": who.user}
