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
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.conversation.events import Attachment, ChannelPost, Origin
from bot.conversation.inert_text import inert_name, inert_words
from bot.group.chart import digest_picture
from bot.group.privacy import PRIVATE_MINIMUM, shown_count
from bot.playbook import Playbook
from bot.reminders.arrival import LATE_AFTER
from bot.store.database import Connection
from bot.store.groups import CHECKIN, DIGEST, Groups, Rhythm, add_posts, planned_groups
from bot.store.models import ReminderStatus
from bot.store.reminders import lane_of

log = logging.getLogger(__name__)

KINDS = (CHECKIN, DIGEST)
KEY_PREFIX = {CHECKIN: "checkin", DIGEST: "digest"}
POST_NAMES = {CHECKIN: "check-in", DIGEST: "digest"}
DIGEST_WEEK = timedelta(days=7)
GOAL_SHOWN = 200  # characters of a shared goal in the digest


@dataclass(frozen=True)
class GroupPost:
    """A post for the group's channel, ready for a transport."""

    reply: ChannelPost
    late: bool = False

    @property
    def channel(self) -> str:
        return self.reply.channel


# The group's channel


def channel_for(group: Rhythm | None, origin: Origin) -> str | None:
    """Where a member's post for the group goes: the group's channel, else the channel they
    spoke in; None from a DM when the group has none."""
    if group is not None and group.channel:
        return group.channel
    return None if origin.in_dm else origin.channel


# Planning


def next_post(group: Rhythm, kind: str, now: datetime) -> datetime | None:
    """When this kind of post next goes out at or after `now`, in the group's zone.

    None when the rhythm is off, no channel is set, or the zone is unusable.
    """
    if not group.planned:
        return None
    day, at = group.when(kind)
    fire = weekly(day, at, group.timezone, now)
    if fire is None:
        log.warning("group %s:%s has an unusable time zone", group.platform, group.workspace)
    return fire


def weekly(day: str, at: time, zone_name: str, now: datetime) -> datetime | None:
    """The next `day` at `at` o'clock in that zone, at or after `now`; None for a zone
    that is unusable."""
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError, OSError):  # not found, malformed, a folder of zones
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
    for group in planned_groups(db):
        for kind in KINDS:
            fire = next_post(group, kind, start)
            if fire is None or fire > start + horizon:
                continue
            key = f"{KEY_PREFIX[kind]}:{group.platform}:{group.workspace}:{fire.date()}"
            rows.append(outbox_row(group, None, kind, fire, key, now))
    return add_posts(db, rows)


def outbox_row(
    group: Rhythm, member_id: int | None, kind: str, fire: datetime, key: str, now: datetime
) -> dict[str, Any]:
    """A planned row of the group's rhythm: a post, or a member's check-in; `fire` is
    aware, in the zone it is meant for, and its wall-clock time is kept as chosen."""
    return {
        "platform": group.platform,
        "workspace": group.workspace,
        "member_id": member_id,
        "rejection_id": None,
        "kind": kind,
        "lane": lane_of(kind),
        "due_at": fire.astimezone(UTC).replace(tzinfo=None),
        "local_due": fire.replace(tzinfo=None),
        "zone": str(fire.tzinfo),
        "status": ReminderStatus.PENDING,
        "idempotency_key": key,
        "attempts": 0,
        "last_error": "",
        "late": False,
        "created_at": _naive_utc(now),
    }


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
    checkins: int = 0  # check-ins answered; 0 unless PRIVATE_MINIMUM members answered
    goals_met: int = 0  # counted with the check-ins
    goals: tuple[str, ...] = ()  # "Name: goal", made inert, for the goals members shared


def week_counts(group: Groups, end: datetime) -> WeekCounts:
    """The tenant's activity in the 7 days up to `end`, the time the digest is due."""
    end = _naive_utc(end)
    week = group.week(end - DIGEST_WEEK, end)
    sharers = tuple(sorted({inert_name(name) for name in week.sharers}, key=str.casefold))
    wins = sum(count for _, count in week.shared_wins)
    kinds = tuple(kind for kind, _ in week.shared_wins)
    checkins = shown_count(week.checkins)
    goals = tuple(
        f"{inert_name(name)}: {inert_words(goal, GOAL_SHOWN)}" for name, goal in week.shared_goals
    )
    return WeekCounts(
        shown_count(week.rejections),
        shown_count(week.followups_done),
        wins,
        kinds,
        sharers,
        checkins=checkins,
        goals_met=week.goals_met if checkins else 0,
        goals=goals,
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _listed(names: tuple[str, ...]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def digest_text(playbook: Playbook, counts: WeekCounts, last: datetime) -> str:
    """The week in counts, and thanks to the members who chose to share a win."""
    span = f"The group's week to {last:%a %-d %b}"
    if not (counts.rejections or counts.followups_done or counts.wins_shared or counts.goals):
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
    if counts.checkins:
        met = f", and {_count(counts.goals_met, 'goal', 'goals')} met" if counts.goals_met else ""
        lines.append(f"- {_count(counts.checkins, 'check-in', 'check-ins')} answered{met}")
    if counts.goals:
        lines.append("Goals members chose to share:")
        lines += [f"- {goal}" for goal in counts.goals]
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
    groups = Groups(db, platform, workspace)
    group = groups.find()
    if group is None or not group.planned:
        return None
    pictures: tuple[Attachment, ...] = ()
    if kind == CHECKIN:
        text = checkin_text(playbook, local_due)
    else:
        counts = week_counts(groups, due_at)
        text = digest_text(playbook, counts, local_due)
        pictures = (digest_picture(groups, _naive_utc(due_at), local_due),)
    late = _naive_utc(now) - _naive_utc(due_at) > LATE_AFTER
    if late:
        text = f"{late_note(kind, local_due)}\n{text}"
    return GroupPost(ChannelPost(text, channel=group.channel, attachments=pictures), late=late)


def late_note(kind: str, local_due: datetime) -> str:
    """The line a late post opens with, so nobody reads Saturday's digest as Friday's."""
    return (
        f"This week's {POST_NAMES[kind]} is late: it was due {local_due:%A at %H:%M}, "
        "and I was offline for a while."
    )
