"""Every query the core makes, each scoped to one member of one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.events import Member
from bot.store.models import Conversation, MemberRow, Rejection, Reminder, Win

OPEN = "pending"


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


class Repository:
    """One member's data within one unit of work (the caller commits)."""

    def __init__(self, session: Session, member: MemberRow) -> None:
        self.session = session
        self.member = member
        self.forgotten = False

    @classmethod
    def for_member(
        cls, session: Session, who: Member, now: datetime, *, timezone: str = "UTC"
    ) -> Repository:
        """Find the member's row in their tenant, creating it on first contact."""
        row = session.scalars(
            select(MemberRow).where(
                MemberRow.platform == who.platform,
                MemberRow.workspace == who.workspace,
                MemberRow.user_id == who.user,
            )
        ).one_or_none()
        if row is None:
            row = MemberRow(
                platform=who.platform,
                workspace=who.workspace,
                user_id=who.user,
                display_name=who.display_name,
                timezone=timezone,
                created_at=now,
            )
            session.add(row)
            session.flush()
        elif who.display_name and row.display_name != who.display_name:
            row.display_name = who.display_name
        return cls(session, row)

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

    # Conversations

    def conversation(self) -> Conversation | None:
        return self.session.scalars(select(Conversation).where(*self._mine(Conversation))).first()

    def save_conversation(
        self, dialogue: str, step: str, data: dict[str, Any], now: datetime
    ) -> None:
        current = self.conversation()
        if current is None:
            self.session.add(
                Conversation(
                    dialogue=dialogue, step=step, data=data, updated_at=now, **self._tenant()
                )
            )
            return
        current.dialogue, current.step, current.updated_at = dialogue, step, now
        current.data = dict(data)  # a new object, so the JSON column is written

    def end_conversation(self) -> None:
        current = self.conversation()
        if current is not None:
            self.session.delete(current)

    # Rejections

    def add_rejection(self, **facts: Any) -> Rejection:
        rejection = Rejection(**facts, **self._tenant())
        self.session.add(rejection)
        self.session.flush()
        return rejection

    def rejection(self, rejection_id: int) -> Rejection | None:
        return self.session.scalars(
            select(Rejection).where(*self._mine(Rejection), Rejection.id == rejection_id)
        ).first()

    def rejections(self, limit: int | None = None) -> Sequence[Rejection]:
        query = select(Rejection).where(*self._mine(Rejection))
        query = query.order_by(Rejection.heard_on.desc(), Rejection.id.desc()).limit(limit)
        return self.session.scalars(query).all()

    def rejection_count(self) -> int:
        return self.session.scalar(select(func.count()).where(*self._mine(Rejection))) or 0

    # Wins

    def add_win(self, **fields: Any) -> Win:
        win = Win(**fields, **self._tenant())
        self.session.add(win)
        self.session.flush()
        return win

    def wins(self, limit: int | None = None) -> Sequence[Win]:
        query = select(Win).where(*self._mine(Win)).order_by(Win.created_at.desc(), Win.id.desc())
        return self.session.scalars(query.limit(limit)).all()

    # Reminders

    def add_reminders(self, reminders: Iterable[dict[str, Any]]) -> None:
        self.session.add_all(Reminder(**fields, **self._tenant()) for fields in reminders)

    def open_reminders(self) -> Sequence[Reminder]:
        query = select(Reminder).where(*self._mine(Reminder), Reminder.status == OPEN)
        return self.session.scalars(query.order_by(Reminder.due_at, Reminder.id)).all()

    def close_reminder(self, reminder_id: int, status: str, now: datetime) -> bool:
        result = self.session.execute(
            update(Reminder)
            .where(*self._mine(Reminder), Reminder.id == reminder_id, Reminder.status == OPEN)
            .values(status=status, closed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def cancel_reminders(self, rejection_id: int, kinds: Iterable[str], now: datetime) -> int:
        result = self.session.execute(
            update(Reminder)
            .where(
                *self._mine(Reminder),
                Reminder.rejection_id == rejection_id,
                Reminder.kind.in_(list(kinds)),
                Reminder.status == OPEN,
            )
            .values(status="cancelled", closed_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def reminders(self) -> Sequence[Reminder]:
        query = select(Reminder).where(*self._mine(Reminder)).order_by(Reminder.due_at)
        return self.session.scalars(query).all()

    # The journey, export and erasure

    def tally(self) -> Tally:
        by_stage = self._count_by(Rejection, Rejection.stage)
        feedback = select(func.count()).where(*self._mine(Rejection), Rejection.feedback != "")
        wins = self.session.execute(
            select(func.count(), func.count().filter(Win.shared)).where(*self._mine(Win))
        ).one()
        followups = self._count_by(Reminder, Reminder.status)
        return Tally(
            rejections=sum(by_stage.values()),
            by_stage=by_stage,
            feedback_received=self.session.scalar(feedback) or 0,
            wins=wins[0],
            wins_shared=wins[1],
            followups_done=followups.get("done", 0),
            followups_pending=followups.get(OPEN, 0),
        )

    def _count_by(self, model: type[Any], column: Any) -> dict[str, int]:
        query = select(column, func.count()).where(*self._mine(model)).group_by(column)
        return {key: count for key, count in self.session.execute(query)}

    def forget(self) -> None:
        """Delete the member and everything that hangs off them, in this tenant."""
        for model in (Conversation, Reminder, Win, Rejection):
            self.session.execute(delete(model).where(*self._mine(model)))
        self.session.execute(
            delete(MemberRow).where(
                MemberRow.platform == self.member.platform,
                MemberRow.workspace == self.member.workspace,
                MemberRow.id == self.member.id,
            )
        )
        self.session.expunge_all()
        self.forgotten = True
