"""A tenant's group on SQLite and PostgreSQL: its rhythm, and its week in counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.conversation.events import Member
from bot.store.groups import Groups, Rhythm, Spread, planned_groups
from bot.store.repository import Repository

NOW = datetime(2026, 11, 23, 12, 0)


def test_a_new_group_has_the_default_rhythm_and_no_channel(engine) -> None:
    with engine.begin() as db:
        group = Groups(db, "slack", "T1").create(
            timezone="Europe/Berlin", facilitators=["U1"], now=NOW
        )
        assert Groups(db, "slack", "T2").find() is None
        assert planned_groups(db) == []  # nothing is posted until a channel is chosen
        Groups(db, "slack", "T1").update(channel="C1")
        assert [g.channel for g in planned_groups(db)] == ["C1"]
    assert group == Rhythm(
        "slack",
        "T1",
        "",
        "Europe/Berlin",
        "mon",
        time(9, 0),
        "fri",
        time(16, 0),
        rhythm_on=True,
        nudge_day="thu",
        ask_goals=True,
        facilitators=("U1",),
        support="",
    )


def test_a_week_counts_its_own_tenant_and_days_only(engine) -> None:
    with engine.begin() as db:
        for who, when in (
            (Member("slack", "T1", "U1", "Sam"), NOW),
            (Member("slack", "T1", "U2", "Ana"), NOW - timedelta(days=1)),
            (Member("slack", "T1", "U2", "Ana"), NOW - timedelta(days=8)),  # the week before
            (Member("slack", "T2", "U3", "Bo"), NOW),  # another tenant
        ):
            repo = Repository.open(db, who, NOW)
            repo.rejections.add(
                company="Acme", stage="applied", heard_on=when.date(), created_at=when
            )
            repo.wins.add(kind="offer", shared=who.user != "U1", created_at=when)
        week = Groups(db, "slack", "T1").week(NOW - timedelta(days=7), NOW)
    assert week.rejections == Spread(rows=2, members=2)
    assert week.followups_done == Spread(rows=0, members=0)
    assert (week.shared_wins, week.sharers) == ((("offer", 1),), ("Ana",))
