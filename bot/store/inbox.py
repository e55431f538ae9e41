"""The inbox's queries: write an event down once, settle it once, find what was never
settled. Plain Core statements on the caller's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.conversation.events import Member
from bot.store.models import InboxEvent

# Slack redelivers within the hour, Discord never after a restart: a day of keys is
# ample, and the member's words are not kept longer than that.
KEPT = timedelta(days=1)

_INSERT_ONCE = {
    "sqlite": sqlite.insert(InboxEvent).on_conflict_do_nothing().returning(InboxEvent.key),
    "postgresql": postgresql.insert(InboxEvent).on_conflict_do_nothing().returning(InboxEvent.key),
}


def write_down(
    db: Connection, entries: Sequence[tuple[Member, str, dict[str, Any]]], now: datetime
) -> set[str]:
    """Write each (member, key, event) down once, in one statement; the keys that were
    new (a key written before is a redelivery). Rows older than KEPT go in the same
    transaction, so the table holds about a day of events."""
    db.execute(delete(InboxEvent).where(InboxEvent.received_at < now - KEPT))
    rows = [
        {
            "platform": member.platform,
            "workspace": member.workspace,
            "user_id": member.user,
            "key": key,
            "event": event,
            "received_at": now,
        }
        for member, key, event in entries
    ]
    return set(db.scalars(_INSERT_ONCE[db.dialect.name].values(rows)))


def settle(db: Connection, platform: str, key: str, now: datetime) -> bool:
    """Mark the event applied, in the transaction that applies it; False if it already
    was (a redelivery, or another process's replay): then nothing may be applied.
    On PostgreSQL a second transaction waits here for the first, then sees it settled."""
    settled = db.execute(
        update(InboxEvent)
        .where(
            InboxEvent.platform == platform, InboxEvent.key == key, InboxEvent.settled_at.is_(None)
        )
        .values(settled_at=now)
    )
    return settled.rowcount == 1


def unsettled(db: Connection, platform: str, received_before: datetime) -> list[tuple[str, dict]]:
    """Events acknowledged but never applied, oldest first, as (key, event)."""
    waiting = (
        select(InboxEvent.key, InboxEvent.event)
        .where(
            InboxEvent.platform == platform,
            InboxEvent.settled_at.is_(None),
            InboxEvent.received_at < received_before,
        )
        .order_by(InboxEvent.received_at, InboxEvent.id)
    )
    return [(key, event) for key, event in db.execute(waiting)]


def forget(db: Connection, member: Member) -> None:
    """A member who asked to be forgotten: their words go, their keys stay (so a
    redelivered event is still known as one) and count as settled."""
    db.execute(
        update(InboxEvent)
        .where(
            InboxEvent.platform == member.platform,
            InboxEvent.workspace == member.workspace,
            InboxEvent.user_id == member.user,
        )
        .values(event={}, settled_at=InboxEvent.received_at)
    )
