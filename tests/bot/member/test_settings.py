"""A member's delivery settings: the parsers, the writes, and when quiet hours end."""

from __future__ import annotations

import importlib.resources
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.events import Member
from bot.member.settings import (
    MAX_PAUSE_WEEKS,
    NOT_PLACES,
    next_allowed,
    pause,
    pause_length,
    quiet_hours,
    resume,
    set_quiet_hours,
    set_timezone,
    timezone_name,
)
from bot.parsing import InvalidAnswer
from bot.rejection.plan import to_utc
from bot.store.models import MemberRow, Reminder
from bot.store.repository import Repository
from tests.conftest import SAM

PROPERTY = settings(max_examples=200, deadline=None)
EXAMPLES = settings(max_examples=300, deadline=None)
NOW = datetime(2026, 11, 23, 14, 0)


def refusal(parser, raw: str) -> str:
    with pytest.raises(InvalidAnswer) as problem:
        parser(raw)
    message = str(problem.value)
    assert 0 < len(message) < 220, message
    return message


# Time zones


@pytest.mark.parametrize(
    ("raw", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("America / New York", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Kolkata", "Asia/Kolkata"),
        ("port-au-prince", "America/Port-au-Prince"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),  # not the old alias
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Istanbul", "Europe/Istanbul"),
    ],
)
def test_a_zone_is_read_by_name_or_city(raw: str, zone: str) -> None:
    assert timezone_name(raw) == zone


def test_an_unknown_zone_suggests_close_matches() -> None:
    assert "Did you mean Europe/Berlin" in refusal(timezone_name, "Europe/Berlim")
    assert "Did you mean Europe/Berlin?" in refusal(timezone_name, "Berlinn")
    assert "America/New_York" in refusal(timezone_name, "new yrok")


def test_an_unknown_place_with_nothing_close_gets_an_example() -> None:
    message = refusal(timezone_name, "Narnia")
    assert "Europe/Berlin" in message and "your city" in message


@pytest.mark.parametrize("raw", ["UTC+2", "utc +2", "GMT-5", "GMT -05:00", "+0530", "Etc/GMT+2"])
def test_an_offset_is_refused_with_a_hint(raw: str) -> None:
    message = refusal(timezone_name, raw)
    assert "An offset like UTC+2 doesn't follow daylight saving" in message
    assert "Europe/Berlin" in message


def test_an_abbreviation_is_refused_with_a_place_to_try() -> None:
    assert "like America/New_York" in refusal(timezone_name, "EST")
    assert "like Europe/Berlin" in refusal(timezone_name, "cet")
    assert "more than one place" in refusal(timezone_name, "IST")


def test_a_city_two_zones_share_asks_which() -> None:
    message = refusal(timezone_name, "Pacific")
    assert "Canada/Pacific or US/Pacific" in message


@pytest.mark.parametrize("raw", ["", "@everyone", "x" * 65, "Europe/Berlin\u202e"])
def test_hostile_or_empty_zone_input_is_refused(raw: str) -> None:
    refusal(timezone_name, raw)


def _canonical() -> list[str]:
    text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone1970.tab").read_text()
    return sorted({line.split("\t")[2] for line in text.splitlines() if line[:1] not in "#"})


def test_every_zone_name_is_accepted_in_any_case() -> None:
    offsets = {zone for zone in available_timezones() if "GMT+" in zone or "GMT-" in zone}
    abbreviations = {"EST", "MST", "HST", "CET", "EET", "MET", "WET"}
    abbreviations |= {"EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT"}
    for zone in sorted(available_timezones() - offsets - abbreviations - NOT_PLACES):
        found = timezone_name(zone.lower())
        assert timezone_name(zone.upper()) == found
        # exactly that zone, or for an old one-word alias such as `Jamaica`, its place's own
        assert found == zone or ("/" not in zone and found.endswith(f"/{zone}")), zone


def test_every_place_s_own_zone_is_found_by_its_city_alone() -> None:
    for zone in _canonical():
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
        assert timezone_name(city) == zone


@PROPERTY
@given(st.text(max_size=80))
def test_any_text_gives_a_loadable_zone_or_a_kind_refusal(raw: str) -> None:
    try:
        zone = timezone_name(raw)
    except InvalidAnswer as problem:
        assert 0 < len(str(problem)) < 220
    else:
        ZoneInfo(zone)


# Quiet hours


@pytest.mark.parametrize(
    ("raw", "window"),
    [
        ("22:00-08:00", (time(22), time(8))),
        ("22:00 - 07:00", (time(22), time(7))),
        ("22:00\u201307:00", (time(22), time(7))),
        ("10pm to 7am", (time(22), time(7))),
        ("10 PM to 7 AM", (time(22), time(7))),
        ("from 11pm until 6:30am", (time(23), time(6, 30))),
        ("23.30-7", (time(23, 30), time(7))),
        ("22-7", (time(22), time(7))),
        ("12am-6am", (time(0), time(6))),
        ("midnight to 6", (time(0), time(6))),
        ("noon to 1pm", (time(12), time(13))),
        ("13:00-14:30", (time(13), time(14, 30))),
        ("20:00-24:00", (time(20), time(0))),
    ],
)
def test_quiet_hours_are_read_in_common_forms(raw: str, window: tuple[time, time]) -> None:
    assert quiet_hours(raw) == window


@pytest.mark.parametrize("raw", ["off", "Off", "none", "no", "never", "clear", "off."])
def test_quiet_hours_can_be_turned_off(raw: str) -> None:
    assert quiet_hours(raw) is None


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("whenever", "I couldn't read those hours"),
        ("22:00", "I couldn't read those hours"),
        ("22:00-07:00-09:00", "I couldn't read those hours"),
        ("late to early", "I couldn't read those hours"),
        ("25:00-07:00", "isn't a time on the clock"),
        ("22:75-07:00", "isn't a time on the clock"),
        ("13pm-2am", "the hour goes from 1 to 12"),
        ("22:00-22:00", "starts and ends at the same time"),
        ("10-7", "most of the day"),  # 10:00 to 07:00: 21 hours, surely 10pm was meant
        ("skip", "I couldn't read those hours"),
        ("", "didn't catch anything"),
    ],
)
def test_quiet_hours_nonsense_is_explained(raw: str, says: str) -> None:
    assert says in refusal(quiet_hours, raw)


minutes = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@EXAMPLES
@given(minutes, minutes)
def test_any_sensible_window_reads_back_in_24_hour_and_am_pm_forms(start: time, end: time) -> None:
    length = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
    if length == 0 or length > 16 * 60:
        with pytest.raises(InvalidAnswer):
            quiet_hours(f"{start:%H:%M}-{end:%H:%M}")
        return
    assert quiet_hours(f"{start:%H:%M}-{end:%H:%M}") == (start, end)
    assert quiet_hours(f"{start:%I:%M%p} to {end:%I:%M %p}".lower()) == (start, end)


@PROPERTY
@given(st.text(max_size=60))
def test_any_text_gives_a_window_off_or_a_kind_refusal(raw: str) -> None:
    try:
        window = quiet_hours(raw)
    except InvalidAnswer as problem:
        assert 0 < len(str(problem)) < 220
    else:
        assert window is None or window[0] != window[1]


# A pause


@pytest.mark.parametrize(
    ("raw", "weeks"),
    [("1", 1), ("2", 2), ("12", 12), ("2 weeks", 2), ("a week", 1), ("three", 3), ("4w", 4)],
)
def test_a_pause_is_read_in_weeks(raw: str, weeks: int) -> None:
    assert pause_length(raw) == timedelta(weeks=weeks)


@pytest.mark.parametrize(
    ("raw", "days"),
    [("3 days", 3), ("1 day", 1), ("ten days", 10), ("5d", 5), ("84 days", 84)],
)
def test_a_pause_may_be_a_few_days(raw: str, days: int) -> None:
    assert pause_length(raw) == timedelta(days=days)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("0", "The shortest pause is 1 day"),
        ("0 days", "The shortest pause is 1 day"),
        ("13", "up to 12 weeks"),
        ("100 weeks", "up to 12 weeks"),
        ("85 days", "up to 12 weeks"),
        ("lots", "a number of weeks from 1 to 12"),
        ("-1", "a number of weeks from 1 to 12"),
        ("2 months", "a number of weeks from 1 to 12"),
        ("\u00b2", "a number of weeks from 1 to 12"),
    ],
)
def test_a_pause_outside_a_day_to_12_weeks_is_explained(raw: str, says: str) -> None:
    problem = refusal(pause_length, raw)
    assert says in problem
    assert "?" not in problem  # a statement: nothing waits for an answer to it


@given(st.integers(-5, 200))
def test_every_whole_number_of_weeks_from_1_to_12_and_no_other(weeks: int) -> None:
    if 1 <= weeks <= MAX_PAUSE_WEEKS:
        assert pause_length(str(weeks)) == timedelta(weeks=weeks)
    else:
        refusal(pause_length, str(weeks))


# When quiet hours end

BERLIN = "Europe/Berlin"
NIGHT = (time(22, 0), time(7, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts)  # naive UTC, the store's convention


@pytest.mark.parametrize(
    ("moment", "zone", "window", "allowed"),
    [
        # outside: unchanged
        (utc(2026, 6, 1, 12, 0), BERLIN, NIGHT, utc(2026, 6, 1, 12, 0)),
        (utc(2026, 6, 1, 5, 0), BERLIN, NIGHT, utc(2026, 6, 1, 5, 0)),  # 07:00 CEST: the end
        # before midnight: the end is tomorrow morning (summer, +2)
        (utc(2026, 6, 1, 20, 0), BERLIN, NIGHT, utc(2026, 6, 2, 5, 0)),
        # the start belongs to the window
        (utc(2026, 6, 1, 20, 0, 0), BERLIN, (time(22), time(7)), utc(2026, 6, 2, 5, 0)),
        # after midnight: the end is this morning (winter, +1)
        (utc(2026, 12, 1, 2, 0), BERLIN, NIGHT, utc(2026, 12, 1, 6, 0)),
        # a window inside one day
        (utc(2026, 12, 1, 12, 30), BERLIN, (time(13), time(14)), utc(2026, 12, 1, 13, 0)),
        # spring forward, 29 Mar 2026: 07:00 is now CEST
        (utc(2026, 3, 28, 22, 0), BERLIN, NIGHT, utc(2026, 3, 29, 5, 0)),
        # fall back, 25 Oct 2026: 07:00 is now CET
        (utc(2026, 10, 24, 21, 0), BERLIN, NIGHT, utc(2026, 10, 25, 6, 0)),
        # an end the clock skips (02:30 never shows): quiet ends when it jumps to 03:00
        (utc(2026, 3, 28, 23, 0), BERLIN, (time(22), time(2, 30)), utc(2026, 3, 29, 1, 0)),
        # an end the clock shows twice: the first 02:30 (CEST) for the first pass...
        (utc(2026, 10, 25, 0, 10), BERLIN, (time(22), time(2, 30)), utc(2026, 10, 25, 0, 30)),
        # ...and the second 02:30 (CET) for a moment in the repeated hour
        (utc(2026, 10, 25, 1, 10), BERLIN, (time(22), time(2, 30)), utc(2026, 10, 25, 1, 30)),
        # the clock set back to before the start: 02:00 CET is outside 02:30-07:00
        (utc(2026, 10, 25, 0, 40), BERLIN, (time(2, 30), time(7)), utc(2026, 10, 25, 1, 0)),
        # New York, 8 Mar 2026 (EST -> EDT)
        (utc(2026, 3, 8, 4, 0), "America/New_York", NIGHT, utc(2026, 3, 8, 11, 0)),
        # Lord Howe moves its clocks by half an hour
        (utc(2026, 4, 4, 15, 0), "Australia/Lord_Howe", (time(1), time(2, 15)), None),
        # Samoa skipped 30 Dec 2011 entirely: quiet from the 29th ends on the 31st
        (utc(2011, 12, 30, 9, 0), "Pacific/Apia", NIGHT, utc(2011, 12, 30, 17, 0)),
        # UTC, and a window of None
        (utc(2026, 1, 1, 23, 0), "UTC", NIGHT, utc(2026, 1, 2, 7, 0)),
        (utc(2026, 1, 1, 23, 0), "UTC", None, utc(2026, 1, 1, 23, 0)),
    ],
)
def test_next_allowed_examples(
    moment: datetime, zone: str, window: tuple[time, time] | None, allowed: datetime | None
) -> None:
    result = next_allowed(moment, zone, window)
    if allowed is not None:
        assert result == allowed
    assert not inside(result, zone, window)


def test_an_aware_moment_gets_an_aware_answer() -> None:
    moment = datetime(2026, 6, 1, 22, 0, tzinfo=ZoneInfo(BERLIN))  # 20:00 UTC
    assert next_allowed(moment, BERLIN, NIGHT) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    outside = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert next_allowed(outside, BERLIN, NIGHT) is outside


def test_outside_quiet_hours_the_very_same_moment_comes_back() -> None:
    moment = utc(2026, 6, 1, 12, 0)
    assert next_allowed(moment, BERLIN, NIGHT) is moment


def inside(moment: datetime, zone: str, window: tuple[time, time] | None) -> bool:
    """The test's own reading: the member's wall clock at that moment lies in the window."""
    if window is None:
        return False
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    clock = aware.astimezone(ZoneInfo(zone)).time()
    start, end = window
    return start <= clock < end if start < end else clock >= start or clock < end


def transitions(zone: str, year: int) -> list[datetime]:
    """The instants (naive UTC) a zone changed its clocks in a year, found by scanning."""
    place, found = ZoneInfo(zone), []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        later = moment + timedelta(hours=1)
        if moment.astimezone(place).utcoffset() != later.astimezone(place).utcoffset():
            low, high = moment, later
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                same = middle.astimezone(place).utcoffset() == low.astimezone(place).utcoffset()
                low, high = (middle, high) if same else (low, middle)
            found.append(high.replace(tzinfo=None, microsecond=0))
        moment = later
    return found


ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "Asia/Kolkata",
    "Pacific/Apia",
    "UTC",
)
CHANGES = sorted(
    {
        (zone, instant)
        for zone in ZONES
        for year in (2011, 2017, 2026)
        for instant in transitions(zone, year)
    }
)
windows = st.tuples(minutes, minutes).filter(lambda window: window[0] != window[1])
anywhere = st.tuples(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
)
near_a_change = st.builds(
    lambda change, seconds: (change[0], change[1] + timedelta(seconds=seconds)),
    st.sampled_from(CHANGES),
    st.integers(-30 * 3600, 30 * 3600),
)


@EXAMPLES
@given(st.one_of(anywhere, near_a_change), st.one_of(windows, st.none()))
def test_next_allowed_is_the_first_moment_outside_quiet_hours(
    where: tuple[str, datetime], window: tuple[time, time] | None
) -> None:
    zone, moment = where
    result = next_allowed(moment, zone, window)
    assert result >= moment
    assert not inside(result, zone, window)
    if not inside(moment, zone, window):
        assert result == moment
        return
    # nothing earlier would do: every moment until the result is inside quiet hours
    assert result - moment <= timedelta(days=2)
    probe = moment
    while probe < result:
        assert inside(probe, zone, window), probe
        probe += timedelta(minutes=5)
    assert inside(result - timedelta(seconds=1), zone, window)


def test_the_property_sees_the_clock_changes() -> None:
    """Guards the strategy above: it must include the days clocks change."""
    assert (BERLIN, datetime(2026, 3, 29, 1, 0)) in CHANGES
    assert (BERLIN, datetime(2026, 10, 25, 1, 0)) in CHANGES
    assert any(zone == "Pacific/Apia" and instant.year == 2011 for zone, instant in CHANGES)


# The writes


def member_row(engine, user: str = SAM.user, workspace: str = SAM.workspace) -> MemberRow:
    with Session(engine) as session:
        return session.scalars(
            select(MemberRow).where(MemberRow.user_id == user, MemberRow.workspace == workspace)
        ).one()


def reminder_rows(engine) -> dict[str, Reminder]:
    with Session(engine) as session:
        return {r.idempotency_key: r for r in session.scalars(select(Reminder))}


def add_reminder(repo: Repository, key: str, local_due: datetime, **extra) -> None:
    repo.reminders.add(
        [
            {
                "kind": "send_note",
                "due_at": to_utc(local_due.date(), local_due.time(), "UTC"),
                "local_due": local_due,
                "zone": "UTC",
                "idempotency_key": key,
                "created_at": NOW,
                **extra,
            }
        ]
    )


def test_set_timezone_keeps_each_waiting_reminder_s_wall_clock_time(engine) -> None:
    other = Member("slack", "T2", SAM.user)  # the same user id in another workspace
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        add_reminder(repo, "winter", datetime(2026, 12, 1, 9, 0))
        add_reminder(repo, "summer", datetime(2027, 6, 1, 9, 0))
        add_reminder(repo, "skipped hour", datetime(2027, 3, 28, 2, 30))
        add_reminder(repo, "done", datetime(2026, 12, 2, 9, 0), status="done")
        add_reminder(Repository.open(db, other, NOW), "theirs", datetime(2026, 12, 1, 9, 0))
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        assert set_timezone(repo, BERLIN) == 3
        assert (repo.member.timezone, repo.member.timezone_chosen) == (BERLIN, True)
    rows = reminder_rows(engine)
    assert rows["winter"].due_at == datetime(2026, 12, 1, 8, 0)
    assert rows["summer"].due_at == datetime(2027, 6, 1, 7, 0)
    assert rows["skipped hour"].due_at == to_utc(datetime(2027, 3, 28).date(), time(2, 30), BERLIN)
    assert {rows[key].zone for key in ("winter", "summer", "skipped hour")} == {BERLIN}
    assert rows["winter"].local_due == datetime(2026, 12, 1, 9, 0)  # the member's choice kept
    assert (rows["done"].due_at, rows["done"].zone) == (datetime(2026, 12, 2, 9, 0), "UTC")
    assert (rows["theirs"].due_at, rows["theirs"].zone) == (datetime(2026, 12, 1, 9, 0), "UTC")
    assert member_row(engine).timezone == BERLIN
    assert member_row(engine, workspace="T2").timezone == "UTC"


def test_quiet_hours_pause_and_resume_are_saved(engine) -> None:
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        set_quiet_hours(repo, NIGHT)
        pause(repo, NOW + timedelta(weeks=2), NOW)
        assert repo.member.paused_until == NOW + timedelta(weeks=2)
    row = member_row(engine)
    assert (row.quiet_from, row.quiet_until) == NIGHT
    assert row.paused_until == datetime(2026, 12, 7, 14, 0)
    with engine.begin() as db:
        repo = Repository.open(db, SAM, NOW)
        set_quiet_hours(repo, None)
        assert resume(repo, NOW) == 0
        assert repo.member.quiet_from is None and repo.member.paused_until is None
    row = member_row(engine)
    assert (row.quiet_from, row.quiet_until, row.paused_until) == (None, None, None)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("manchester", "Europe/London"),
        ("uk mate. just do london", "Europe/London"),
        ("i live in sf", "America/Los_Angeles"),
        ("Bangalore", "Asia/Kolkata"),
        ("Israel", "Israel"),  # tzdata's own name is kept as it is
    ],
)
def test_a_place_as_members_name_it_is_its_zone(typed: str, zone: str) -> None:
    assert timezone_name(typed) == zone


def test_a_country_with_several_zones_is_asked_for_a_city() -> None:
    with pytest.raises(InvalidAnswer, match=r"Which city are you in\?"):
        timezone_name("usa")
