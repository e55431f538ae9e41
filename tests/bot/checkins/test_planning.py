"""Each member's check-in at the group's local time on their own clock, once a week,
in eight zones across the spring's daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.checkins.planning import plan_member_checkins
from bot.conversation.events import Member
from bot.store.groups import Groups
from bot.store.models import MemberRow, Reminder, ReminderStatus
from bot.store.reminders import WEEKLY_CHECKIN
from tests.helpers import Chat

ZONES = (
    "America/Los_Angeles",  # summer time from 14 Mar 2027
    "America/New_York",
    "America/Sao_Paulo",  # none since 2019
    "Europe/London",  # from 28 Mar
    "Europe/Berlin",
    "Asia/Kolkata",  # none
    "Australia/Sydney",  # winter time from 4 Apr
    "Pacific/Auckland",
)


def members_in_zones(core, clock) -> None:
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=[], now=clock.now)
    for zone in ZONES:
        Chat(core, Member("slack", "T1", f"U-{zone}", display_name=zone)).say("/checkin on")
        with core.engine.begin() as db:
            db.execute(
                update(MemberRow).where(MemberRow.user_id == f"U-{zone}").values(timezone=zone)
            )


def plan_and_send(core, now: datetime) -> list[tuple[str, datetime]]:
    """Plan at `now`; each new check-in goes out (so the next week's can be planned)."""
    with core.engine.begin() as db:
        plan_member_checkins(db, now)
    with Session(core.engine) as session, session.begin():
        planned = session.scalars(
            select(Reminder).where(
                Reminder.kind == WEEKLY_CHECKIN, Reminder.status == ReminderStatus.PENDING
            )
        ).all()
        for row in planned:
            row.status = ReminderStatus.SENT
        return [(row.zone, row.due_at) for row in planned]


def test_eight_zones_each_hear_at_nine_local_through_the_clock_changes(core, clock) -> None:
    members_in_zones(core, clock)
    by_zone: dict[str, list[datetime]] = {zone: [] for zone in ZONES}
    sunday = datetime(2027, 3, 7, 12, 0)  # UTC
    for week in range(6):  # the Mondays from 8 Mar to 12 Apr 2027
        for zone, due_at in plan_and_send(core, sunday + timedelta(weeks=week)):
            by_zone[zone].append(due_at.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)))

    for zone, times in by_zone.items():
        assert len(times) == 6, zone  # one a week, none twice
        assert {(moment.weekday(), moment.time()) for moment in times} == {(0, time(9, 0))}
        offsets = {moment.utcoffset() for moment in times}
        changes = zone not in ("America/Sao_Paulo", "Asia/Kolkata")
        assert len(offsets) == (2 if changes else 1), zone


def test_planning_again_plans_nothing_twice(core, clock) -> None:
    members_in_zones(core, clock)
    with core.engine.begin() as db:
        assert plan_member_checkins(db, clock.now) == len(ZONES)
        assert plan_member_checkins(db, clock.now) == 0


def test_a_group_planned_in_several_statements_has_each_member_once(
    core, clock, monkeypatch
) -> None:
    monkeypatch.setattr("bot.checkins.planning.BATCH", 3)  # 8 members: 3, 3 and 2
    members_in_zones(core, clock)
    with core.engine.begin() as db:
        assert plan_member_checkins(db, clock.now) == len(ZONES)
        assert plan_member_checkins(db, clock.now) == 0
    with Session(core.engine) as session:
        planned = session.scalars(select(Reminder).where(Reminder.kind == WEEKLY_CHECKIN)).all()
    assert sorted(row.zone for row in planned) == sorted(ZONES)
