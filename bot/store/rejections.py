"""A member's rejections, and the wins that answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Connection, Update, bindparam, func, insert, select, update

from bot.store.models import REJECTIONS, WINS
from bot.store.owner import Owner, columns_of, owned, records


@dataclass(frozen=True)
class RejectionRecord:
    id: int
    platform: str
    workspace: str
    member_id: int
    company: str
    role: str
    stage: str
    contact_name: str
    contact_role: str
    heard_on: date
    reason: str
    category: str
    mood: str
    note: str
    opening_shared: bool
    feedback: str
    feedback_category: str
    feedback_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class WinRecord:
    id: int
    platform: str
    workspace: str
    member_id: int
    rejection_id: int | None
    kind: str
    description: str
    shared: bool
    created_at: datetime


_rejections, _wins = REJECTIONS, WINS
_INSERT_REJECTION = insert(_rejections).returning(_rejections.c.id)
_THIS_REJECTION = owned(_rejections) & (_rejections.c.id == bindparam("t_id"))
_REJECTIONS = (
    select(*columns_of(RejectionRecord, _rejections))
    .where(owned(_rejections))
    .order_by(_rejections.c.heard_on.desc(), _rejections.c.id.desc())
)
_REJECTION = _REJECTIONS.where(_rejections.c.id == bindparam("t_id"))
_LATEST_REJECTIONS = _REJECTIONS.limit(bindparam("t_limit"))
_REJECTION_COUNT = select(func.count()).select_from(_rejections).where(owned(_rejections))
_BY_STAGE = (
    select(_rejections.c.stage, func.count())
    .where(owned(_rejections))
    .group_by(_rejections.c.stage)
)
_FEEDBACK_COUNT = select(func.count()).where(owned(_rejections), _rejections.c.feedback != "")

_NEWEST_WINS = (_wins.c.created_at.desc(), _wins.c.id.desc())
_WINS = select(*columns_of(WinRecord, _wins)).where(owned(_wins)).order_by(*_NEWEST_WINS)
_RECENT_WINS = (
    select(_wins.c.kind, _wins.c.description)
    .where(owned(_wins))
    .order_by(*_NEWEST_WINS)
    .limit(bindparam("t_limit"))
)
_WIN_COUNTS = select(func.count(), func.count().filter(_wins.c.shared)).where(owned(_wins))
_INSERT_WIN = insert(_wins).returning(_wins.c.id)


class Rejections:
    """One member's rejections, within the turn's transaction."""

    def __init__(self, db: Connection, owner: Owner) -> None:
        self.db = db
        self.owner = owner

    def add(self, **facts: Any) -> int:
        """Record a rejection; its id."""
        row = {**facts, **self.owner.columns}
        return int(self.db.execute(_INSERT_REJECTION, row).scalar_one())

    def update(self, rejection_id: int, **values: Any) -> bool:
        """Change one of this member's rejections; False if it is gone."""
        params = {**values, **self.owner.fence, "t_id": rejection_id}
        return bool(self.db.execute(_rejection_update(tuple(values)), params).rowcount)

    def get(self, rejection_id: int) -> RejectionRecord | None:
        row = self.db.execute(_REJECTION, {**self.owner.fence, "t_id": rejection_id}).first()
        return None if row is None else RejectionRecord(*row)

    def newest(self, limit: int | None = None) -> list[RejectionRecord]:
        """Newest first; every one unless a limit is given."""
        if limit is None:
            return records(RejectionRecord, self.db.execute(_REJECTIONS, self.owner.fence))
        rows = self.db.execute(_LATEST_REJECTIONS, {**self.owner.fence, "t_limit": limit})
        return records(RejectionRecord, rows)

    def count(self) -> int:
        """How many rejections this member has come through: the resilience count."""
        return int(self.db.execute(_REJECTION_COUNT, self.owner.fence).scalar_one())

    def by_stage(self) -> dict[str, int]:
        return {stage: count for stage, count in self.db.execute(_BY_STAGE, self.owner.fence)}

    def feedback_count(self) -> int:
        """How many came back with feedback."""
        return int(self.db.execute(_FEEDBACK_COUNT, self.owner.fence).scalar_one())


class Wins:
    """One member's wins, within the turn's transaction."""

    def __init__(self, db: Connection, owner: Owner) -> None:
        self.db = db
        self.owner = owner

    def add(self, **facts: Any) -> int:
        """Record a win; its id."""
        return int(self.db.execute(_INSERT_WIN, {**facts, **self.owner.columns}).scalar_one())

    def newest(self) -> list[WinRecord]:
        """Every one, newest first."""
        return records(WinRecord, self.db.execute(_WINS, self.owner.fence))

    def recent(self, limit: int) -> list[tuple[str, str]]:
        """The kind and words of the newest few, as a dialogue quotes them back."""
        rows = self.db.execute(_RECENT_WINS, {**self.owner.fence, "t_limit": limit})
        return [(kind, description) for kind, description in rows]

    def counts(self) -> tuple[int, int]:
        """How many, and how many were shared with the group."""
        every, shared = self.db.execute(_WIN_COUNTS, self.owner.fence).one()
        return int(every), int(shared)


@cache
def _rejection_update(columns: tuple[str, ...]) -> Update:
    """A dialogue saves each fact as it is given: one statement per set of columns."""
    changes: dict[str, BindParameter[Any]] = {name: bindparam(name) for name in columns}
    return update(_rejections).where(_THIS_REJECTION).values(changes)
