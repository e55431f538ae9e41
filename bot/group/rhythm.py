"""The group's weekly rhythm: a check-in and a digest, planned into the outbox.

Every instance may run `plan_group_posts`. Each post's idempotency key names
its tenant and the local date it is for, and a row whose key exists already is
left alone (ON CONFLICT DO NOTHING), so two runs or two instances create each
post once. Fire times come from APScheduler's CronTrigger in the group's own
zone: a Monday 09:00 check-in stays at 09:00 local across daylight-saving
changes while its UTC time moves, and one local date never gets two.

The words are written when the post is sent (`group_post`), so a post follows
the channel the group uses now. A digest counts the week it is for, the seven
days up to its due time, so one sent late counts nothing twice, and says it is
late. It holds counts and the names of members who chose to share a win: never
a company, never a rejection's details, never who was rejected; and a count of
private activity only when enough members are behind it that it points at
nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, String, cast, distinct, func, select, update

from bot.conversation.events import Origin, Reply, Visibility
from bot.conversation.inert_text import inert_name
from bot.playbook import Playbook
from bot.reminders.arrival import LATE_AFTER
from bot.store.models import Group, MemberRow, Rejection, Reminder, Win

log = logging.getLogger(__name__)

CHECKIN, DIGEST = "group_checkin", "group_digest"
KINDS = (CHECKIN, DIGEST)
KEY_PREFIX = {CHECKIN: "checkin", DIGEST: "digest"}
POST_NAMES = {CHECKIN: "check-in", DIGEST: "digest"}
DIGEST_WEEK = timedelta(days=7)
PRIVATE_MINIMUM = 3  # members behind a count of rejections or follow-ups before it is shown
PENDING, CANCELLED = "pending", "cancelled"

_groups, _reminders = Group.__table__, Reminder.__table__
_members, _rejections, _wins = MemberRow.__table__, Rejection.__table__, Win.__table__


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
    facilitators: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Any) -> Rhythm:
        return cls(
            platform=row.platform,
            workspace=row.workspace,
            channel=row.channel,
            timezone=row.timezone,
            checkin_day=row.checkin_day,
            checkin_at=row.checkin_at,
            digest_day=row.digest_day,
            digest_at=row.digest_at,
            rhythm_on=bool(row.rhythm_on),
            facilitators=tuple(row.facilitators or ()),
        )

    def when(self, kind: str) -> tuple[str, time]:
        """The weekday and local time a kind of post goes out."""
        if kind == CHECKIN:
            return self.checkin_day, self.checkin_at
        return self.digest_day, self.digest_at

    @property
    def planned(self) -> bool:
        return self.rhythm_on and bool(self.channel)


@dataclass(frozen=True)
class GroupPost:
    """A post for the group's channel, ready for a transport."""

    channel: str
    reply: Reply
    late: bool = False


# The group's row


def _tenant(table: Any, platform: str, workspace: str) -> list[Any]:
    return [table.c.platform == platform, table.c.workspace == workspace]


def find_group(db: Connection, platform: str, workspace: str) -> Rhythm | None:
    row = db.execute(select(_groups).where(*_tenant(_groups, platform, workspace))).first()
    return Rhythm.from_row(row) if row is not None else None


def channel_for(db: Connection, platform: str, workspace: str, origin: Origin) -> str | None:
    """Where a member's post for the group goes: the group's channel, else the channel they
    spoke in; None from a DM when the group has none."""
    group = find_group(db, platform, workspace)
    if group is not None and group.channel:
        return group.channel
    return None if origin.in_dm else origin.channel


def create_group(
    db: Connection,
    platform: str,
    workspace: str,
    *,
    timezone: str,
    facilitators: Iterable[str],
    now: datetime,
) -> Rhythm:
    """A new group with the default rhythm and no channel yet: nothing is posted until
    a facilitator picks one."""
    db.execute(
        _groups.insert().values(
            platform=platform,
            workspace=workspace,
            channel="",
            timezone=timezone,
            checkin_day="mon",
            checkin_at=time(9, 0),
            digest_day="fri",
            digest_at=time(16, 0),
            rhythm_on=True,
            facilitators=list(facilitators),
            created_at=now,
        )
    )
    group = find_group(db, platform, workspace)
    assert group is not None
    return group


def update_group(db: Connection, platform: str, workspace: str, **values: Any) -> None:
    db.execute(update(_groups).where(*_tenant(_groups, platform, workspace)).values(**values))


def cancel_planned(
    db: Connection, platform: str, workspace: str, kinds: Iterable[str], now: datetime
) -> int:
    """Cancel this tenant's group posts not yet sent and still ahead, so they are re-planned.

    A cancelled row gives up its idempotency key (the row id is appended), so
    a new schedule that lands on the same local date can still be planned;
    rows already sent keep theirs, so a date that had its post never gets two.
    """
    result = db.execute(
        update(_reminders)
        .where(
            *_tenant(_reminders, platform, workspace),
            _reminders.c.member_id.is_(None),
            _reminders.c.kind.in_(list(kinds)),
            _reminders.c.status == PENDING,
            _reminders.c.due_at > _naive_utc(now),
        )
        .values(
            status=CANCELLED,
            closed_at=_naive_utc(now),
            idempotency_key=_reminders.c.idempotency_key
            + ":cancelled:"
            + cast(_reminders.c.id, String),
        )
    )
    return int(result.rowcount)


# Planning


def next_post(group: Rhythm, kind: str, now: datetime) -> datetime | None:
    """When this kind of post next goes out at or after `now`, in the group's zone.

    None when the rhythm is off, no channel is set, or the zone is unusable.
    """
    if not group.planned:
        return None
    day, at = group.when(kind)
    try:
        zone = ZoneInfo(group.timezone)
    except (KeyError, ValueError, OSError):  # not found, malformed, a folder of zones
        log.warning("group %s:%s has an unusable time zone", group.platform, group.workspace)
        return None
    trigger = CronTrigger(day_of_week=day, hour=at.hour, minute=at.minute, timezone=zone)
    return trigger.get_next_fire_time(None, _aware_utc(now))


def plan_group_posts(db: Connection, now: datetime, horizon: timedelta = timedelta(days=8)) -> int:
    """Insert each planned group's next check-in and digest due within the horizon.

    Safe to run as often as wanted, from every instance: a post whose key
    exists already is not inserted again. Returns how many rows were inserted.
    """
    start = _aware_utc(now)
    rows = []
    for row in db.execute(
        select(_groups).where(_groups.c.rhythm_on.is_(True), _groups.c.channel != "")
    ):
        group = Rhythm.from_row(row)
        for kind in KINDS:
            fire = next_post(group, kind, start)
            if fire is None or fire > start + horizon:
                continue
            local_due = fire.replace(tzinfo=None)  # the wall-clock time the group chose
            key = f"{KEY_PREFIX[kind]}:{group.platform}:{group.workspace}:{local_due.date()}"
            rows.append(
                {
                    "platform": group.platform,
                    "workspace": group.workspace,
                    "member_id": None,
                    "rejection_id": None,
                    "kind": kind,
                    "due_at": fire.astimezone(UTC).replace(tzinfo=None),
                    "local_due": local_due,
                    "zone": group.timezone,
                    "status": PENDING,
                    "idempotency_key": key,
                    "attempts": 0,
                    "last_error": "",
                    "late": False,
                    "created_at": _naive_utc(now),
                }
            )
    return _insert_new(db, rows)


def _insert_new(db: Connection, rows: list[dict[str, Any]]) -> int:
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING; how many were new."""
    if not rows:
        return 0
    if db.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif db.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the store supports these two
        raise NotImplementedError(f"no idempotent insert for {db.dialect.name}")
    statement = (
        insert(_reminders)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[_reminders.c.idempotency_key])
        .returning(_reminders.c.id)
    )
    return len(db.execute(statement).all())


def _aware_utc(moment: datetime) -> datetime:
    """The store's naive UTC as an aware datetime; an aware one converted to UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _naive_utc(moment: datetime) -> datetime:
    return _aware_utc(moment).replace(tzinfo=None)


# Writing the posts


def checkin_text(playbook: Playbook, local_due: datetime) -> str:
    """The week's prompt from the playbook; the wording turns over from week to week."""
    prompts = playbook.table("group")["checkin_prompts"]
    return str(prompts[local_due.isocalendar().week % len(prompts)])


@dataclass(frozen=True)
class WeekCounts:
    rejections: int  # 0 unless PRIVATE_MINIMUM members logged one
    followups_done: int  # likewise: a follow-up is done after a rejection
    wins_shared: int
    win_kinds: tuple[str, ...]  # the kinds of the shared wins, most frequent first
    sharers: tuple[str, ...]  # names made inert, sorted


def week_counts(db: Connection, platform: str, workspace: str, end: datetime) -> WeekCounts:
    """The tenant's activity in the 7 days up to `end`, the time the digest is due."""
    end = _naive_utc(end)
    start = end - DIGEST_WEEK

    def within(column: Any) -> list[Any]:
        return [column > start, column <= end]

    rejections = _private_count(
        db,
        _rejections,
        [*_tenant(_rejections, platform, workspace), *within(_rejections.c.created_at)],
    )
    followups = _private_count(
        db,
        _reminders,
        [
            *_tenant(_reminders, platform, workspace),
            _reminders.c.member_id.is_not(None),
            _reminders.c.status == "done",
            *within(_reminders.c.closed_at),
        ],
    )
    shared = [*_tenant(_wins, platform, workspace), _wins.c.shared.is_(True)]
    shared += within(_wins.c.created_at)
    by_kind = db.execute(
        select(_wins.c.kind, func.count())
        .where(*shared)
        .group_by(_wins.c.kind)
        .order_by(func.count().desc(), _wins.c.kind)
    ).all()
    names = db.scalars(
        select(_members.c.display_name)
        .join(_wins, _wins.c.member_id == _members.c.id)
        .where(*_tenant(_members, platform, workspace), *shared)
        .distinct()
    )
    sharers = tuple(sorted({inert_name(name or "") for name in names}, key=str.casefold))
    wins = sum(count for _, count in by_kind)
    kinds = tuple(kind for kind, _ in by_kind)
    return WeekCounts(rejections, followups, wins, kinds, sharers)


def _private_count(db: Connection, table: Any, where: list[Any]) -> int:
    """How many rows match; 0 when fewer than PRIVATE_MINIMUM members made them, since
    "1 rejection logged" beside "Thank you, Sam" in a small group says who it was."""
    count, members = db.execute(
        select(func.count(), func.count(distinct(table.c.member_id))).where(*where)
    ).one()
    return int(count) if members >= PRIVATE_MINIMUM else 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _listed(names: tuple[str, ...]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def digest_text(playbook: Playbook, counts: WeekCounts, last: datetime) -> str:
    """The week in counts, and thanks to the members who chose to share a win."""
    span = f"The group's week to {last:%a %-d %b}"
    if not (counts.rejections or counts.followups_done or counts.wins_shared):
        return (
            f"{span}: no wins shared this time. Searches have slow weeks "
            "too. When something moves, /win shares it, and after a no, /rejected helps "
            "you plan the next step, privately."
        )
    lines = [f"{span}:"]
    if counts.rejections:
        lines.append(
            f"- {_count(counts.rejections, 'rejection', 'rejections')} logged "
            "and talked through in private"
        )
    if counts.followups_done:
        lines.append(
            f"- {_count(counts.followups_done, 'follow-up', 'follow-ups')} done: "
            "thank-yous sent, feedback asked for, doors kept open"
        )
    if counts.wins_shared:
        labels = playbook.table("wins.kinds")
        kinds = [labels[kind]["label"] for kind in counts.win_kinds if kind in labels]
        what = f" ({', '.join(kinds)})" if kinds else ""
        lines.append(f"- {_count(counts.wins_shared, 'win', 'wins')} shared with the group{what}")
    if counts.sharers:
        lines.append(
            f"Thank you, {_listed(counts.sharers)}, for letting everyone see what "
            "following up can lead to."
        )
    lines.append(
        "Rejections are never named here, and counted only when "
        f"{PRIVATE_MINIMUM} or more of you logged one. Got something good this week? "
        "/win shares it."
    )
    return "\n".join(lines)


def group_post(
    db: Connection,
    playbook: Playbook,
    *,
    platform: str,
    workspace: str,
    kind: str,
    local_due: datetime,
    due_at: datetime,
    now: datetime,
) -> GroupPost | None:
    """The check-in or digest to send now, for the week it was due; None when the group
    is gone, has no channel, or has paused its rhythm (the scheduler then drops the row)."""
    if kind not in KINDS:
        raise ValueError(f"not a group post: {kind!r}")
    group = find_group(db, platform, workspace)
    if group is None or not group.planned:
        return None
    if kind == CHECKIN:
        text = checkin_text(playbook, local_due)
    else:
        counts = week_counts(db, platform, workspace, due_at)
        text = digest_text(playbook, counts, local_due)
    late = _naive_utc(now) - _naive_utc(due_at) > LATE_AFTER
    if late:
        text = f"{late_note(kind, local_due)}\n{text}"
    return GroupPost(group.channel, Reply(text, visibility=Visibility.GROUP), late=late)


def late_note(kind: str, local_due: datetime) -> str:
    """The line a late post opens with, so nobody reads Saturday's digest as Friday's."""
    return (
        f"This week's {POST_NAMES[kind]} is late: it was due {local_due:%A at %H:%M}, "
        "and I was offline for a while."
    )
