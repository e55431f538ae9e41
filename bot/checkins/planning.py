"""When each member's weekly check-in and goal nudge go out, planned into the outbox.

A member is asked at the group's check-in day and time on their own wall clock, so a
group spread over eight zones is asked at 09:00 in each of them, and a daylight-saving
change moves the UTC time, never the local one (APScheduler's CronTrigger, as for the
group's posts). Each row's idempotency key names the member and the local date it is
for: every instance may plan, every few minutes, and each check-in exists once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.group.rhythm import outbox_row, weekly
from bot.store.checkins import unplanned_members
from bot.store.database import Connection
from bot.store.groups import Rhythm, add_posts, checkin_groups
from bot.store.reminders import GOAL_NUDGE, WEEKLY_CHECKIN

HORIZON = timedelta(days=8)
BATCH = 500  # rows a statement inserts: one statement for a whole group's many is huge


def plan_member_checkins(db: Connection, now: datetime) -> int:
    """Each member without a check-in waiting gets their next one: how many were new."""
    new = 0
    for group in checkin_groups(db):
        fires: dict[tuple[str, datetime], datetime | None] = {}  # a zone's members share it
        rows = []
        for member_id, zone, away_until in unplanned_members(db, group.platform, group.workspace):
            after = max(now, away_until or now)
            if (zone, after) not in fires:
                fires[zone, after] = next_checkin(group, zone, after)
            fire = fires[zone, after]
            if fire is None or fire > _aware(now) + HORIZON:
                continue  # an unusable zone is asked for at their next message
            key = f"{WEEKLY_CHECKIN}:{group.platform}:{group.workspace}:{member_id}:{fire.date()}"
            rows.append(outbox_row(group, member_id, WEEKLY_CHECKIN, fire, key, now))
        new += sum(add_posts(db, rows[at : at + BATCH]) for at in range(0, len(rows), BATCH))
    return new


def next_checkin(group: Rhythm, zone: str, after: datetime) -> datetime | None:
    """The group's check-in time on this member's clock, next after `after` (naive UTC)."""
    return weekly(group.checkin_day, group.checkin_at, zone, after)


def goal_nudge_row(
    group: Rhythm, member_id: int, zone: str, checkin_id: int, week_of: date, now: datetime
) -> dict[str, object] | None:
    """The nudge on the week's goal: the group's nudge day, at the check-in's time, before
    the next check-in; None when the group's days leave no room for one."""
    nudge = weekly(group.nudge_day, group.checkin_at, zone, now)
    following = next_checkin(group, zone, now + timedelta(minutes=1))  # not this one
    if nudge is None or following is None or nudge >= following:
        return None
    key = f"{GOAL_NUDGE}:{group.platform}:{group.workspace}:{member_id}:{week_of}"
    return {**outbox_row(group, member_id, GOAL_NUDGE, nudge, key, now), "checkin_id": checkin_id}


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
