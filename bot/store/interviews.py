"""A member's interviews: the company and the day, and how it went once they say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bot.store.models import INTERVIEWS
from bot.store.owner import Owner, columns_of, owned, records


@dataclass(frozen=True)
class InterviewRecord:
    id: int
    platform: str
    workspace: str
    member_id: int
    company: str
    on: date
    outcome: str
    created_at: datetime


_interviews = INTERVIEWS
_THEIRS = select(*columns_of(InterviewRecord, _interviews)).where(owned(_interviews))
_ALL = _THEIRS.order_by(_interviews.c.on.desc(), _interviews.c.id.desc())
_ONE = _THEIRS.where(_interviews.c.id == bindparam("t_id"))


class Interviews:
    """One member's interviews, within the turn's transaction."""

    def __init__(self, db: Connection, owner: Owner) -> None:
        self.db = db
        self.owner = owner

    def add(self, company: str, on: date, now: datetime) -> int:
        values = {**self.owner.columns, "company": company, "on": on, "created_at": now}
        added = self.db.execute(insert(_interviews).values(values).returning(_interviews.c.id))
        return int(added.scalar_one())

    def get(self, interview_id: int) -> InterviewRecord | None:
        row = self.db.execute(_ONE, {**self.owner.fence, "t_id": interview_id}).first()
        return None if row is None else InterviewRecord(*row)

    def every(self) -> list[InterviewRecord]:
        """Latest day first."""
        return records(InterviewRecord, self.db.execute(_ALL, self.owner.fence))

    def update(self, interview_id: int, **values: Any) -> None:
        change = update(_interviews).where(
            owned(_interviews), _interviews.c.id == bindparam("t_id")
        )
        self.db.execute(change.values(**values), {**self.owner.fence, "t_id": interview_id})
