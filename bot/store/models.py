"""The tables. Every row of member data carries its tenant (platform, workspace)."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantScoped:
    """The tenant columns, so isolation is checkable on every table, not just members."""

    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))


class MemberRow(TenantScoped, Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "workspace", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    timezone_chosen: Mapped[bool] = mapped_column(default=False)  # else a platform may fill it
    timezone_asked: Mapped[bool] = mapped_column(default=False)  # asked once; never again
    quiet_from: Mapped[time | None]  # local wall-clock; nothing is delivered inside
    quiet_until: Mapped[time | None]
    paused_until: Mapped[datetime | None]  # UTC, naive
    unanswered: Mapped[int] = mapped_column(default=0)  # reminders sent since the last answer
    checkins_on: Mapped[bool] = mapped_column(default=True)  # off: never asked until back on
    away_until: Mapped[datetime | None]  # UTC, naive: no weekly check-in before then
    signs_as: Mapped[str] = mapped_column(String(80), default="")  # else the display name
    created_at: Mapped[datetime]
    # The platform's id of the bot's DM with them, once opened: every later message goes
    # straight there (bot/conversation/dm_channels.py). None until the first DM.
    dm_channel: Mapped[str | None] = mapped_column(String(64))
    # Their choice in /settings: when they go quiet, the facilitators see their name,
    # not only a count (bot/group/health.py). Off unless they turn it on.
    tell_facilitator: Mapped[bool] = mapped_column(default=False)


class Conversation(TenantScoped, Base):
    """Where a member is in a dialogue; the version guards against crossed answers."""

    __tablename__ = "conversations"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    dialogue: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    held: Mapped[int] = mapped_column(default=0)  # for care: messages heard since
    filling: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a form, field by field


class Rejection(TenantScoped, Base):
    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    company: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    stage: Mapped[str] = mapped_column(String(16))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_role: Mapped[str] = mapped_column(String(32), default="")
    heard_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="")
    mood: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    opening_shared: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_category: Mapped[str] = mapped_column(String(32), default="")
    feedback_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Win(TenantScoped, Base):
    __tablename__ = "wins"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    rejection_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejections.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class CheckinRow(TenantScoped, Base):
    """A member's answer to one week's check-in: private unless `goal_shared`."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("member_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week_of: Mapped[date]  # the member's local date of the check-in it answers
    mood: Mapped[str] = mapped_column(String(16), default="")
    last_week: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    goal_shared: Mapped[bool] = mapped_column(default=False)
    goal_outcome: Mapped[str] = mapped_column(String(16), default="")  # done, partly, not
    created_at: Mapped[datetime]


class InterviewRow(TenantScoped, Base):
    """An interview the member told us is coming: prepared for the day before, asked
    about the day after."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(String(120))
    on: Mapped[date]  # the member's local day of it
    outcome: Mapped[str] = mapped_column(String(16), default="")  # no, offer, next, waiting
    created_at: Mapped[datetime]


class ReminderStatus(StrEnum):
    """Where an outbox row is; see Reminder for the way between them."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


# A follow-up the member has not yet closed: waiting, on its way, or delivered.
OPEN = (ReminderStatus.PENDING, ReminderStatus.SENDING, ReminderStatus.SENT)


class Reminder(TenantScoped, Base):
    """The outbox: a member's follow-up or a group post, due at a wall-clock time.

    pending -> sending (leased to one worker) -> sent, then done, skipped or
    snoozed (pending again) by the member; cancelled; failed after N attempts.
    Group rows (check-ins, digests) have no member.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_due_at", "status", "due_at"),
        Index("ix_reminders_status_lane_due_at", "status", "lane", "due_at"),
        Index("ix_reminders_status_lease_expires_at", "status", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    rejection_id: Mapped[int | None] = mapped_column(
        ForeignKey("rejections.id", ondelete="CASCADE")
    )
    checkin_id: Mapped[int | None] = mapped_column(  # a goal nudge's week
        ForeignKey("checkins.id", ondelete="CASCADE")
    )
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    lane: Mapped[int] = mapped_column(default=0)  # claimed in this order: scheduler/outbox.py
    due_at: Mapped[datetime]  # UTC, naive
    local_due: Mapped[datetime]  # the wall-clock time the member chose, naive
    zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ReminderStatus.PENDING)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(default=False)
    # Which unanswered reminder in a row this delivery was prepared as (the silence
    # rule); kept so a row reclaimed after a crash repeats the very same message.
    nudge: Mapped[int | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Group(TenantScoped, Base):
    """A tenant's group rhythm: its channel, its zone, and when check-ins and digests go out."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("platform", "workspace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    checkin_day: Mapped[str] = mapped_column(String(3), default="mon")
    checkin_at: Mapped[time] = mapped_column(default=time(9, 0))
    digest_day: Mapped[str] = mapped_column(String(3), default="fri")
    digest_at: Mapped[time] = mapped_column(default=time(16, 0))
    rhythm_on: Mapped[bool] = mapped_column(default=True)
    nudge_day: Mapped[str] = mapped_column(String(3), default="thu")  # the weekly goal's nudge
    ask_goals: Mapped[bool] = mapped_column(default=True)
    facilitators: Mapped[list[str]] = mapped_column(JSON, default=list)
    support: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]


class SchedulerHeartbeat(Base):
    """When each scheduler worker last finished a tick: what `bounceback status` and
    /healthz read to tell a running scheduler from a stopped one. Not member data."""

    __tablename__ = "scheduler_heartbeats"

    worker: Mapped[str] = mapped_column(String(64), primary_key=True)  # the outbox lease owner
    last_tick_at: Mapped[datetime]  # UTC, naive


class InboxEvent(TenantScoped, Base):
    """An inbound event, written down before the platform is told we have it.

    The platform's own id for it (`key`) makes a redelivery a no-op: the turn that
    applies it sets `settled_at` in its own transaction. A row still unsettled at
    start-up was acknowledged but never applied (a kill, a crash): it is replayed.
    """

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))  # e.g. "event:Ev123", "interaction:98765"
    user_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)  # the neutral event; {} once forgotten
    received_at: Mapped[datetime] = mapped_column(index=True)  # UTC, naive
    settled_at: Mapped[datetime | None]


# Each model's table, typed as a Table: SQLAlchemy types `Model.__table__` as the wider
# FromClause, which insert(), update(), delete() and bot/store/owner.py do not take.
_tables = Base.metadata.tables
MEMBERS = _tables[MemberRow.__tablename__]
CONVERSATIONS = _tables[Conversation.__tablename__]
REJECTIONS = _tables[Rejection.__tablename__]
WINS = _tables[Win.__tablename__]
REMINDERS = _tables[Reminder.__tablename__]
CHECKINS = _tables[CheckinRow.__tablename__]
INTERVIEWS = _tables[InterviewRow.__tablename__]
GROUPS = _tables[Group.__tablename__]
HEARTBEATS = _tables[SchedulerHeartbeat.__tablename__]
