"""The follow-up plan: the right reminders for how far the member got and how they feel,
never due in the past, and due at the wall-clock time they expect across clock changes.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.playbook import load_playbook
from bot.rejection.plan import PlannedReminder, propose, reminder_rows, to_utc
from bot.rejection.stages import CAME_CLOSE, STAGES

PROPERTY = settings(max_examples=200, deadline=None)
STAGE_VALUES = tuple(stage.value for stage in STAGES)
PLAYBOOK = load_playbook()  # the shipped one, read once so strategies can draw from it
REMINDERS = PLAYBOOK.table("plan.reminders")
MOODS = (*PLAYBOOK.table("moods.moods"), "")  # "" when the member never said
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 14, 0)
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a half-hour change
    "Pacific/Apia",
)

todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def facts(draw: st.DrawFn) -> dict[str, object]:
    """What /rejected knows when it proposes: heard within five years, never later than today."""
    today = draw(todays)
    back = draw(st.one_of(st.integers(0, 5 * 365), st.sampled_from([0, 1, 7, 10, 49, 90])))
    return {
        "stage": draw(st.sampled_from(STAGE_VALUES)),
        "mood": draw(st.sampled_from(MOODS)),
        "heard_on": today - timedelta(days=back),
        "today": today,
    }


def expected_kinds(stage: str, mood: str) -> set[str]:
    """PLAYBOOK section 8: a note and its follow-ups once people were met,
    an advice meeting when they came close; a member who is low gets a check-in
    first and one step fewer (no keep-in-touch before the reconnect)."""
    kinds = set()
    if stage != "applied":
        kinds |= {"send_note", "second_ask", "keep_in_touch", "reconnect"}
    if stage in CAME_CLOSE:
        kinds.add("advice_meeting")
    if mood == "low":
        kinds = (kinds - {"keep_in_touch"}) | {"check_in"}
    return kinds


# propose


@pytest.mark.parametrize("mood", MOODS)
@pytest.mark.parametrize("stage", STAGE_VALUES)
def test_the_plan_fits_the_stage_reached_and_the_mood(stage: str, mood: str) -> None:
    plan = propose(PLAYBOOK, stage=stage, mood=mood, heard_on=TODAY, today=TODAY)
    assert {item.kind for item in plan} == expected_kinds(stage, mood)
    assert len(plan) == len({item.kind for item in plan})


def test_an_automated_no_after_applying_needs_no_plan() -> None:
    plan = propose(PLAYBOOK, stage="applied", mood="steady", heard_on=TODAY, today=TODAY)
    assert plan == []


def test_news_heard_today_gives_the_playbook_days_and_times() -> None:
    plan = propose(PLAYBOOK, stage="runner_up", mood="steady", heard_on=TODAY, today=TODAY)
    assert [(item.kind, item.day, item.at) for item in plan] == [
        ("send_note", date(2026, 11, 24), time(9, 0)),
        ("second_ask", date(2026, 11, 30), time(9, 30)),
        ("advice_meeting", date(2026, 12, 3), time(9, 30)),
        ("keep_in_touch", date(2027, 1, 11), time(9, 30)),
        ("reconnect", date(2027, 2, 22), time(9, 30)),  # day 90 is a Sunday: the Monday
    ]


def test_a_member_who_is_low_is_asked_how_they_are_first_and_given_fewer_steps() -> None:
    plan = propose(PLAYBOOK, stage="runner_up", mood="low", heard_on=TODAY, today=TODAY)
    assert [(item.kind, item.day) for item in plan] == [
        ("check_in", date(2026, 11, 24)),
        ("send_note", date(2026, 11, 25)),
        ("second_ask", date(2026, 12, 1)),
        ("advice_meeting", date(2026, 12, 3)),
        ("reconnect", date(2027, 2, 22)),
    ]


def test_news_logged_late_spreads_the_overdue_notes_over_working_days() -> None:
    heard = TODAY - timedelta(days=20)  # three weeks late: every early step is overdue
    plan = propose(PLAYBOOK, stage="final", mood="steady", heard_on=heard, today=TODAY)
    days = {item.kind: item.day for item in plan}
    assert days["send_note"] == date(2026, 11, 24)  # Tuesday, tomorrow
    assert days["second_ask"] == date(2026, 11, 30)  # about a week after the note
    assert days["advice_meeting"] == date(2026, 12, 2)  # two working days on
    assert days["keep_in_touch"] == heard + timedelta(days=49)


@PROPERTY
@given(facts())
def test_no_reminder_is_ever_due_today_or_earlier(case: dict) -> None:
    plan = propose(PLAYBOOK, **case)
    assert all(item.day > case["today"] for item in plan)


@PROPERTY
@given(facts())
def test_each_reminder_comes_no_sooner_than_its_playbook_offset_at_its_time(
    case: dict,
) -> None:
    for item in propose(PLAYBOOK, **case):
        offset = case["heard_on"] + timedelta(days=REMINDERS[item.kind]["days"])
        assert item.day >= max(offset, case["today"] + timedelta(days=1))
        assert item.at == time.fromisoformat(REMINDERS[item.kind]["at"])


@PROPERTY
@given(facts())
def test_notes_go_out_on_working_days_at_least_two_working_days_apart(case: dict) -> None:
    notes = [item.day for item in propose(PLAYBOOK, **case) if item.kind != "check_in"]
    assert all(day.weekday() < 5 for day in notes)
    for earlier, later in pairwise(notes):
        between = (earlier + timedelta(days=n) for n in range(1, (later - earlier).days + 1))
        assert sum(day.weekday() < 5 for day in between) >= 2


@PROPERTY
@given(facts())
def test_the_second_ask_comes_about_a_week_after_the_note(case: dict) -> None:
    days = {item.kind: item.day for item in propose(PLAYBOOK, **case)}
    if "second_ask" in days:
        assert days["second_ask"] - days["send_note"] >= timedelta(days=6)


@PROPERTY
@given(facts())
def test_the_plan_is_in_the_order_it_will_happen(case: dict) -> None:
    plan = propose(PLAYBOOK, **case)
    assert plan == sorted(plan, key=lambda item: (item.day, item.at))
    assert {item.kind for item in plan} == expected_kinds(case["stage"], case["mood"])


# as_data / from_data: the plan waits in the conversation's JSON until accepted

planned = st.builds(
    PlannedReminder,
    st.sampled_from(sorted(REMINDERS)) | st.text(min_size=1, max_size=20),
    st.dates(),
    minutes,
)


@PROPERTY
@given(planned)
def test_a_planned_reminder_survives_the_trip_through_conversation_json(
    item: PlannedReminder,
) -> None:
    stored = json.loads(json.dumps(item.as_data()))
    assert PlannedReminder.from_data(stored) == item


def test_a_planned_reminder_is_stored_as_readable_text() -> None:
    item = PlannedReminder("send_note", date(2026, 11, 24), time(9, 0))
    assert item.as_data() == {"kind": "send_note", "day": "2026-11-24", "at": "09:00"}


# to_utc: the store keeps naive UTC; members think in their own wall clock

DST_CHANGES = [
    # zone, the day before, the day of the change, 09:00 in UTC before and after
    ("Europe/Berlin", date(2026, 3, 28), date(2026, 3, 29), time(8), time(7)),
    ("Europe/Berlin", date(2026, 10, 24), date(2026, 10, 25), time(7), time(8)),
    ("America/New_York", date(2026, 3, 7), date(2026, 3, 8), time(14), time(13)),
    ("America/New_York", date(2026, 10, 31), date(2026, 11, 1), time(13), time(14)),
]


@pytest.mark.parametrize(("zone", "before", "day", "utc_before", "utc_after"), DST_CHANGES)
def test_nine_in_the_morning_stays_nine_on_both_sides_of_a_clock_change(
    zone: str, before: date, day: date, utc_before: time, utc_after: time
) -> None:
    assert to_utc(before, time(9), zone) == datetime.combine(before, utc_before)
    assert to_utc(day, time(9), zone) == datetime.combine(day, utc_after)
    after = day + timedelta(days=1)
    assert to_utc(after, time(9), zone) == datetime.combine(after, utc_after)


@pytest.mark.parametrize(
    ("zone", "day", "utc"),
    [
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 29, 1, 30)),  # 03:30 CEST
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 7, 30)),  # 03:30 EDT
    ],
)
def test_a_time_skipped_by_the_spring_change_is_due_an_hour_later_by_the_clock(
    zone: str, day: date, utc: datetime
) -> None:
    """02:30 never happens that night; the reminder comes at 03:30, after the gap, not before."""
    due = to_utc(day, time(2, 30), zone)
    assert due == utc
    local = due.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (3, 30)


@pytest.mark.parametrize(
    ("zone", "day", "at", "utc"),
    [
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
    ],
)
def test_a_time_that_happens_twice_in_the_autumn_is_due_the_first_time(
    zone: str, day: date, at: time, utc: datetime
) -> None:
    assert to_utc(day, at, zone) == utc


@PROPERTY
@given(st.sampled_from(ZONES), st.dates(date(2020, 1, 1), date(2040, 12, 31)), minutes)
def test_a_due_time_read_back_in_the_members_zone_is_the_time_they_chose(
    zone: str, day: date, at: time
) -> None:
    due = to_utc(day, at, zone)
    assert due.tzinfo is None  # the store's convention
    chosen = datetime.combine(day, at)
    back = due.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    if back != chosen:  # only a wall-clock time skipped by a change moves, and only forward
        assert timedelta(0) < back - chosen <= timedelta(hours=1)
        skipped = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
        assert skipped.utcoffset() != skipped.replace(fold=1).utcoffset()


# reminder_rows


@PROPERTY
@given(facts(), st.integers(1, 10**9), st.sampled_from(ZONES))
def test_reminder_keys_are_unique_within_a_plan_and_stable_for_the_same_input(
    case: dict, rejection_id: int, zone: str
) -> None:
    plan = propose(PLAYBOOK, **case)
    rows = reminder_rows(plan, rejection_id=rejection_id, zone=zone, now=NOW)
    keys = [row["idempotency_key"] for row in rows]
    assert len(set(keys)) == len(plan)
    again = reminder_rows(list(plan), rejection_id=rejection_id, zone=zone, now=NOW)
    assert [row["idempotency_key"] for row in again] == keys
    other = reminder_rows(plan, rejection_id=rejection_id + 1, zone=zone, now=NOW)
    assert not set(keys) & {row["idempotency_key"] for row in other}


def test_a_row_keeps_the_wall_clock_time_and_the_utc_instant() -> None:
    plan = [PlannedReminder("send_note", date(2026, 3, 29), time(9, 0))]
    [row] = reminder_rows(plan, rejection_id=7, zone="Europe/Berlin", now=NOW)
    assert row == {
        "rejection_id": 7,
        "kind": "send_note",
        "due_at": datetime(2026, 3, 29, 7, 0),
        "local_due": datetime(2026, 3, 29, 9, 0),
        "zone": "Europe/Berlin",
        "idempotency_key": "plan:7:send_note",
        "created_at": NOW,
    }
